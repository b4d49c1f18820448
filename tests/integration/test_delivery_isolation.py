"""One recipient whose email cannot be built or is refused never costs the others theirs."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from mobilise.core import clock, config, crypto
from mobilise.core.batches import BatchFailed
from mobilise.delivery.messages import ConfirmationMessage, DeliveryMessage
from tests.integration.harness import Mobilise, event
from tests.integration.ses_faults import ses_refusing_after
from tests.log_capture import captured_logs

#: Addresses SES cannot take (it has no SMTPUTF8): no email can be built for them. They
#: reach the table only from before signing refused them, or straight from an operator.
UNSENDABLE = [
    "josé@example.org",
    "用户@example.org",
    "ünïcode@example.org",
    "Ωmega@example.org",
    "naïve.signer@example.org",
    "zoë+news@example.org",
    "андрей@example.org",
    "çava@example.org",
]
QUEUES = ("PublishQueue", "PublishDeadLetterQueue", "DeliveryQueue", "DeliveryDeadLetterQueue")


def _lines(logs: io.StringIO, message: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["message"] == message]


def _raw_recipients() -> Counter[str]:
    """Who SES was handed an email for, read from the raw bytes it received."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    found: Counter[str] = Counter()
    for message in sent:
        (to,) = re.findall(r"^To: (.*)\r$", message.raw_data, flags=re.MULTILINE)
        found[to] += 1
    return found


def _stats(mobilise: Mobilise, petition_id: str, update_id: str) -> dict[str, Any]:
    reply = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
    )
    assert reply.status == 200, reply.text
    stats: dict[str, Any] = reply.json()
    return stats


def _one_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    """All signers in one shard: delivery messages of 50, as a petition's busiest are."""
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()


def test_eight_unsendable_addresses_among_65_signers_cost_no_one_else_their_email(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 57 signers through the API and 8 addresses SES cannot take, put in the table
    _one_shard(monkeypatch)
    petition_id = mobilise.create_petition()
    good = [f"signer{index}@example.org" for index in range(57)]
    for address in good:
        assert mobilise.sign(petition_id, address).status == 201
    mobilise.seed_signatures(petition_id, UNSENDABLE)

    # When the starter publishes once and the queues run (retries at once, up to the DLQ)
    with captured_logs() as logs:
        published = mobilise.publish(petition_id, title="Isolated")
        assert published.status == 201, published.text
        update_id = published.json()["update_id"]
        mobilise.run_queues(visibility_timeout=0)

    # Then SES received exactly 57 emails, one for each sendable signer
    assert _raw_recipients() == Counter({address: 1 for address in good})
    # And the statistics count 57 sent and 8 failed, of 65
    stats = _stats(mobilise, petition_id, update_id)
    assert (stats["recipients"], stats["sent"], stats["failed"]) == (65, 57, 8)
    # And nothing is left on a queue, nor in a dead-letter queue
    assert {queue: mobilise.queue_depth(queue) for queue in QUEUES} == dict.fromkeys(QUEUES, 0)
    # And each failure is logged with its petition, update and error, never its address
    failures = _lines(logs, "email not built")
    assert [(line["kind"], line["error"]) for line in failures] == [
        ("update", "NonASCIILocalPartDefect")
    ] * 8
    assert {(line["petition_id"], line["subject_id"]) for line in failures} == {
        (petition_id, update_id)
    }
    captured = logs.getvalue()
    for address in UNSENDABLE:
        for secret in (address, address.split("@")[0], crypto.email_hash(address)):
            assert secret not in captured


def test_a_confirmation_that_cannot_be_built_is_dropped_not_retried_to_the_dlq(
    mobilise: Mobilise,
) -> None:
    # Given an unconfirmed signature with an address SES cannot take, asked to confirm
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["josé@example.org"])
    from mobilise.table.models import Signature

    signature = Signature.get(*Signature.key(petition_id, crypto.email_hash("josé@example.org")))
    signature.update(actions=[Signature.confirmed_at.remove()])
    message = ConfirmationMessage(
        kind="confirm",
        petition_id=petition_id,
        email_hash=crypto.email_hash("josé@example.org"),
        requested_at=clock.now().isoformat(),
    )

    # When the delivery queue runs it (retries at once, up to the DLQ)
    with captured_logs() as logs:
        mobilise.send("DeliveryQueue", message.to_json())
        mobilise.run_queues(visibility_timeout=0)

    # Then no email, one invocation, nothing on a queue or in a DLQ, one line without address
    assert _raw_recipients() == Counter()
    assert mobilise.pollers.invocations["DeliverFunction"] == 1
    assert {queue: mobilise.queue_depth(queue) for queue in QUEUES} == dict.fromkeys(QUEUES, 0)
    (failure,) = _lines(logs, "email not built")
    assert (failure["kind"], failure["error"], failure["petition_id"]) == (
        "confirm",
        "NonASCIILocalPartDefect",
        petition_id,
    )
    assert "josé" not in logs.getvalue()
    assert crypto.email_hash("josé@example.org") not in logs.getvalue()


def _published_without_delivery(mobilise: Mobilise, petition_id: str) -> str:
    """Publish, then drop what the queues hold: the test hands the messages in itself."""

    published = mobilise.publish(petition_id, title="Throttled")
    assert published.status == 201, published.text
    sqs = boto3.client("sqs")
    for queue in ("PublishQueue", "DeliveryQueue"):
        sqs.purge_queue(QueueUrl=mobilise.stack.refs[queue])
    update_id: str = published.json()["update_id"]
    return update_id


def _record(message_id: str, message: DeliveryMessage) -> dict[str, object]:
    record = event("sqs_delivery_batch_with_poison.json")["Records"][0]
    return {**record, "messageId": message_id, "body": message.to_json()}


def test_ses_throttling_after_an_unsendable_recipient_fails_the_record_and_counts_once(
    mobilise: Mobilise,
) -> None:
    # Given an update whose one delivery message names a signer, an unsendable address
    # and another signer (its fan-out done by the test)
    petition_id = mobilise.create_petition()
    addresses = ["first@example.org", "josé@example.org", "last@example.org"]
    mobilise.seed_signatures(petition_id, addresses)
    update_id = _published_without_delivery(mobilise, petition_id)
    message = DeliveryMessage(
        petition_id=petition_id,
        update_id=update_id,
        recipients=[crypto.email_hash(address) for address in addresses],
    )

    # When SES accepts one of the two sendable ones and throttles the other (in one request
    # or two: their shards decide)
    # Then its only record fails, so the whole batch is refused (BatchFailed) and stays
    with ses_refusing_after(1, "ACCOUNT_THROTTLED"), pytest.raises(BatchFailed):
        mobilise.invoke("DeliverFunction", {"Records": [_record("m1", message)]})
    assert sum(_raw_recipients().values()) == 1

    # And when it comes again, the other is sent to, and no one is counted twice
    again = mobilise.invoke("DeliverFunction", {"Records": [_record("m1", message)]})
    assert again["batchItemFailures"] == []
    assert _raw_recipients() == Counter({"first@example.org": 1, "last@example.org": 1})
    stats = _stats(mobilise, petition_id, update_id)
    assert (stats["sent"], stats["failed"]) == (2, 1)
