"""What the deliver function reads of a message's recipients: their signatures and their
suppression entries in one BatchGetItem request (one table), on moto and on DynamoDB Local,
and what it does with them."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from mobilise_bench.counting import RequestCounter

from mobilise.core import config, crypto
from mobilise.delivery import first_reads, pausing, sending, store
from mobilise.delivery.messages import DeliveryMessage
from mobilise.table import batch_reads, items
from mobilise.table.models import Signature
from tests.integration.harness import Mobilise
from tests.integration.requests_sent import requests_sent

TITLE = "Read once"


@pytest.fixture
def one_shard(on_both: Mobilise, monkeypatch: pytest.MonkeyPatch) -> Mobilise:
    """Every signer in one shard: one delivery message of 50, as a petition's busiest are."""
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()
    return on_both


def _fanned_out(mobilise: Mobilise, addresses: list[str]) -> DeliveryMessage:
    """A published update whose one delivery message the test hands in itself."""
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    published = mobilise.publish(petition_id, title=TITLE)
    assert published.status == 201, published.text
    sqs = boto3.client("sqs")
    for queue in ("PublishQueue", "DeliveryQueue"):
        sqs.purge_queue(QueueUrl=mobilise.stack.refs[queue])
    hashes = sorted(crypto.email_hash(address) for address in addresses)
    return DeliveryMessage(
        petition_id=petition_id, update_id=published.json()["update_id"], recipients=hashes
    )


@pytest.mark.parametrize(("cap", "requests"), [("true", 2), ("false", 1)])
def test_a_message_of_50_reads_its_recipients_in_one_request_per_100_keys(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch, cap: str, requests: int
) -> None:
    """Each recipient's signature and suppression entry, and with the daily cap on their count
    of petitions followed and their window (mobilise.digests.alone): 2 or 4 keys each."""
    monkeypatch.setenv("SIGNER_DAILY_CAP", cap)
    config.get_settings.cache_clear()
    # Given 50 signers, of whom one is suppressed and one unsubscribed since the fan-out,
    # and one more hash whose signature is gone (erased)
    addresses = [f"reader{index}@example.org" for index in range(49)]
    message = _fanned_out(one_shard, addresses)
    store.suppress(crypto.email_hash(addresses[0]), "complaint")
    store.unsubscribe(message.petition_id, crypto.email_hash(addresses[1]))
    gone = crypto.email_hash("gone@example.org")
    message = dataclasses.replace(message, recipients=[*message.recipients, gone])

    # When the deliver function sends it, its requests counted once it has made the reads
    # every message makes before its recipients' (the test below)
    first_reads.read(message.petition_id, message.update_id)
    with RequestCounter() as counter, counter.acting("DeliverFunction"):
        sending.deliver(message)

    # Then one BatchGetItem per 100 keys read all of it, and only the 47 who still want it
    # were sent
    reads = counter.counts.by_operation()[("dynamodb", "BatchGetItem")]
    assert reads.requests == requests
    assert reads.read_units == 50 * requests  # each key (found or not), eventually consistent
    sent = Counter(email["to"][0] for email in one_shard.outbox() if email["subject"] == TITLE)
    assert sent == Counter(addresses[2:])


def test_recipients_are_read_whatever_their_number_and_named_twice_once(
    on_both: Mobilise,
) -> None:
    # Given 120 signers (more than one request's 100 keys), one of them suppressed
    addresses = [f"many{index}@example.org" for index in range(120)]
    petition_id = on_both.create_petition()
    on_both.seed_signatures(petition_id, addresses)
    hashes = [crypto.email_hash(address) for address in addresses]
    store.suppress(hashes[7], "bounce")

    # When they are read, one of them named twice
    signatures, suppressed = items.recipients(petition_id, [*hashes, hashes[3]])

    # Then each is read once, with what sending needs, and the suppressed one is known
    assert sorted(signatures) == sorted(hashes)
    assert {signatures[h].email for h in hashes} == set(addresses)
    assert all(signatures[h].receives_updates for h in hashes)
    assert suppressed == {hashes[7]}


def _thirty_signers(mobilise: Mobilise) -> tuple[str, list[str]]:
    """A petition of 30 signers: (its id, their hashes)."""
    addresses = [f"slow{index}@example.org" for index in range(30)]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    return petition_id, [crypto.email_hash(address) for address in addresses]


def _none_processed(keys: list[Any]) -> dict[str, Any]:
    """DynamoDB's answer past a partition's throughput: every key asked left unprocessed."""
    return {"Responses": {}, "UnprocessedKeys": {Signature.Meta.table_name: {"Keys": keys}}}


def _batch_reads_answered_by(
    monkeypatch: pytest.MonkeyPatch, answer: Callable[..., dict[str, Any]]
) -> list[float]:
    """BatchGetItem answered by ``answer(keys, **options)``; the waits between tries, kept
    rather than slept."""
    waits: list[float] = []
    monkeypatch.setattr(Signature._get_connection(), "batch_get_item", answer)
    monkeypatch.setattr(batch_reads, "sleep", waits.append)
    return waits


def test_keys_dynamodb_leaves_unprocessed_are_asked_again_after_a_growing_wait(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 30 signers, and DynamoDB leaving all the keys asked unprocessed three times in a
    # row (as it does past a partition's throughput)
    petition_id, hashes = _thirty_signers(mobilise)
    answer_in_full = Signature._get_connection().batch_get_item
    partial = 3

    def throttled(keys: list[Any], **options: Any) -> dict[str, Any]:
        nonlocal partial
        if partial == 0:
            return answer_in_full(keys, **options)
        partial -= 1
        return _none_processed(keys)

    waits = _batch_reads_answered_by(monkeypatch, throttled)

    # When their recipients are read
    signatures, _ = items.recipients(petition_id, hashes)

    # Then every one is read, after waits that grow each time
    assert sorted(signatures) == sorted(hashes)
    assert len(waits) == 3
    assert 0 < waits[0] < waits[1] < waits[2]


def test_keys_left_unprocessed_for_too_long_fail_the_read_rather_than_spin(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB leaving every key unprocessed, whatever the wait
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["stuck@example.org"])
    waits = _batch_reads_answered_by(monkeypatch, lambda keys, **_: _none_processed(keys))

    # When the recipients are read, then the read fails (the SQS record is retried later)
    # after waits that double, well inside the deliver function's timeout
    with pytest.raises(batch_reads.ReadThrottled):
        items.recipients(petition_id, [crypto.email_hash("stuck@example.org")])
    assert len(waits) == batch_reads.UNPROCESSED_TRIES - 1
    for attempt, wait in enumerate(waits):  # half to all of a ceiling that doubles
        ceiling = batch_reads.UNPROCESSED_WAIT * 2**attempt
        assert ceiling / 2 <= wait <= ceiling
    assert 3.1 <= sum(waits) <= 6.4


def test_keys_dynamodb_processes_a_few_at_a_time_are_all_read(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 30 signers, and DynamoDB processing 2 of the keys asked each time (past its
    # throughput for long, but making progress)
    petition_id, hashes = _thirty_signers(mobilise)
    answer_in_full = Signature._get_connection().batch_get_item

    def trickling(keys: list[Any], **options: Any) -> dict[str, Any]:
        answer = answer_in_full(keys[:2], **options)
        answer["UnprocessedKeys"] = _none_processed(keys[2:])["UnprocessedKeys"]
        return answer

    waits = _batch_reads_answered_by(monkeypatch, trickling)

    # When their recipients are read
    signatures, _ = items.recipients(petition_id, hashes)

    # Then every one is read, each wait the shortest, as every answer made progress
    assert len(signatures) == 30
    assert all(wait <= batch_reads.UNPROCESSED_WAIT for wait in waits)


def test_a_cold_delivery_reads_its_status_its_pause_and_its_email_in_one_request(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stop check and the pause check share one read of the update's status; it, the
    account's pause and the email stored when the update was released (which gives the
    recipients' default language too) come in one BatchGetItem (mobilise.delivery.first_reads):
    neither the petition nor the update's other attributes are read, and nothing twice."""
    # Given a published update of two signers, and a deliver function that has read nothing
    message = _fanned_out(one_shard, ["first@example.org", "second@example.org"])
    sending.reset()
    pausing.reset()
    store.forget_statuses()
    calls = requests_sent(monkeypatch)

    # When it sends the update's delivery message
    sending.deliver(message)

    # Then its first request read the three, and only the end's consistent read of the update
    # (mobilise.delivery.store.finish_delivery) read any of them again
    operation, first = calls[0]
    assert operation == "BatchGetItem"
    (wanted,) = first["RequestItems"].values()
    assert sorted(key["sk"]["S"] for key in wanted["Keys"]) == sorted(
        [f"UPD#{message.update_id}", "SENDING_PAUSED", f"MAIL#{message.update_id}"]
    )
    singles = [params for operation, params in calls if operation == "GetItem"]
    assert [(read["Key"]["sk"]["S"], read["ConsistentRead"]) for read in singles] == [
        (f"UPD#{message.update_id}", True)
    ]
    assert len(one_shard.outbox()) >= 2


def test_a_fan_out_page_reads_its_marker_and_its_suppressions_in_one_request(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the page was enqueued already (a retried fan-out) and which of its signers are
    suppressed: one BatchGetItem, as the requests leave botocore."""
    # Given a petition of three signers, one of them suppressed, and an update published
    addresses = ["one@example.org", "two@example.org", "three@example.org"]
    petition_id = one_shard.create_petition()
    one_shard.seed_signatures(petition_id, addresses)
    store.suppress(crypto.email_hash(addresses[0]), "bounce")
    calls = requests_sent(monkeypatch)

    # When it is published and its one shard fanned out
    assert one_shard.publish(petition_id, title=TITLE).status == 201
    one_shard.run_queues()

    # Then its page's marker and its three suppression entries were one read, no other
    # request read the marker, and the two others were sent
    def partitions(params: dict[str, Any]) -> list[str]:
        if "Key" in params:
            return [params["Key"]["pk"]["S"].split("#")[0]]
        (table,) = params["RequestItems"].values()
        return sorted(key["pk"]["S"].split("#")[0] for key in table["Keys"])

    reads = [partitions(params) for operation, params in calls if "Get" in operation]
    assert [read for read in reads if "FAN" in read] == [["FAN", "SUP", "SUP", "SUP"]]
    sent = Counter(email["to"][0] for email in one_shard.outbox() if email["subject"] == TITLE)
    assert sent == Counter(addresses[1:])
