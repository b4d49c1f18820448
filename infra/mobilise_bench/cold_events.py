"""The first event each function of template.yaml serves in the cold-start benchmark
(:mod:`mobilise_bench.coldstart`), and the fixture it is about: a petition with three
signers and a published update.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from mobilise.delivery.messages import DeliveryMessage, FanoutMessage
from mobilise.table import models
from mobilise_bench.system import STARTER, System, seed_signatures, signer_email
from mobilise_local.pollers import sqs_record
from mobilise_local.template import Function

PAGE = "GET /p/{id}"
WITH_BODY = "POST /petitions"


class NoEvent(Exception):
    """A function of the template this benchmark has no event for (add one to event_for)."""


@dataclass(frozen=True)
class Fixture:
    """A petition with three signers and a published update: what one sample's event uses."""

    petition_id: str
    update_id: str
    email_hash: str
    email: str

    @property
    def shard(self) -> int:
        return models.shard_of(self.email_hash)


def prepare(system: System, index: int) -> Fixture:
    petition_id = system.create_petition(STARTER, title=f"Cold start {index}")
    tag = f"cold{index}"
    hashes = seed_signatures(petition_id, 3, tag=tag)
    reply = system.publish(petition_id, STARTER)
    if reply.status != 201:
        raise RuntimeError(f"publish answered {reply.status}: {reply.text}")
    return Fixture(petition_id, reply.json()["update_id"], hashes[0], signer_email(0, tag))


def _sqs_event(system: System, queue: str, body: str) -> dict[str, Any]:
    message = {
        "MessageId": f"cold-{time.monotonic_ns()}",
        "ReceiptHandle": "cold-start",
        "Body": body,
        "MD5OfBody": "0" * 32,
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": str(int(time.time() * 1000)),
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
        },
    }
    return {"Records": [sqs_record(message, system.queue_arn(queue))]}


def _ses_bounce(fixture: Fixture) -> str:
    event = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": fixture.email, "status": "5.1.1"}],
            "timestamp": "2026-11-24T10:00:04.000Z",
        },
        "mail": {
            "messageId": "0102018d-cold-start",
            "destination": [fixture.email],
            "tags": {"petition_id": [fixture.petition_id], "update_id": [fixture.update_id]},
        },
    }
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "cold-start",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:mobilise-SesEventsTopic",
            "Message": json.dumps(event),
            "Timestamp": "2026-11-24T10:00:05.000Z",
        }
    )


#: The API function's rows: the first request of an environment decides what it loads, so
#: besides the JSON read of a petition (the function's row) three first requests have their
#: own: the petition's page (what a shared link opens, the commonest first request) as
#: another environment stored it, the same page the first time it is asked for since it
#: changed (rendered then: mobilise.petitions.stored_page), and a request with a body (a
#: starter's new petition; validating a body loads pydantic).
API_ROWS = {
    "ApiFunction": "GET /petitions/{id}",
    f"ApiFunction {PAGE}": PAGE,
    f"ApiFunction {PAGE}, rendered": PAGE,
    f"ApiFunction {WITH_BODY}": WITH_BODY,
}
#: The rows whose event another environment of the same version served first (untimed).
SERVED_BEFORE = {f"ApiFunction {PAGE}"}


def function_of(row: str) -> str:
    """The template's function a row of the table starts."""
    return row.split(" ", 1)[0]


def rows_of(functions: dict[str, Function]) -> list[str]:
    """The rows measured: one per function, the API's one per first request of API_ROWS."""
    return [row for name in functions for row in (API_ROWS if name == "ApiFunction" else [name])]


def _api_event(system: System, route: str, fixture: Fixture) -> dict[str, Any]:
    method, path = route.split(" ")
    body = None
    if route == WITH_BODY:
        body = {
            "title": f"Started by a cold start on {fixture.petition_id}",
            "description": "The first request of a fresh environment, with a body.",
            "language": "en",
            "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
        }
    path = path.replace("{id}", fixture.petition_id)
    _, event = system.api_event(method, path, body, user=STARTER if body else None)
    return event


def event_for(
    system: System, function: Function, fixture: Fixture, row: str | None = None
) -> dict[str, Any]:
    """A minimal valid event for each function of the template (for the API function,
    the first request of ``row``, its JSON read of a petition by default)."""
    name = function.logical_id
    if name == "ApiFunction":
        return _api_event(system, API_ROWS[row or name], fixture)
    if name == "FanoutFunction":
        job = FanoutMessage(
            petition_id=fixture.petition_id, update_id=fixture.update_id, shard=fixture.shard
        )
        return _sqs_event(system, "PublishQueue", job.to_json())
    if name == "DeliverFunction":
        message = DeliveryMessage(
            petition_id=fixture.petition_id,
            update_id=fixture.update_id,
            recipients=[fixture.email_hash],
        )
        return _sqs_event(system, "DeliveryQueue", message.to_json())
    if name == "SesEventsFunction":
        return _sqs_event(system, "SesEventsQueue", _ses_bounce(fixture))
    if name == "PrivacyFunction":
        return {"action": "export", "email": fixture.email}
    if name == "ModerationFunction":
        return {"action": "list"}  # an operator's first look at the held updates
    if name in ("SweeperFunction", "ScheduledPublishFunction"):
        return _scheduled_event(name)
    if name == "RemindersFunction":
        return {"job": "nudges"}  # the schedule's Input
    raise NoEvent(name)


def _scheduled_event(rule: str) -> dict[str, Any]:
    return {
        "version": "0",
        "source": "aws.events",
        "detail-type": "Scheduled Event",
        "resources": [f"arn:aws:events:eu-west-1:123456789012:rule/{rule}"],
        "detail": {},
    }


def served(row: str, answer: Any) -> bool:
    """Whether the one event was served without an error."""
    if row.startswith("ApiFunction"):
        expected = 201 if row.endswith(WITH_BODY) else 200
        return isinstance(answer, dict) and answer.get("statusCode") == expected
    if row == "PrivacyFunction":
        return isinstance(answer, dict) and bool(answer.get("signatures"))
    if row == "ModerationFunction":
        return isinstance(answer, dict) and isinstance(answer.get("held"), list)
    if isinstance(answer, dict) and "batchItemFailures" in answer:
        return not answer["batchItemFailures"]
    return answer is not None
