"""The emails SES (moto) accepted: ``GET /_local/outbox``."""

from __future__ import annotations

import email
import html
from email.message import Message
from email.policy import default
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


def _raw_messages(region: str) -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


def _part(message: Message, subtype: str) -> str | None:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            content = part.get_content()  # type: ignore[attr-defined]
            return str(content)
    return None


def summary(sent: Any) -> dict[str, Any]:
    raw = getattr(sent, "raw_data", None)
    if raw is None:  # a simple (not raw) email
        return {
            "message_id": sent.id,
            "to": sent.destinations,
            "subject": sent.subject,
            "headers": {},
            "text": sent.body,
            "html": None,
        }
    parsed = email.message_from_string(raw, policy=default)
    return {
        "message_id": sent.id,
        "to": parsed.get_all("To", []),
        "from": parsed.get("From"),
        "subject": parsed.get("Subject"),
        "headers": {name: str(value) for name, value in parsed.items()},
        "text": _part(parsed, "plain"),
        "html": _part(parsed, "html"),
    }


def messages(region: str) -> list[dict[str, Any]]:
    return [summary(sent) for sent in _raw_messages(region)]


def page(region: str, message_id: str) -> str | None:
    for sent in _raw_messages(region):
        if sent.id == message_id:
            found = summary(sent)
            if found["html"]:
                return str(found["html"])
            return f"<pre>{html.escape(found['text'] or '')}</pre>"
    return None
