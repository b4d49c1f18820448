"""The emails SES (moto) accepted: ``GET /_local/outbox``, filtered, and each one's raw MIME."""

from __future__ import annotations

import email
import functools
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.policy import default
from email.utils import getaddresses
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import SESBackend, ses_backends

_stamped = False


def stamp_send_times() -> None:
    """Note when SES accepted each email, on the functions' clock (``/_local/clock`` moves it).

    moto keeps no time with a sent message; ``?since=`` needs one."""
    global _stamped
    if _stamped:
        return
    original = SESBackend.send_raw_email

    @functools.wraps(original)
    def send_raw_email(self: SESBackend, *args: Any, **kwargs: Any) -> Any:
        from mobilise.core import clock

        message = original(self, *args, **kwargs)
        message.sent_at = clock.now()  # type: ignore[attr-defined]
        return message

    SESBackend.send_raw_email = send_raw_email  # type: ignore[method-assign]
    _stamped = True


@dataclass(frozen=True)
class Filters:
    """What ``?to=``, ``?since=`` and ``?limit=`` keep: all of them must hold."""

    to: str | None = None
    since: datetime | None = None
    limit: int | None = None

    def keeps(self, sent: Any) -> bool:
        if self.to is not None and self.to.lower() not in _addresses(sent):
            return False
        sent_at: datetime | None = getattr(sent, "sent_at", None)
        return self.since is None or (sent_at is not None and sent_at >= self.since)


def _raw_messages(region: str) -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


def _addresses(sent: Any) -> set[str]:
    """Every recipient's bare address, lower case (SES's destinations name them)."""
    return {address.lower() for _, address in getaddresses(list(sent.destinations))}


def _part(message: Message, subtype: str) -> str | None:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            content = part.get_content()  # type: ignore[attr-defined]
            return str(content)
    return None


def _sent_at(sent: Any) -> str | None:
    from mobilise.core import clock

    moment: datetime | None = getattr(sent, "sent_at", None)
    return clock.isoformat(moment) if moment is not None else None


def summary(sent: Any) -> dict[str, Any]:
    raw = getattr(sent, "raw_data", None)
    if raw is None:  # a simple (not raw) email
        return {
            "message_id": sent.id,
            "sent_at": _sent_at(sent),
            "to": sent.destinations,
            "subject": sent.subject,
            "headers": {},
            "text": sent.body,
            "html": None,
        }
    parsed = email.message_from_string(raw, policy=default)
    return {
        "message_id": sent.id,
        "sent_at": _sent_at(sent),
        "to": parsed.get_all("To", []),
        "from": parsed.get("From"),
        "subject": parsed.get("Subject"),
        "headers": {name: str(value) for name, value in parsed.items()},
        "text": _part(parsed, "plain"),
        "html": _part(parsed, "html"),
    }


def messages(region: str, filters: Filters | None = None) -> list[dict[str, Any]]:
    """The emails in the order SES accepted them; with filters, the first ``limit`` kept."""
    chosen = filters or Filters()
    kept = [sent for sent in _raw_messages(region) if chosen.keeps(sent)]
    return [summary(sent) for sent in kept[: chosen.limit]]


def _find(region: str, message_id: str) -> Any:
    return next((sent for sent in _raw_messages(region) if sent.id == message_id), None)


def page(region: str, message_id: str) -> str | None:
    sent = _find(region, message_id)
    if sent is None:
        return None
    found = summary(sent)
    if found["html"]:
        return str(found["html"])
    return f"<pre>{html.escape(found['text'] or '')}</pre>"


def raw(region: str, message_id: str) -> bytes | None:
    """The MIME message exactly as the function gave it to SES (``Content.Raw.Data``).

    moto keeps it as the UTF-8 text it decoded it to; encoding it again gives the bytes."""
    sent = _find(region, message_id)
    data: str | None = getattr(sent, "raw_data", None)
    return data.encode("utf-8") if data is not None else None


class BadFilter(ValueError):
    """A filter of ``GET /_local/outbox`` that cannot be read; the message says why."""


def filters_from(query: dict[str, list[str]]) -> Filters:
    """``?to=``, ``?since=`` (ISO 8601; UTC if it names no offset) and ``?limit=`` (≥ 1)."""
    unknown = sorted(set(query) - {"to", "since", "limit"})
    if unknown:
        raise BadFilter(f"Unknown filter {unknown[0]!r}; the filters are to, since and limit.")
    to, since, limit = (query.get(name, [None])[-1] for name in ("to", "since", "limit"))
    if to is not None and "@" not in to:
        raise BadFilter("to must be an email address.")
    moment = None
    if since is not None:
        try:
            moment = datetime.fromisoformat(since)
        except ValueError:
            raise BadFilter("since must be an ISO 8601 time, e.g. 2026-12-04T18:00:00Z.") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    count = None
    if limit is not None:
        if not limit.isdigit() or int(limit) < 1:
            raise BadFilter("limit must be a whole number, 1 or more.")
        count = int(limit)
    return Filters(to, moment, count)
