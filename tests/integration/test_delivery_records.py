"""One record per delivery message, not per recipient: what it costs, what it survives, and
the one window it leaves (mobilise.delivery.records)."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from mobilise_bench.counting import RequestCounter

from mobilise.core import clock, config, crypto
from mobilise.delivery import pacing, records, sending, ses
from mobilise.delivery.messages import DeliveryMessage
from tests.integration.harness import Mobilise, at_once
from tests.integration.ses_faults import ses_refusing_after
from tests.integration.write_units import stored_size


def _one_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    """All signers in one shard: one delivery message of 50, as a petition's busiest are."""
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()


@pytest.fixture
def one_shard(on_both: Mobilise, monkeypatch: pytest.MonkeyPatch) -> Mobilise:
    """On moto, then on DynamoDB Local, with every signer in one shard."""
    _one_shard(monkeypatch)
    return on_both


def _fanned_out(mobilise: Mobilise, addresses: list[str]) -> tuple[str, str, DeliveryMessage]:
    """A published update whose one delivery message the test hands in itself."""
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    published = mobilise.publish(petition_id, title="Recorded")
    assert published.status == 201, published.text
    update_id: str = published.json()["update_id"]
    sqs = boto3.client("sqs")
    for queue in ("PublishQueue", "DeliveryQueue"):
        sqs.purge_queue(QueueUrl=mobilise.stack.refs[queue])
    hashes = sorted(crypto.email_hash(address) for address in addresses)
    message = DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=hashes)
    return petition_id, update_id, message


def _received(mobilise: Mobilise) -> Counter[str]:
    return Counter(m["to"][0] for m in mobilise.outbox() if m["subject"] == "Recorded")


def _stats(mobilise: Mobilise, petition_id: str, update_id: str) -> dict[str, Any]:
    path = f"/petitions/{petition_id}/updates/{update_id}/stats"
    stats: dict[str, Any] = mobilise.request("GET", path, user="alice").json()
    return stats


def _record_items(mobilise: Mobilise, update_id: str) -> list[dict[str, Any]]:
    return [item for item in mobilise.items() if item["pk"] == f"DLV#{update_id}"]


def test_a_message_of_50_costs_one_write_and_one_transaction_not_two_writes_an_email(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update for 50 signers, in one delivery message (the records' bookkeeping alone:
    # the daily cap's window writes are tests/integration/test_digests.py's)
    monkeypatch.setenv("SIGNER_DAILY_CAP", "false")
    _one_shard(monkeypatch)
    addresses = [f"signer{index}@example.org" for index in range(50)]
    petition_id, update_id, message = _fanned_out(mobilise, addresses)

    # When the deliver function sends it, its requests counted
    with RequestCounter() as counter, counter.acting("DeliverFunction"):
        sending.deliver(message)

    # Then 50 emails left, and the bookkeeping wrote one record update and one transaction of
    # two items (the record, the update's counters item): 5 write units
    assert len(_received(mobilise)) == 50
    writes = {
        operation: tally.requests
        for (service, operation), tally in counter.counts.by_operation().items()
        if service == "dynamodb" and tally.write_units
    }
    assert writes == {"UpdateItem": 1, "TransactWriteItems": 1}
    assert counter.counts.total("dynamodb").write_units == 5
    # And its one record is under 1 KB (one write unit a write), with no whole email hash
    (record,) = _record_items(mobilise, update_id)
    assert stored_size(record) < 1024
    for email_hash in message.recipients:
        assert email_hash not in str(record)
    assert _stats(mobilise, petition_id, update_id)["sent"] == 50


def test_one_message_handled_by_two_invocations_at_once_sends_each_email_once(
    one_shard: Mobilise,
) -> None:
    # Given an update's delivery message of 20 signers
    mobilise = one_shard
    addresses = [f"signer{index}@example.org" for index in range(20)]
    petition_id, update_id, message = _fanned_out(mobilise, addresses)

    # When two invocations handle it at the same moment (SQS delivers at least once)
    def handle(_: int) -> str:
        try:
            sending.deliver(message)
        except records.RecordBusy:
            return "busy"  # its SQS record fails, and is retried later
        return "done"

    outcomes = at_once(2, handle)

    # Then each signer got one email, counted once, whichever invocation sent it
    assert _received(mobilise) == Counter(dict.fromkeys(addresses, 1))
    assert sorted(outcomes) in (["busy", "done"], ["done", "done"])
    stats = _stats(mobilise, petition_id, update_id)
    assert (stats["sent"], stats["failed"]) == (20, 0)


class _Died(BaseException):
    """The function's process ends (out of memory, its host lost): nothing after runs."""


@contextmanager
def _dying_after(requests: int) -> Iterator[None]:
    """SES accepts ``requests`` requests, then the process dies."""
    original = ses.send_bulk
    accepted = 0

    def send(*args: Any) -> list[ses.Accepted]:
        nonlocal accepted
        if accepted == requests:
            raise _Died
        accepted += 1
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ses, "send_bulk", send)
        yield


def test_a_crash_after_sending_is_the_one_window_and_its_emails_are_counted_once(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update's delivery message of three signers, sent two a request (at two a second)
    mobilise = one_shard
    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    petition_id, update_id, message = _fanned_out(mobilise, addresses)
    ordered = [a for h in message.recipients for a in addresses if crypto.email_hash(a) == h]
    _paced(monkeypatch, 2.0)

    # When the function dies after SES accepted its first request, two of its emails
    with _dying_after(1), pytest.raises(_Died):
        sending.deliver(message)
    assert _received(mobilise) == Counter(ordered[:2])

    # Then a retry while its lease runs is refused (its SQS record is tried again later)
    with pytest.raises(records.RecordBusy):
        sending.deliver(message)
    # And once the lease has run out, the retry sends all three: the two sent before the
    # crash a second time (the documented window), counted once each
    clock.advance(records.LEASE_SECONDS + 1)
    sending.deliver(message)
    assert _received(mobilise) == Counter({ordered[0]: 2, ordered[1]: 2, ordered[2]: 1})
    assert _stats(mobilise, petition_id, update_id)["sent"] == 3


def test_a_signer_enqueued_again_in_another_message_is_skipped_and_counted_once(
    one_shard: Mobilise,
) -> None:
    # Given three signers of one shard, sent to by fan-out's one message
    mobilise = one_shard
    addresses = ["first@example.org", "second@example.org", "third@example.org"]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    assert mobilise.publish(petition_id, title="Recorded").status == 201
    mobilise.run_queues()
    updates = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    update_id = updates[0]["update_id"]
    assert len(_record_items(mobilise, update_id)) == 1

    # When another message names the one in the middle of them, twice
    middle = sorted(crypto.email_hash(address) for address in addresses)[1]
    again = DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=[middle])
    sending.deliver(again)
    sending.deliver(again)

    # Then no one got a second email; the message has its record, and counts its signer once,
    # as skipped (sent by the other)
    assert _received(mobilise) == Counter(dict.fromkeys(addresses, 1))
    assert len(_record_items(mobilise, update_id)) == 2
    (counts,) = [item for item in mobilise.items() if item["sk"] == f"DCT#{update_id}"]
    assert (counts["sent"], counts["skipped"], counts["settled"]) == (3, 1, 4)


@contextmanager
def _interleaved(order: str, of: Callable[[], str]) -> Iterator[None]:
    """Two invocations' claims and reads of the other records, in ``order``: ``together``
    (both claim, then both read), or ``smaller first`` / ``larger first`` (one claims and
    reads, then the other does while the first still holds its lease). ``of`` names the
    calling invocation's message, ``smaller`` or ``larger`` (by record name)."""
    claim, overlapping = records.claim, records._overlapping
    both_claimed = threading.Barrier(2)
    read = {"smaller": threading.Event(), "larger": threading.Event()}
    first = order.split()[0]
    second = "larger" if first == "smaller" else "smaller"

    def claiming(*args: Any) -> records.Claim | None:
        if order != "together" and of() == second:
            read[first].wait()
        return claim(*args)

    def reading(*args: Any) -> Any:
        if order == "together":
            both_claimed.wait()
            return overlapping(*args)
        try:
            return overlapping(*args)
        finally:
            read[of()].set()
            if of() == first:
                read[second].wait()  # its lease stays live until the other has read

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "claim", claiming)
        patch.setattr(records, "_overlapping", reading)
        yield


@pytest.mark.parametrize("order", ["together", "smaller first", "larger first"])
def test_two_messages_naming_one_signer_at_the_same_moment_send_to_it_once(
    one_shard: Mobilise, order: str
) -> None:
    # Given three signers of one shard, and two delivery messages that both name the middle
    # one in hash order (fan-out read a page twice while signers joined): [low, middle] and
    # [middle, high]
    mobilise = one_shard
    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    petition_id, update_id, message = _fanned_out(mobilise, addresses)
    low, middle, high = message.recipients
    messages = {
        "smaller": dataclasses.replace(message, recipients=[low, middle]),
        "larger": dataclasses.replace(message, recipients=[middle, high]),
    }
    names = ["smaller", "larger"]
    local = threading.local()

    # When two invocations handle them at the same moment, in each order of their claims and
    # reads, and SQS hands in again any message whose record was busy
    def handle(index: int) -> str:
        local.name = names[index]
        try:
            sending.deliver(messages[names[index]])
        except records.RecordBusy:
            return "busy"
        return "done"

    with _interleaved(order, lambda: str(local.name)):
        outcomes = at_once(2, handle)
    for name, outcome in zip(names, outcomes, strict=True):
        if outcome == "busy":
            sending.deliver(messages[name])

    # Then each signer got one email, and the middle one is counted once sent, once skipped
    assert _received(mobilise) == Counter(dict.fromkeys(addresses, 1))
    (counts,) = [item for item in mobilise.items() if item["sk"] == f"DCT#{update_id}"]
    assert (counts["sent"], counts["skipped"], counts["settled"]) == (3, 1, 4)
    assert _stats(mobilise, petition_id, update_id)["sent"] == 3


def test_fan_out_fills_each_message_across_pages_so_a_shard_has_one_short_message(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one shard of 30 signers, 20 of whom want updates, read 10 a page (so a page holds
    # fewer recipients than it read), in messages of 4
    _one_shard(monkeypatch)
    monkeypatch.setenv("FANOUT_PAGE_SIZE", "10")
    monkeypatch.setenv("RECIPIENTS_PER_MESSAGE", "4")
    config.get_settings.cache_clear()
    wanting = [f"signer{index}@example.org" for index in range(20)]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, wanting)
    mobilise.seed_signatures(
        petition_id, [f"silent{index}@example.org" for index in range(10)], wants_updates=False
    )

    # When the update is published and delivered
    assert mobilise.publish(petition_id, title="Recorded").status == 201
    mobilise.run_queues()

    # Then its recipients went out in 5 full messages (one record each, 5 write units each),
    # not in one short message per page, and each got one email
    updates = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    update_id = updates[0]["update_id"]
    assert [item["recipients"] for item in _record_items(mobilise, update_id)] == [4] * 5
    assert _received(mobilise) == Counter(dict.fromkeys(wanting, 1))
    stats = _stats(mobilise, petition_id, update_id)
    assert stats["recipients"] == stats["sent"] == 20


def test_a_recipient_sent_before_its_page_was_read_again_without_it_is_not_sent_again(
    one_shard: Mobilise,
) -> None:
    # Given four signers in one message; SES throttles it after its first three emails, so
    # its record holds them sent and its SQS record is retried
    mobilise = one_shard
    addresses = [f"signer{index}@example.org" for index in range(4)]
    *_, message = _fanned_out(mobilise, addresses)
    by_hash = {crypto.email_hash(address): address for address in addresses}
    with ses_refusing_after(3, "ACCOUNT_THROTTLED"), pytest.raises(ses.SesUnavailable):
        sending.deliver(message)

    # When the page is read again without the third (the same record: its last is the same)
    # and that reading is sent, and then a message names the third on its own
    gone = message.recipients[2]
    again = [email_hash for email_hash in message.recipients if email_hash != gone]
    sending.deliver(dataclasses.replace(message, recipients=again))
    sending.deliver(dataclasses.replace(message, recipients=[gone]))

    # Then the third got one email, as did each of the others
    assert _received(mobilise) == Counter(dict.fromkeys(by_hash.values(), 1))


def _paced(monkeypatch: pytest.MonkeyPatch, rate: float) -> list[float]:
    """Delivery paced at ``rate`` emails a second, on a clock of its own (its time, read and
    moved by each wait: ``[seconds]``) rather than waiting."""
    now = [0.0]
    pace = pacing.Pacer(
        rate, monotonic=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    monkeypatch.setattr(sending, "pacer", functools.cache(lambda: pace))
    return now


def test_a_message_goes_in_requests_of_a_second_s_worth_at_this_function_s_pace(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a message of 50 at 12.5 emails a second (a quota of 50 shared by four functions)
    mobilise = one_shard
    addresses = [f"signer{index:02}@example.org" for index in range(50)]
    *_, message = _fanned_out(mobilise, addresses)
    now = _paced(monkeypatch, 12.5)
    requests: list[tuple[float, int]] = []
    send_bulk = ses.send_bulk

    def sending_it(template: Any, default: str, to: Any, tags: Any) -> list[ses.Accepted]:
        requests.append((round(now[0], 2), len(to)))
        return send_bulk(template, default, to, tags)

    monkeypatch.setattr(ses, "send_bulk", sending_it)

    # When it is delivered
    sending.deliver(message)

    # Then each is sent once, twelve a request, each request as long after the one before
    # as its emails take at that pace
    assert _received(mobilise) == Counter({address: 1 for address in addresses})
    assert requests == [(0.0, 12), (0.96, 12), (1.92, 12), (2.88, 12), (3.84, 2)]


def test_a_message_with_no_one_left_to_send_to_settles_without_asking_ses_its_rate(
    one_shard: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a message whose only recipient's signature is gone, and SES's GetAccount failing
    # (the pacer asks it the account's rate on a cold start, SesMaxSendRate unset)
    mobilise = one_shard
    petition_id, update_id, message = _fanned_out(mobilise, ["signer@example.org"])
    gone = dataclasses.replace(message, recipients=[crypto.email_hash("gone@example.org")])

    def unavailable() -> pacing.Pacer:
        raise ConnectionError("SES GetAccount unreachable")

    monkeypatch.setattr(sending, "pacer", functools.cache(unavailable))

    # When it is delivered, then it is settled (skipped), with no need of the rate
    sending.deliver(gone)
    assert (
        records.claim(petition_id, update_id, *records.by_shard(gone.recipients).popitem()) is None
    )
