"""What delivery's bookkeeping costs in DynamoDB write units, as billed: by the size of each
item written, with an update of a realistic 3 KB body (tests/integration/write_units.py)."""

from __future__ import annotations

from collections import Counter

import boto3
import pytest
from mobilise_bench.counting import RequestCounter

from mobilise.core import config, crypto
from mobilise.delivery import sending
from mobilise.delivery.messages import DeliveryMessage
from tests.integration.harness import Mobilise
from tests.integration.write_units import billed_writes

#: An update of about 3 KB: a few paragraphs, as starters write them.
BODY = ("The council met tonight and heard us. " * 80)[:3000]
TITLE = "What the council said"


@pytest.fixture
def one_shard(on_both: Mobilise, monkeypatch: pytest.MonkeyPatch) -> Mobilise:
    """On moto, then on DynamoDB Local, with every signer in one shard (a large petition's
    shards hold thousands: its messages are full)."""
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    _bookkeeping_alone(monkeypatch)
    return on_both


def _bookkeeping_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Delivery's bookkeeping alone: what one update email a day per person adds (a window
    written per email) is measured by tests/integration/test_digests.py and the bench."""
    monkeypatch.setenv("SIGNER_DAILY_CAP", "false")
    config.get_settings.cache_clear()


def _received(mobilise: Mobilise) -> Counter[str]:
    return Counter(m["to"][0] for m in mobilise.outbox() if m["subject"] == TITLE)


def test_a_full_message_of_a_3_kb_update_bills_5_write_units_for_100_emails(
    one_shard: Mobilise,
) -> None:
    # Given a 3 KB update for 100 signers, fanned out into one delivery message
    mobilise = one_shard
    addresses = [f"signer{index}@example.org" for index in range(100)]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    published = mobilise.publish(petition_id, title=TITLE, body=BODY)
    assert published.status == 201, published.text
    update_id = published.json()["update_id"]
    sqs = boto3.client("sqs")
    for queue in ("PublishQueue", "DeliveryQueue"):
        sqs.purge_queue(QueueUrl=mobilise.stack.refs[queue])
    hashes = sorted(crypto.email_hash(address) for address in addresses)
    message = DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=hashes)

    # When the deliver function sends it, its writes billed by item size and counted as the
    # bench counts them
    with (
        billed_writes() as billed,
        RequestCounter() as counter,
        counter.acting("DeliverFunction"),
    ):
        sending.deliver(message)

    # Then 100 emails left for 5 billed write units (0.05 an email): the record claimed (1),
    # then settled with the counters item in one transaction (2 + 2); the update's 3 KB body
    # is written by none of them, and the bench's count (every item under 1 KB) is exact
    assert _received(mobilise) == Counter(dict.fromkeys(addresses, 1))
    assert billed.units == {"UpdateItem": 1, "TransactWriteItems": 4}
    assert counter.counts.total("dynamodb").write_units == billed.total == 5
    assert f"UPD#{update_id}" not in billed.largest
    assert max(billed.largest.values()) < 1024


def test_a_3_kb_update_to_1000_signers_bills_under_a_tenth_of_a_write_unit_an_email(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 3 KB update to 1,000 signers in one shard (read 500 a page)
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    _bookkeeping_alone(monkeypatch)
    addresses = [f"signer{index}@example.org" for index in range(1000)]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    assert mobilise.publish(petition_id, title=TITLE, body=BODY).status == 201

    # When fan-out and delivery run, their writes billed by item size
    with billed_writes() as billed:
        mobilise.run_queues()

    # Then each signer got one email, and all of delivery's bookkeeping (fan-out's start, page
    # markers and end, each message's record and counters, the end of the delivery) billed
    # at most 0.1 write unit an email
    assert _received(mobilise) == Counter(dict.fromkeys(addresses, 1))
    assert billed.total / 1000 <= 0.1, billed.units
