"""The circuit breaker of an update's delivery: complaints (or bounces) past their rate, once
enough emails went out, pause the rest of it; nothing is lost while it is paused; an operator
resumes it (the rest is sent, nothing twice) or cancels it (nothing more is sent). The
operators' alarm and the starter's email go out once, whoever else saw the rates passed."""

from __future__ import annotations

import importlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from mobilise.core import clock, config
from mobilise.delivery import alarms, breaker, parking, pausing
from mobilise.delivery.messages import DeliveryMessage
from mobilise.table.pauses import AccountPause
from mobilise_local import ses_feedback
from mobilise_local.pollers import sqs_record
from mobilise_local.template import ROOT
from tests.integration.harness import Mobilise, at_once, running_on_moto
from tests.integration.test_moderation import _told as told

STARTER = "alice@example.test"  # the harness's authorizer gives alice this verified address
SIGNERS = [f"signer{n}@example.org" for n in range(120)]  # three delivery messages: 50, 50, 20


@pytest.fixture(params=["moto", "dynamodb-local"])
def system(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    """Mobilise on moto, then with its table in DynamoDB Local: delivery messages of 50
    recipients in one shard; the breaker judges from 50 emails sent, and 2 % of complaints
    is the most it lets pass."""
    endpoint = None
    if request.param == "dynamodb-local":
        endpoint = request.getfixturevalue("dynamodb_local").endpoint
    with running_on_moto(dynamodb_endpoint=endpoint) as mobilise:
        monkeypatch.setenv("SIGNATURE_SHARDS", "1")
        monkeypatch.setenv("RECIPIENTS_PER_MESSAGE", "50")
        monkeypatch.setenv("BREAKER_MIN_SENT", "50")
        monkeypatch.setenv("BREAKER_COMPLAINT_RATE", "0.02")
        config.get_settings.cache_clear()
        pausing.reset()
        alarms.reset()
        yield mobilise
        pausing.reset()
        alarms.reset()


def handle(mobilise: Mobilise, queue: str, function: str, most: int = 10) -> list[str]:
    """Hand up to ``most`` messages of ``queue`` to ``function``, as its event source maps
    them (:func:`mobilise_local.pollers.sqs_record`), and delete them once handled (none may
    fail); their bodies."""
    sqs = boto3.client("sqs")
    url = mobilise.queue_url(queue)
    taken: list[dict[str, Any]] = sqs.receive_message(  # type: ignore[assignment]
        QueueUrl=url, MaxNumberOfMessages=most, MessageSystemAttributeNames=["All"]
    ).get("Messages", [])
    if taken:
        batch = {"Records": [sqs_record(message, mobilise.queue_arn(queue)) for message in taken]}
        assert mobilise.invoke(function, batch)["batchItemFailures"] == []
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in taken],
        )
    return [message["Body"] for message in taken]


def alarmed(mobilise: Mobilise) -> list[dict[str, Any]]:
    """What was published on the operators' AlarmTopic (read from a queue subscribed to it)."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="operators")["QueueUrl"]
    found = []
    while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in received:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def subscribe_operators(mobilise: Mobilise) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="operators")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    boto3.client("sns").subscribe(
        TopicArn=mobilise.stack.refs["AlarmTopic"],
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )


def complain(
    mobilise: Mobilise, address: str, petition_id: str, update_id: str, kind: str = "complaint"
) -> None:
    """A complaint (or a bounce) as SES publishes it: through SNS to the SES events queue,
    then handled."""
    found = {"type": kind, "email": address, "petition_id": petition_id}
    ses_event = ses_feedback.event({**found, "update_id": update_id}, clock.now())
    ses_feedback.publish(mobilise.stack.refs["SesEventsTopic"], ses_event)
    assert len(handle(mobilise, "SesEventsQueue", "SesEventsFunction")) == 1


def sending_update(mobilise: Mobilise, *, deliver_first: bool = True) -> tuple[str, str]:
    """An update of a petition of 120 signers, fanned out (three delivery messages on the
    queue), the first message of 50 sent unless asked otherwise."""
    subscribe_operators(mobilise)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS)
    published = mobilise.publish(petition_id, title="Council votes tonight")
    assert published.status == 201, published.text
    update_id: str = published.json()["update_id"]
    while handle(mobilise, "PublishQueue", "FanoutFunction"):
        pass
    assert mobilise.queue_depth("DeliveryQueue") == 3
    if deliver_first:
        assert len(handle(mobilise, "DeliveryQueue", "DeliverFunction", most=1)) == 1
    return petition_id, update_id


def sent_to(mobilise: Mobilise) -> Counter[str]:
    """How many emails each signer received."""
    return Counter(to for sent in mobilise.outbox() for to in sent["to"] if to != STARTER)


def shown(mobilise: Mobilise, petition_id: str, update_id: str) -> dict[str, Any]:
    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}")
    assert reply.status == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def operators(mobilise: Mobilise, action: str, **ids: str) -> dict[str, Any]:
    answer: dict[str, Any] = mobilise.invoke("ModerationFunction", {"action": action, **ids})
    return answer


def test_complaints_through_the_ses_events_queue_pause_an_update_once_past_the_threshold(
    system: Mobilise,
) -> None:
    # Given an update being sent, 50 of its 120 emails sent
    petition_id, update_id = sending_update(system)
    first = [to for to, count in sent_to(system).items() if count]
    assert len(first) == 50

    # When one recipient complains (1 of 50: 2 %, not past the rate)
    complain(system, first[0], petition_id, update_id)

    # Then the update is still being sent, and nobody was alerted
    assert system.stats(petition_id, update_id)["state"] == "sending"
    assert alarmed(system) == []
    assert told(system) == []

    # When a second one complains (2 of 50: past 2 %)
    complain(system, first[1], petition_id, update_id)

    # Then its delivery is paused, and its statistics and its page say so and why
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["complained"]) == ("paused", 50, 2)
    page = shown(system, petition_id, update_id)
    assert (page["status"], page["paused_reason"]) == ("paused", "complaints")
    # and the operators were alerted once, naming the update and why
    (alarm,) = alarmed(system)
    assert alarm == {
        "event": "update paused",
        "petition_id": petition_id,
        "update_id": update_id,
        "reason": "complaints",
        "sent": 50,
        "bounced": 0,
        "complained": 2,
    }
    # and the starter was told once, in the petition's language, that nothing is lost
    (raw,) = told(system)
    assert b"Subject: Your update is paused: Council votes tonight\r\n" in raw
    assert b"2 people who received it reported it as spam" in raw.replace(b"=\r\n", b"")
    assert b"none is lost" in raw.replace(b"=\r\n", b"")
    # and the operators' list holds it
    listed = operators(system, "paused")
    assert listed["account"] is None
    assert [(u["update_id"], u["reason"]) for u in listed["updates"]] == [(update_id, "complaints")]


def test_permanent_bounces_past_their_rate_pause_an_update_saying_so(system: Mobilise) -> None:
    # Given an update being sent, 50 of its 120 emails sent
    petition_id, update_id = sending_update(system)
    first = list(sent_to(system))

    # When two of its addresses bounce for good (4 %, not past 5 %), then a third (6 %)
    complain(system, first[0], petition_id, update_id, "bounce")
    complain(system, first[1], petition_id, update_id, "bounce")
    assert shown(system, petition_id, update_id)["status"] == "sending"
    complain(system, first[2], petition_id, update_id, "bounce")

    # Then it is paused for its bounces, and the starter is told so
    page = shown(system, petition_id, update_id)
    assert (page["status"], page["paused_reason"]) == ("paused", "bounces")
    (raw,) = told(system)
    unfolded = raw.replace(b"=\r\n", b"")
    assert b"3 addresses it was sent to do not exist or refused it for good" in unfolded
    assert [alarm["reason"] for alarm in alarmed(system)] == ["bounces"]


def test_of_many_invocations_past_the_rates_at_once_one_pauses_alerts_and_tells(
    system: Mobilise,
) -> None:
    # Given an update being sent, and four SES events invocations that all read its
    # counters past the complaint rate
    petition_id, update_id = sending_update(system)
    counters = {"sent": 50, "bounced": 0, "complained": 5}

    # When they judge it at once
    paused = at_once(4, lambda _: breaker.judge(petition_id, update_id, counters))

    # Then one paused it, and the operators and the starter heard of it once
    assert sorted(paused) == [False, False, False, True]
    assert len(alarmed(system)) == 1
    assert len(told(system)) == 1


def test_a_paused_update_s_messages_are_parked_and_a_resume_sends_exactly_the_rest(
    system: Mobilise,
) -> None:
    # Given a paused update whose two other delivery messages were parked (twice each: SQS
    # hands a message in more than once)
    petition_id, update_id = sending_update(system)
    assert pausing.pause(petition_id, update_id, "complaints")
    bodies = []
    while received := _take(system, "DeliveryQueue"):
        bodies += received
    for body in bodies * 2:
        assert parking.park(DeliveryMessage.from_json(body), "update")
    assert len(bodies) == 2
    assert system.stats(petition_id, update_id)["state"] == "paused"

    # When an operator resumes it
    answer = operators(system, "resume", petition_id=petition_id, update_id=update_id)

    # Then its two messages are on the delivery queue again, none left parked
    assert answer == {
        "petition_id": petition_id,
        "update_id": update_id,
        "status": "sending",
        "requeued": 2,
        "parked_left": 0,
    }
    assert shown(system, petition_id, update_id)["status"] == "sending"
    assert operators(system, "paused")["updates"] == []
    # and a message that comes now is not parked (it is to be sent)
    assert not parking.park(DeliveryMessage.from_json(bodies[0]), "update")
    # and once delivered, every signer got the update exactly once
    system.run_queues()
    assert sent_to(system) == Counter(dict.fromkeys(SIGNERS, 1))
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["recipients"]) == ("sent", 120, 120)
    # and a second resume is refused, naming why
    again = operators(system, "resume", petition_id=petition_id, update_id=update_id)
    assert again == {
        "error": {
            "code": "conflict",
            "message": "This update's delivery is not paused; read it again.",
        }
    }


def test_a_resume_cut_short_goes_on_when_run_again(
    system: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a paused update with two parked messages, and a resume that re-enqueues one a call
    petition_id, update_id = sending_update(system)
    assert pausing.pause(petition_id, update_id, "complaints")
    while received := _take(system, "DeliveryQueue"):
        for body in received:
            assert parking.park(DeliveryMessage.from_json(body), "update")
    monkeypatch.setattr(parking, "DRAIN_LIMIT", 1)
    ids = {"petition_id": petition_id, "update_id": update_id}

    # When the operator resumes it, then runs the command again, and again
    first, second, third = (operators(system, "resume", **ids) for _ in range(3))

    # Then the first says one is left, the second re-enqueues it, the third has nothing to do
    assert (first["requeued"], first["parked_left"]) == (1, 1)
    assert (second["requeued"], second["parked_left"]) == (1, 0)
    assert third["error"]["code"] == "conflict"
    system.run_queues()
    assert sent_to(system) == Counter(dict.fromkeys(SIGNERS, 1))


def test_a_cancelled_paused_update_sends_nothing_more_and_its_parked_recipients_are_spared(
    system: Mobilise,
) -> None:
    # Given a paused update, 50 sent, its two other messages (70 recipients) parked
    petition_id, update_id = sending_update(system)
    assert pausing.pause(petition_id, update_id, "bounces")
    while received := _take(system, "DeliveryQueue"):
        for body in received:
            assert parking.park(DeliveryMessage.from_json(body), "update")

    # When an operator cancels it
    answer = operators(system, "cancel", petition_id=petition_id, update_id=update_id)

    # Then it is stopped, its parked recipients settled as spared, and nothing more is sent
    assert answer["status"] == "stopped"
    assert (answer["settled"], answer["parked_left"]) == (2, 0)
    system.run_queues()
    assert sum(sent_to(system).values()) == 50
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["spared"]) == ("stopped", 50, 70)
    assert shown(system, petition_id, update_id)["status"] == "stopped"
    # and neither a resume nor a second cancel brings anything back
    resumed = operators(system, "resume", petition_id=petition_id, update_id=update_id)
    assert resumed["error"]["code"] == "conflict"
    assert system.queue_depth("DeliveryQueue") == 0


def test_the_account_pause_is_set_once_parks_every_update_and_resumes_them_all(
    system: Mobilise,
) -> None:
    # Given an update being sent, and SES refusing to send for the account (twice)
    petition_id, update_id = sending_update(system)
    assert pausing.pause_account("AccountSendingPausedException")
    assert not pausing.pause_account("AccountSendingPausedException")
    assert pausing.hold_of(petition_id, update_id) == "account"
    bodies = []
    while received := _take(system, "DeliveryQueue"):
        bodies += received
    for body in bodies:
        assert parking.park(DeliveryMessage.from_json(body), "account")
    listed = operators(system, "paused")
    assert listed["account"]["code"] == "AccountSendingPausedException"

    # When an operator resumes the account's sending
    answer = operators(system, "resume_account")

    # Then the parked messages are on the queue again, and nothing holds a message back
    assert answer == {"status": "sending", "requeued": 2, "parked_left": 0, "updates_left": []}
    assert not parking.park(DeliveryMessage.from_json(bodies[0]), "account")
    assert pausing.hold_of(petition_id, update_id) is None
    system.run_queues()
    assert sent_to(system) == Counter(dict.fromkeys(SIGNERS, 1))
    # and a second resume is refused
    assert operators(system, "resume_account")["error"]["code"] == "conflict"


def test_a_warm_function_reads_the_account_s_pause_at_most_every_few_seconds(
    system: Mobilise,
) -> None:
    # Given a warm deliver function that found the account's sending going on (read now,
    # the clock stopped: what the delivery of the first message read, and the time the test
    # takes, would make when it reads again depend on how fast this machine is)
    petition_id, update_id = sending_update(system)
    clock.freeze(clock.now())
    pausing.reset()
    assert pausing.hold_of(petition_id, update_id) is None

    # When another function records SES's refusal of the account's sending
    AccountPause(*AccountPause.key(), code="SendingPausedException", paused_at=clock.now()).save()

    # Then this one trusts what it read for ACCOUNT_CHECK_SECONDS, then reads it again
    clock.advance(pausing.ACCOUNT_CHECK_SECONDS - 1)
    assert pausing.hold_of(petition_id, update_id) is None
    clock.advance(1)
    assert pausing.hold_of(petition_id, update_id) == "account"
    # and when an operator's resume (another function) has lifted the pause, a message this
    # one still holds back is not parked: it is sent, and the pause is read again
    AccountPause(*AccountPause.key()).delete()
    assert pausing.hold_of(petition_id, update_id) == "account"  # what it read, still trusted
    message = DeliveryMessage(petition_id=petition_id, update_id=update_id, recipients=["a" * 64])
    assert not pausing.held(message)
    assert pausing.hold_of(petition_id, update_id) is None


def test_an_operator_command_on_an_update_names_it_or_is_refused(system: Mobilise) -> None:
    # Given an update being sent (not paused)
    petition_id, update_id = sending_update(system)

    # Then resume and cancel without ids, on an unknown update, or on one not paused, are
    # refused with a message an operator understands, and change nothing
    before = system.items()
    assert operators(system, "resume")["error"]["code"] == "validation_error"
    unknown = operators(system, "cancel", petition_id=petition_id, update_id="01J0000000000000")
    assert unknown["error"]["code"] == "not_found"
    running = operators(system, "cancel", petition_id=petition_id, update_id=update_id)
    assert running["error"] == {
        "code": "conflict",
        "message": "This update's delivery is not paused; read it again.",
    }
    assert system.items() == before


def _take(mobilise: Mobilise, queue: str) -> list[str]:
    """Take messages off a queue, as a deliver function that parks them would."""
    sqs = boto3.client("sqs")
    url = mobilise.stack.refs[queue]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [message["Body"] for message in received]


class LambdaApi:
    """The Lambda API's Invoke, answered by the stack's function run in this process (moto
    runs functions in containers only): what infra/deliveries.py calls with the operator's
    credentials on AWS."""

    def __init__(self, mobilise: Mobilise) -> None:
        self.mobilise = mobilise

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert (FunctionName, InvocationType) == ("mobilise-ModerationFunction", "RequestResponse")
        answer = self.mobilise.invoke("ModerationFunction", json.loads(Payload))
        return {"Payload": io.BytesIO(json.dumps(answer).encode())}


def test_the_operators_command_lists_resumes_and_refuses_what_it_cannot_do(
    system: Mobilise, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the operators' command, and a paused update
    monkeypatch.syspath_prepend(str(ROOT / "infra"))
    command = importlib.import_module("deliveries")
    lambda_api = LambdaApi(system)
    function = ["--function", "mobilise-ModerationFunction"]
    petition_id, update_id = sending_update(system)
    assert pausing.pause(petition_id, update_id, "complaints")
    capsys.readouterr()  # what the functions printed so far (a cold start's metric), not ours

    # When an operator lists what is paused
    assert command.main(["paused", *function], lambda_api) == 0

    # Then they read it as JSON
    listed = json.loads(capsys.readouterr().out)
    assert [entry["update_id"] for entry in listed["updates"]] == [update_id]

    # When they resume it
    assert command.main(["resume", petition_id, update_id, *function], lambda_api) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "sending"

    # Then a second resume is refused (exit status 1, the reason printed)
    assert command.main(["resume", petition_id, update_id, *function], lambda_api) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "conflict"
    # and a resume naming no update, or the account's resume naming one, is not sent at all
    for wrong in (["resume", petition_id], ["resume-account", petition_id, update_id]):
        with pytest.raises(SystemExit) as refused:
            command.main([*wrong, *function], lambda_api)
        assert refused.value.code == 2
