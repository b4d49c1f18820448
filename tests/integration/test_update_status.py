"""An update's status and its delivery statistics tell one story, during delivery and after."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from mobilise.core import config, crypto
from mobilise.delivery import records
from mobilise.delivery import store as delivery_store
from mobilise.delivery.messages import DeliveryMessage
from tests.integration.harness import Mobilise, event


def _settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()


def _addresses(count: int) -> list[str]:
    return [f"signer{index}@example.org" for index in range(count)]


def _seen(mobilise: Mobilise, petition_id: str, update_id: str) -> tuple[dict[str, Any], ...]:
    """What the starter sees over HTTP: the update, the list's entry, the statistics."""
    base = f"/petitions/{petition_id}/updates"
    update = mobilise.request("GET", f"{base}/{update_id}", user="alice")
    listed = mobilise.request("GET", base, user="alice")
    stats = mobilise.request("GET", f"{base}/{update_id}/stats", user="alice")
    assert (update.status, listed.status, stats.status) == (200, 200, 200)
    (entry,) = [u for u in listed.json()["updates"] if u["update_id"] == update_id]
    return update.json(), entry, stats.json()


def _record(message_id: str, body: str) -> dict[str, object]:
    """An SQS record of a Lambda event for this message (the fixture's attributes)."""
    record = event("sqs_delivery_batch_with_poison.json")["Records"][0]
    return {**record, "messageId": message_id, "body": body}


def _run_one(mobilise: Mobilise, queue: str, function: str) -> bool:
    """Hand one message of ``queue`` to ``function``, as its event source would; False if none."""
    sqs = boto3.client("sqs")
    url = mobilise.stack.refs[queue]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
    if not messages:
        return False
    (message,) = messages
    result = mobilise.invoke(
        function, {"Records": [_record(message["MessageId"], message["Body"])]}
    )
    assert result["batchItemFailures"] == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return True


def _publish(mobilise: Mobilise, petition_id: str) -> str:
    published = mobilise.publish(petition_id, title="One story")
    assert published.status == 201, published.text
    update_id: str = published.json()["update_id"]
    return update_id


def test_the_status_follows_the_delivery_and_agrees_with_the_statistics(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given five signers in one shard, two recipients a delivery message
    mobilise = on_both
    _settings(monkeypatch, SIGNATURE_SHARDS="1", RECIPIENTS_PER_MESSAGE="2")
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(5))

    # When the starter publishes: published, and the delivery queued
    update_id = _publish(mobilise, petition_id)
    update, entry, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], entry["status"], stats["state"]) == (
        "published",
        "published",
        "queued",
    )

    # When fan-out has run and one delivery message of three is done: sending, on both sides
    while _run_one(mobilise, "PublishQueue", "FanoutFunction"):
        pass
    assert _run_one(mobilise, "DeliveryQueue", "DeliverFunction")
    update, entry, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], entry["status"], stats["state"]) == ("sending", "sending", "sending")
    assert (update["recipients"], stats["recipients"], stats["sent"]) == (5, 5, 2)

    # When the last two are done: sent, on both sides, with every recipient counted
    mobilise.run_queues()
    update, entry, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], entry["status"], stats["state"]) == ("sent", "sent", "sent")
    assert (stats["recipients"], stats["sent"], stats["failed"]) == (5, 5, 0)
    assert len(mobilise.outbox()) == 5


def test_an_update_is_sent_when_fan_out_ends_after_its_last_delivery(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two shards, one of them without any signer, and three signers in the other
    _settings(monkeypatch, SIGNATURE_SHARDS="2")
    petition_id = mobilise.create_petition()
    addresses = [a for a in _addresses(40) if int(crypto.email_hash(a)[:8], 16) % 2 == 0][:3]
    mobilise.seed_signatures(petition_id, addresses)
    update_id = _publish(mobilise, petition_id)

    # When the job is split, the full shard fanned out and delivered, the empty one not yet
    sqs = boto3.client("sqs")
    url = mobilise.stack.refs["PublishQueue"]
    assert _run_one(mobilise, "PublishQueue", "FanoutFunction")  # the split into two shards
    shards = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    full = next(m for m in shards["Messages"] if '"shard":0' in m["Body"])
    mobilise.invoke("FanoutFunction", {"Records": [_record(full["MessageId"], full["Body"])]})
    sqs.delete_message(QueueUrl=url, ReceiptHandle=full["ReceiptHandle"])
    while _run_one(mobilise, "DeliveryQueue", "DeliverFunction"):
        pass

    # Then every email is sent, but the update is still sending: fan-out has not ended
    _, _, stats = _seen(mobilise, petition_id, update_id)
    assert (stats["state"], stats["recipients"], stats["sent"]) == ("sending", 3, 3)

    # And when the empty shard is read, it is sent
    mobilise.run_queues()
    update, _, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], stats["state"], stats["sent"]) == ("sent", "sent", 3)


def test_the_last_writers_racing_end_the_delivery_once(on_both: Mobilise) -> None:
    # Given an update fanned out in two shards but for the end of the last one, and its two
    # delivery messages sent but not yet counted
    mobilise = on_both
    petition_id = mobilise.create_petition()
    update_id = _publish(mobilise, petition_id)
    delivery_store.start_fanout(petition_id, update_id)
    hashes = [crypto.email_hash(address) for address in _addresses(4)]
    first, second = (
        DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=part)
        for part in (hashes[:2], hashes[2:])
    )
    delivery_store.mark_page_done(petition_id, update_id, 0, None, 4)
    shards = config.get_settings().signature_shards
    for shard in range(shards - 1):
        assert not delivery_store.finish_shard(petition_id, update_id, shard)
    finished: list[bool] = []
    barrier = threading.Barrier(3)

    def settle(message: DeliveryMessage) -> None:
        held = records.claim(petition_id, update_id, 0, message.recipients)
        assert held is not None
        barrier.wait()
        sent = {records.key(email_hash): "sent" for email_hash in message.recipients}
        records.settle(held, sent, {"sent": 2})
        finished.append(delivery_store.finish_delivery(petition_id, update_id))

    def end_fan_out() -> None:
        barrier.wait()
        assert delivery_store.finish_shard(petition_id, update_id, shards - 1)
        finished.append(delivery_store.finish_delivery(petition_id, update_id))

    # When the last shard's end and both counts are written at once
    threads = [
        threading.Thread(target=settle, args=(first,)),
        threading.Thread(target=settle, args=(second,)),
        threading.Thread(target=end_fan_out),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one of them ended the delivery, and the starter sees it sent
    assert sorted(finished) == [False, False, True]
    update, _, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], stats["state"], stats["recipients"], stats["sent"]) == (
        "sent",
        "sent",
        4,
        4,
    )


def test_a_correction_is_taken_while_the_update_is_sending_and_once_it_is_sent(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update whose delivery is under way (one message of three done)
    _settings(monkeypatch, SIGNATURE_SHARDS="1", RECIPIENTS_PER_MESSAGE="2")
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(5))
    update_id = _publish(mobilise, petition_id)
    while _run_one(mobilise, "PublishQueue", "FanoutFunction"):
        pass
    assert _run_one(mobilise, "DeliveryQueue", "DeliverFunction")
    path = f"/petitions/{petition_id}/updates/{update_id}"

    # When its starter corrects its title while it is sending, then once it is sent
    during = mobilise.request("PATCH", path, {"title": "One story, fixed"}, user="alice")
    mobilise.run_queues()
    after = mobilise.request("PATCH", path, {"title": "One story, fixed twice"}, user="alice")

    # Then both corrections are taken (the status moving on is not a change of the update)
    assert (during.status, after.status) == (200, 200), (during.text, after.text)
    update, _, stats = _seen(mobilise, petition_id, update_id)
    assert (update["title"], update["status"]) == ("One story, fixed twice", "sent")
    assert stats["sent"] == 5
