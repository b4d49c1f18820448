"""SES's events about an address, fed to the local stack: ``POST /_local/ses-events``.

Locally SES accepts every email and reports nothing (the configuration set has no
event destination). This builds the event SES would publish for one recipient, in
the shape of its event publishing (``eventType``, ``mail`` with the tags), and
publishes it on ``SesEventsTopic``: SNS wraps it and delivers it to the SES events
queue, whose poller gives it to the ses_events function, as on AWS.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import boto3

KINDS = {
    "bounce": "Bounce",
    "complaint": "Complaint",
    "delivery": "Delivery",
    "subscription": "Subscription",
}
BOUNCE_TYPES = ("Permanent", "Transient", "Undetermined")
_FIELDS = {"type", "email", "bounce_type", "petition_id", "update_id"}


class BadEvent(ValueError):
    """The request does not describe an event SES sends; the message says why."""


def _text(request: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = request.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadEvent(f'"{name}" must be a non-empty string.')
    return value


def event(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The SES event ``request`` describes, e.g. ``{"type": "bounce", "email": …}``."""
    unknown = sorted(set(request) - _FIELDS)
    if unknown:
        raise BadEvent(f"Unknown field {unknown[0]!r}; the fields are {sorted(_FIELDS)}.")
    kind = KINDS.get(str(request.get("type")))
    if kind is None:
        raise BadEvent(f'"type" must be one of {sorted(KINDS)}.')
    address = _text(request, "email", required=True)
    if address is None or address.count("@") != 1:
        raise BadEvent('"email" must be an email address.')
    petition_id = _text(request, "petition_id", required=kind == "Subscription")
    update_id = _text(request, "update_id")
    bounce_type = request.get("bounce_type", "Permanent")
    if kind != "Bounce" and "bounce_type" in request:
        raise BadEvent('"bounce_type" goes with "type": "bounce" only.')
    if bounce_type not in BOUNCE_TYPES:
        raise BadEvent(f'"bounce_type" must be one of {list(BOUNCE_TYPES)}.')
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    tags = {"ses:configuration-set": ["ConfigurationSet"]}
    if petition_id:
        tags["petition_id"] = [petition_id]
    if update_id:
        tags["update_id"] = [update_id]
    mail = {
        "timestamp": stamp,
        "messageId": f"local-{uuid.uuid4()}",
        "destination": [address],
        "headersTruncated": False,
        "tags": tags,
    }
    return {
        "eventType": kind,
        kind.lower(): _detail(kind, address, bounce_type, stamp),
        "mail": mail,
    }


def _detail(kind: str, address: str, bounce_type: str, stamp: str) -> dict[str, Any]:
    if kind == "Bounce":
        return {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "action": "failed"}],
            "timestamp": stamp,
            "feedbackId": f"local-{uuid.uuid4()}",
        }
    if kind == "Complaint":
        return {
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": stamp,
            "feedbackId": f"local-{uuid.uuid4()}",
            "complaintFeedbackType": "abuse",
        }
    if kind == "Delivery":
        return {"timestamp": stamp, "recipients": [address], "smtpResponse": "250 2.0.0 OK"}
    return {
        "timestamp": stamp,
        "source": "UnsubscribeHeader",
        "newTopicPreferences": {"unsubscribeAll": True, "topicSubscriptionStatus": []},
        "oldTopicPreferences": {"unsubscribeAll": False, "topicSubscriptionStatus": []},
    }


def publish(topic_arn: str, ses_event: dict[str, Any]) -> str:
    """Publish as SES does; SNS delivers it to the SES events queue. Returns SNS's id."""
    published = boto3.client("sns").publish(TopicArn=topic_arn, Message=json.dumps(ses_event))
    message_id: str = published["MessageId"]
    return message_id
