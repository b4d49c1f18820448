"""Stopping an update mid-delivery: no email leaves after the stop, whoever was not sent to
is counted spared (sent + failed + skipped + spared = recipients), and every message of it
is consumed, none left to expire on a queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from mobilise.core import clock, config
from mobilise.delivery import store as delivery_store
from tests.integration.harness import Mobilise, event

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
QUEUES = ("PublishQueue", "DeliveryQueue", "PublishDeadLetterQueue", "DeliveryDeadLetterQueue")


def _settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()


def _deliver_some(mobilise: Mobilise, queue: str, function: str, batches: int) -> int:
    """Hand ``batches`` batches of up to ten messages of ``queue`` to ``function`` as its event
    source would, deleting what it handled; how many messages it was given."""
    sqs = boto3.client("sqs")
    url = mobilise.stack.refs[queue]
    template = event("sqs_delivery_batch_with_poison.json")["Records"][0]
    handled = 0
    for _ in range(batches):
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        records = [
            {**template, "messageId": message["MessageId"], "body": message["Body"]}
            for message in received
        ]
        result = mobilise.invoke(function, {"Records": records})
        assert result["batchItemFailures"] == []
        for message in received:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        handled += len(received)
    return handled


def _stop(mobilise: Mobilise, petition_id: str, update_id: str, user: str = "alice") -> Any:
    return mobilise.request("POST", f"/petitions/{petition_id}/updates/{update_id}/stop", user=user)


def test_stopped_mid_delivery_of_3000_signers_no_email_leaves_after_and_all_add_up(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 3,000 signers over two shards, and an update being delivered: one shard fanned
    # out, ten delivery messages of 50 (500 emails) sent
    _settings(monkeypatch, SIGNATURE_SHARDS="2", RECIPIENTS_PER_MESSAGE="50")
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"signer{n}@example.org" for n in range(3000)])
    published = mobilise.publish(petition_id, title="Council votes tonight")
    assert published.status == 201, published.text
    update_id = published.json()["update_id"]
    assert _deliver_some(mobilise, "PublishQueue", "FanoutFunction", 1) == 1  # the split
    sqs = boto3.client("sqs")
    url = mobilise.stack.refs["PublishQueue"]
    shards = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    first = next(m for m in shards if '"shard":0' in m["Body"])
    template = event("sqs_delivery_batch_with_poison.json")["Records"][0]
    mobilise.invoke(
        "FanoutFunction",
        {"Records": [{**template, "messageId": first["MessageId"], "body": first["Body"]}]},
    )
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    sqs.change_message_visibility(
        QueueUrl=url,
        ReceiptHandle=next(m for m in shards if m is not first)["ReceiptHandle"],
        VisibilityTimeout=0,
    )
    assert _deliver_some(mobilise, "DeliveryQueue", "DeliverFunction", 1) == 10
    sent_before = len(mobilise.outbox())
    assert sent_before == 500
    during = mobilise.stats(petition_id, update_id)
    assert (during["state"], during["sent"], during["spared"]) == ("sending", sent_before, 0)

    # When a stranger, then the starter, stops it
    assert _stop(mobilise, petition_id, update_id, user="bob").status == 403
    stopped = _stop(mobilise, petition_id, update_id)
    assert stopped.status == 200, stopped.text
    assert stopped.json()["status"] == "stopped"

    # And the functions go on (past the seconds a warm function trusts an update still runs)
    clock.freeze(T0 + timedelta(seconds=delivery_store.STATUS_CHECK_SECONDS + 1))
    mobilise.run_queues()

    # Then no email left after the stop
    assert len(mobilise.outbox()) == sent_before

    # And the statistics add up: everyone it was for is sent to, failed, skipped or spared
    stats = mobilise.stats(petition_id, update_id)
    assert stats["state"] == "stopped"
    assert stats["recipients"] == 3000
    assert (stats["sent"], stats["failed"], stats["skipped"]) == (sent_before, 0, 0)
    assert stats["spared"] == 3000 - sent_before
    assert stats["sent"] + stats["failed"] + stats["skipped"] + stats["spared"] == 3000
    shown = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert shown["status"] == "stopped"

    # And nothing is left on any queue, or dead-lettered
    assert {queue: mobilise.queue_depth(queue) for queue in QUEUES} == dict.fromkeys(QUEUES, 0)

    # And the window stays used; a stopped update cannot be stopped again
    assert mobilise.publish(petition_id, title="Another").status == 429
    assert _stop(mobilise, petition_id, update_id).status == 409


def test_stopped_before_fan_out_an_update_sends_nothing_and_the_sweeper_leaves_it(
    mobilise: Mobilise,
) -> None:
    # Given a published update whose fan-out has not started
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"signer{n}@example.org" for n in range(30)])
    update_id = mobilise.publish(petition_id).json()["update_id"]

    # When it is stopped, then the queues and, much later, the outbox sweeper run
    assert _stop(mobilise, petition_id, update_id).status == 200
    mobilise.run_queues()
    clock.freeze(T0 + timedelta(hours=1))
    sweep = mobilise.invoke("SweeperFunction", event("scheduled_outbox_sweep.json"))
    mobilise.run_queues()

    # Then nobody got it, all 30 are spared, and the sweeper sent no job again
    assert mobilise.outbox() == []
    assert sweep["resent"] == 0
    stats = mobilise.stats(petition_id, update_id)
    assert (stats["state"], stats["recipients"], stats["spared"], stats["sent"]) == (
        "stopped",
        30,
        30,
        0,
    )
    assert {queue: mobilise.queue_depth(queue) for queue in QUEUES} == dict.fromkeys(QUEUES, 0)


def test_a_sent_update_cannot_be_stopped(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["one@example.org"])
    update_id = mobilise.publish(petition_id).json()["update_id"]
    mobilise.run_queues()
    refused = _stop(mobilise, petition_id, update_id)
    assert refused.status == 409
    assert "sent" in refused.json()["error"]["message"]
    missing = _stop(mobilise, petition_id, "01JD0000000000000000000000")
    assert missing.status == 404


def test_a_stop_while_fan_out_holds_a_short_message_still_adds_up(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one shard read in pages of 120: a page's first 100 recipients are enqueued, its
    # last 20 wait (fan-out fills messages across pages), and its page is not marked yet
    _settings(monkeypatch, SIGNATURE_SHARDS="1", FANOUT_PAGE_SIZE="120")
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"signer{n}@example.org" for n in range(300)])
    update_id = mobilise.publish(petition_id, title="Council votes tonight").json()["update_id"]
    # When the stop lands just after fan-out read its first page
    real = delivery_store.halted
    asked: list[bool] = []

    def halted(petition: str, update: str) -> bool:
        asked.append(True)
        if len(asked) == 2:  # the second page's check: the starter stopped it meanwhile
            assert _stop(mobilise, petition_id, update_id).status == 200
            clock.freeze(T0 + timedelta(seconds=delivery_store.STATUS_CHECK_SECONDS + 1))
        return real(petition, update)

    monkeypatch.setattr(delivery_store, "halted", halted)
    mobilise.run_queues()

    # Then nobody got it, and everyone it was for is counted once: recipients, all spared
    assert mobilise.outbox() == []
    stats = mobilise.stats(petition_id, update_id)
    assert (stats["state"], stats["recipients"], stats["sent"]) == ("stopped", 300, 0)
    assert stats["spared"] == 300
    assert {queue: mobilise.queue_depth(queue) for queue in QUEUES} == dict.fromkeys(QUEUES, 0)


def test_a_stop_mid_message_spares_the_rest_of_that_message(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one delivery message of 40 recipients being sent, three a request (three emails
    # a second for this function)
    from mobilise.delivery import ses

    _settings(monkeypatch, SIGNATURE_SHARDS="1", SES_MAX_SEND_RATE="6", DELIVERY_CONCURRENCY="2")
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"signer{n}@example.org" for n in range(40)])
    update_id = mobilise.publish(petition_id, title="Council votes tonight").json()["update_id"]
    real = ses.send_bulk
    sent: list[str] = []

    # When the starter stops it after its first request, three emails (and the seconds a
    # warm function trusts an update still runs have passed)
    def send(template: Any, data: str, to: list[Any], tags: Any) -> list[Any]:
        sent.extend(each.to for each in to)
        accepted = real(template, data, to, tags)
        assert _stop(mobilise, petition_id, update_id).status == 200
        clock.freeze(T0 + timedelta(seconds=delivery_store.STATUS_CHECK_SECONDS + 1))
        return accepted

    monkeypatch.setattr(ses, "send_bulk", send)
    mobilise.run_queues()

    # Then no email leaves after the stop, and the rest of the message is spared
    assert len(sent) == 3
    assert len(mobilise.outbox()) == 3
    stats = mobilise.stats(petition_id, update_id)
    assert (stats["state"], stats["recipients"], stats["sent"], stats["spared"]) == (
        "stopped",
        40,
        3,
        37,
    )
