"""An event update as an iCalendar file (RFC 5545), for the email's "add to calendar" button.

Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 character); every
TEXT value has its backslashes, commas, semicolons and line breaks escaped, so no text a
starter writes can end a property and begin another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.table import items
from mobilise.table.models import EMAILED, Update

#: An event without an end is shown this long (RFC 5545 would make it last no time at all).
DEFAULT_LENGTH = timedelta(hours=2)
LINE_OCTETS = 75
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class NotAnEvent(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no published event with this id on this petition.")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): ``\\``, ``;``, ``,`` and line breaks escaped; other
    control characters, which no TEXT may hold, dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROLS.sub("", value.replace("\\", "\\\\"))
    return value.replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` folded (RFC 5545 3.1): at most 75 octets a line, continuations start with a
    space, a UTF-8 character never split; lines joined with CRLF."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            pieces.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space counts
        current += char
        size += octets
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _uri(value: str) -> str:
    """A URI value: the schema allows https links only; line breaks can never reach one."""
    return _CONTROLS.sub("", value.replace("\r", "").replace("\n", ""))


def event(update: Update) -> str:
    """The ``.ics`` of a published event update; :class:`NotAnEvent` for any other update."""
    if update.type != "event" or update.status not in EMAILED or update.published_at is None:
        raise NotAnEvent()
    fields: Mapping[str, Any] = update.fields or {}
    start = _moment(fields["starts_at"])
    end = _moment(fields["ends_at"]) if fields.get("ends_at") else start + DEFAULT_LENGTH
    host = urlsplit(str(get_settings().public_base_url)).hostname or "mobilise"
    description = update.body
    if fields.get("online_url"):
        description = f"{description}\n\n{fields['online_url']}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mobilise//Petition updates//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{update.update_id}@{host}",
        f"DTSTAMP:{_utc(update.edited_at or update.published_at)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{escape_text(update.title)}",
        f"DESCRIPTION:{escape_text(description)}",
    ]
    if fields.get("place"):
        lines.append(f"LOCATION:{escape_text(fields['place'])}")
    if fields.get("online_url"):
        lines.append(f"URL:{_uri(fields['online_url'])}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def event_file(petition_id: str, update_id: str) -> str:
    """The ``.ics`` of an update by its ids: :class:`NotFound` or :class:`NotAnEvent`."""
    return event(items.get_update(petition_id, update_id))
