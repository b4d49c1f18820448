"""Delivery under the facts of SQS, SES and Lambda: at-least-once, throttled, short of time."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from mobilise.core import aws, clock, crypto
from mobilise.core.batches import BatchFailed
from mobilise.delivery.messages import DeliveryMessage
from mobilise.table.models import Signature
from tests.integration.harness import Mobilise, event
from tests.log_capture import captured_logs


def _addresses(count: int, prefix: str = "signer") -> list[str]:
    return [f"{prefix}{index}@example.org" for index in range(count)]


def _recipients(mobilise: Mobilise, subject: str) -> Counter[str]:
    return Counter(m["to"][0] for m in mobilise.outbox() if m["subject"] == subject)


def _delivery_record(message_id: str, body: str) -> dict[str, object]:
    record = event("sqs_delivery_batch_with_poison.json")["Records"][0]
    return {**record, "messageId": message_id, "body": body}


@pytest.mark.slow  # 3,000 signers
# About 100 s alone; past the suite's 300 s hang guard once beside the browser tests on two
# cores: its own guard is wider (it asserts no time).
@pytest.mark.timeout(900)
def test_fan_out_of_3000_signers_continues_across_invocations_and_reaches_each_once(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 3,000 signers, 2,900 of whom want updates, and a fan-out that reads 100 a page
    from mobilise.core import config

    monkeypatch.setenv("FANOUT_PAGE_SIZE", "100")
    config.get_settings.cache_clear()
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(2_900))
    mobilise.seed_signatures(petition_id, _addresses(100, "silent"), wants_updates=False)

    # When the update is published and every fan-out invocation is nearly out of time
    mobilise.pollers.timeouts["FanoutFunction"] = 0.001
    assert mobilise.publish(petition_id, title="Big news").status == 201
    mobilise.run_queues()

    # Then fan-out checkpointed and went on in new invocations (more than one per shard)
    assert mobilise.pollers.invocations["FanoutFunction"] > 1 + 16
    # And each of the 2,900 got exactly one email, and no one else any
    received = _recipients(mobilise, "Big news")
    assert len(received) == 2_900
    assert set(received.values()) == {1}
    assert not any(address.startswith("silent") for address in received)
    stats = mobilise.request(
        "GET",
        f"/petitions/{petition_id}/updates/{_only_update(mobilise, petition_id)}/stats",
        user="alice",
    ).json()
    assert stats["recipients"] == stats["sent"] == 2_900
    assert stats["state"] == "sent"


def _only_update(mobilise: Mobilise, petition_id: str) -> str:
    updates = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    update_id: str = updates[0]["update_id"]
    return update_id


def test_a_delivery_message_handled_twice_sends_one_email(on_both: Mobilise) -> None:
    # Given an update already delivered to three signers
    mobilise = on_both
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(3))
    mobilise.publish(petition_id, title="Once")
    mobilise.run_queues()
    update_id = _only_update(mobilise, petition_id)
    hashes = [crypto.email_hash(address) for address in _addresses(3)]

    # When the same delivery message comes twice more, and one recipient again in another
    again = DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=hashes)
    mobilise.send("DeliveryQueue", again.to_json())
    mobilise.send("DeliveryQueue", again.to_json())
    alone = dataclasses.replace(again, recipients=hashes[1:2])
    mobilise.send("DeliveryQueue", alone.to_json())
    mobilise.run_queues()

    # Then each signer still has exactly one email
    assert _recipients(mobilise, "Once") == Counter({address: 1 for address in _addresses(3)})


def test_ses_throttling_fails_only_its_record_and_the_retry_sends_once(
    on_both: Mobilise,
) -> None:
    # Given two delivery messages of one update, for two signers
    mobilise = on_both
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["first@example.org", "second@example.org"])
    update_id = _published_without_delivery(mobilise, petition_id, "Throttled")
    records = [
        _delivery_record(
            f"message-{index}",
            DeliveryMessage(
                petition_id=petition_id,
                update_id=update_id,
                recipients=[crypto.email_hash(address)],
            ).to_json(),
        )
        for index, address in enumerate(["first@example.org", "second@example.org"])
    ]

    # When SES accepts the first and throttles the second
    with Stubber(aws.sesv2()) as ses:
        accepted = {"Status": "SUCCESS", "MessageId": "accepted-by-ses"}
        ses.add_response("send_bulk_email", {"BulkEmailEntryResults": [accepted]})
        ses.add_client_error("send_bulk_email", "TooManyRequestsException", http_status_code=429)
        response = mobilise.invoke("DeliverFunction", {"Records": records})
        ses.assert_no_pending_responses()

    # Then only the second record is reported failed
    assert response["batchItemFailures"] == [{"itemIdentifier": "message-1"}]

    # And when both come again (SQS may redeliver the first too), only the second is sent
    retry = mobilise.invoke("DeliverFunction", {"Records": records})
    assert retry["batchItemFailures"] == []
    assert _recipients(mobilise, "Throttled") == Counter({"second@example.org": 1})


def test_a_message_rejected_by_ses_is_counted_and_not_retried(on_both: Mobilise) -> None:
    mobilise = on_both
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["virus@example.org"])
    update_id = _published_without_delivery(mobilise, petition_id, "Rejected")
    body = DeliveryMessage(
        petition_id=petition_id,
        update_id=update_id,
        recipients=[crypto.email_hash("virus@example.org")],
    ).to_json()

    with Stubber(aws.sesv2()) as ses:
        ses.add_client_error("send_bulk_email", "MessageRejected", http_status_code=400)
        response = mobilise.invoke("DeliverFunction", {"Records": [_delivery_record("m", body)]})

    assert response["batchItemFailures"] == []
    again = mobilise.invoke("DeliverFunction", {"Records": [_delivery_record("m2", body)]})
    assert again["batchItemFailures"] == []
    assert _recipients(mobilise, "Rejected") == Counter()
    stats = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
    ).json()
    assert (stats["sent"], stats["failed"]) == (0, 1)


def _published_without_delivery(mobilise: Mobilise, petition_id: str, title: str) -> str:
    """Publish, then drop what the queues hold: the test hands the messages in itself."""
    assert mobilise.publish(petition_id, title=title).status == 201
    sqs = boto3.client("sqs")
    for queue in ("PublishQueue", "DeliveryQueue"):
        sqs.purge_queue(QueueUrl=mobilise.stack.refs[queue])
    return _only_update(mobilise, petition_id)


def test_dynamodb_throttling_during_fan_out_resumes_from_the_checkpoint(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one shard for 250 signers, read 100 a page, each invocation out of time
    from mobilise.core import config

    monkeypatch.setenv("FANOUT_PAGE_SIZE", "100")
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(250))
    mobilise.pollers.timeouts["FanoutFunction"] = 0.001
    mobilise.publish(petition_id, title="Resumed")
    sqs = boto3.client("sqs")
    publish_queue = mobilise.stack.refs["PublishQueue"]

    def fan_out_once() -> None:
        (message,) = sqs.receive_message(QueueUrl=publish_queue, VisibilityTimeout=0)["Messages"]
        record = _delivery_record(message["MessageId"], message["Body"])
        result = mobilise.invoke("FanoutFunction", {"Records": [record]}, 0.001)
        assert result["batchItemFailures"] == []
        sqs.delete_message(QueueUrl=publish_queue, ReceiptHandle=message["ReceiptHandle"])

    fan_out_once()  # the job: split into one shard message
    fan_out_once()  # the shard: first page, then a checkpoint

    # When DynamoDB throttles the read of the next page
    client = Signature._get_connection().connection.client
    with Stubber(client) as dynamodb:
        dynamodb.add_client_error(
            "query", "ProvisionedThroughputExceededException", http_status_code=400
        )
        # Then its only record fails, so the whole batch is refused (BatchFailed) and stays
        with pytest.raises(BatchFailed):
            fan_out_once()
        dynamodb.assert_no_pending_responses()

    # And its retry goes on from the checkpoint to the end
    mobilise.run_queues(visibility_timeout=0)
    received = _recipients(mobilise, "Resumed")
    assert len(received) == 250
    assert set(received.values()) == {1}


def test_a_poison_message_reaches_the_dead_letter_queue_after_five_receives(
    mobilise: Mobilise,
) -> None:
    mobilise.send("DeliveryQueue", '{"kind": "update", "recipients": "not a list"')

    mobilise.run_queues(visibility_timeout=0)

    assert mobilise.queue_depth("DeliveryQueue") == 0
    assert mobilise.queue_depth("DeliveryDeadLetterQueue") == 1
    assert mobilise.pollers.invocations["DeliverFunction"] == 5
    (dead,) = boto3.client("sqs").receive_message(
        QueueUrl=mobilise.stack.refs["DeliveryDeadLetterQueue"]
    )["Messages"]
    assert dead["Body"] == '{"kind": "update", "recipients": "not a list"'


def test_the_sweeper_delivers_an_update_whose_job_never_reached_the_queue(
    mobilise: Mobilise,
) -> None:
    # Given signers, and SQS unavailable at the moment the publish commits
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, _addresses(5))
    with Stubber(aws.sqs()) as sqs:
        sqs.add_client_error("send_message_batch", "ServiceUnavailable", http_status_code=503)
        published = mobilise.publish(petition_id, title="Swept")
        sqs.assert_no_pending_responses()
    assert published.status == 201
    mobilise.run_queues()
    assert _recipients(mobilise, "Swept") == Counter()

    # When the sweeper runs before 5 minutes, then after
    assert mobilise.invoke("SweeperFunction", event("scheduled_outbox_sweep.json")) == {
        "resent": 0,
        "expiring": 0,
    }
    clock.advance(timedelta(minutes=5).total_seconds())
    assert mobilise.invoke("SweeperFunction", event("scheduled_outbox_sweep.json")) == {
        "resent": 1,
        "expiring": 0,
    }
    mobilise.run_queues()

    # Then every signer gets the update once, and later sweeps send nothing more
    clock.advance(timedelta(minutes=30).total_seconds())
    assert mobilise.invoke("SweeperFunction", event("scheduled_outbox_sweep.json")) == {
        "resent": 0,
        "expiring": 0,
    }
    mobilise.run_queues()
    assert _recipients(mobilise, "Swept") == Counter({a: 1 for a in _addresses(5)})


def test_ses_events_suppress_bounces_and_complaints_everywhere_and_unsubscribe(
    mobilise: Mobilise,
) -> None:
    # Given five signers who received an update
    addresses = [
        "gone@example.org",
        "full@example.org",
        "angry@example.org",
        "leaving@example.org",
        "happy@example.org",
    ]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    mobilise.publish(petition_id, title="First")
    mobilise.run_queues()
    update_id = _only_update(mobilise, petition_id)
    assert len(_recipients(mobilise, "First")) == 5

    # When SES reports a permanent bounce, a transient bounce, a complaint, an unsubscribe
    for name in (
        "sns_ses_bounce_permanent.json",
        "sns_ses_bounce_transient.json",
        "sns_ses_complaint.json",
        "sns_ses_subscription.json",
    ):
        envelope = event(name, petition_id=petition_id, update_id=update_id)
        mobilise.send("SesEventsQueue", json.dumps(envelope))
    mobilise.run_queues()

    # Then the permanent bounce and the complaint are suppressed, the rest are not
    suppressed = {
        item["pk"].removeprefix("SUP#")
        for item in mobilise.items()
        if str(item["pk"]).startswith("SUP#")
    }
    assert suppressed == {
        crypto.email_hash("gone@example.org"),
        crypto.email_hash("angry@example.org"),
    }
    stats = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
    ).json()
    assert (stats["bounced"], stats["complained"], stats["unsubscribed"]) == (1, 1, 1)

    # And the next update skips exactly those three
    clock.advance(timedelta(hours=24).total_seconds())
    mobilise.publish(petition_id, title="Second")
    mobilise.run_queues()
    assert set(_recipients(mobilise, "Second")) == {"full@example.org", "happy@example.org"}

    # And the suppressions hold on every petition
    other = mobilise.create_petition(owner="bob", title="Another petition")
    mobilise.seed_signatures(other, ["gone@example.org", "angry@example.org", "new@example.org"])
    mobilise.publish(other, owner="bob", title="Elsewhere")
    mobilise.run_queues()
    assert set(_recipients(mobilise, "Elsewhere")) == {"new@example.org"}


def test_an_email_ses_could_not_render_counts_failed_and_is_logged(mobilise: Mobilise) -> None:
    # Given a signer who was sent an update
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["unrendered@example.org"])
    mobilise.publish(petition_id, title="Unrendered")
    mobilise.run_queues()
    update_id = _only_update(mobilise, petition_id)

    # When SES reports that it could not render their email
    envelope = event("sns_ses_rendering_failure.json", petition_id=petition_id, update_id=update_id)
    with captured_logs() as logs:
        mobilise.send("SesEventsQueue", json.dumps(envelope))
        mobilise.run_queues()

    # Then the update counts it failed, and the operators' log says so without the address
    stats = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
    ).json()
    assert (stats["sent"], stats["failed"]) == (1, 1)
    (line,) = [
        json.loads(line)
        for line in logs.getvalue().splitlines()
        if '"email not rendered by SES"' in line
    ]
    assert (line["petition_id"], line["update_id"]) == (petition_id, update_id)
    assert "unrendered@example.org" not in logs.getvalue()


def test_a_signer_suppressed_after_the_fan_out_is_skipped_at_send_time(
    mobilise: Mobilise,
) -> None:
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["late@example.org", "fine@example.org"])
    mobilise.publish(petition_id, title="Late")
    # fan-out only: run the publish queue, leave the delivery queue for later
    sqs = boto3.client("sqs")
    while messages := sqs.receive_message(
        QueueUrl=mobilise.stack.refs["PublishQueue"], MaxNumberOfMessages=1
    ).get("Messages"):
        (message,) = messages
        record = _delivery_record(message["MessageId"], message["Body"])
        mobilise.invoke("FanoutFunction", {"Records": [record]})
        sqs.delete_message(
            QueueUrl=mobilise.stack.refs["PublishQueue"], ReceiptHandle=message["ReceiptHandle"]
        )

    from mobilise.delivery import store as delivery_store

    delivery_store.suppress(crypto.email_hash("late@example.org"), "complaint")
    mobilise.run_queues()

    assert set(_recipients(mobilise, "Late")) == {"fine@example.org"}
