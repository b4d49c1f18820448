"""An event update as an iCalendar file (RFC 5545), for the email's "add to calendar" button.

The ``icalendar`` library writes it: lines end with CRLF and are folded within 75 octets
(never inside a UTF-8 character); every TEXT value has its backslashes, commas, semicolons
and line breaks escaped (:class:`_Text`), so no text a starter writes can end a property and
begin another. Before that, :func:`_clean` drops the control characters no TEXT may hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vText, vUri

from mobilise.core.config import get_settings
from mobilise.core.errors import NotAnEvent
from mobilise.table import items
from mobilise.table.models import EMAILED, Update

#: An event without an end is shown this long (RFC 5545 would make it last no time at all).
DEFAULT_LENGTH = timedelta(hours=2)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")  # all but TAB, LF and CR
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _clean(value: str) -> str:
    """``value`` without the control characters a TEXT may not hold (line breaks stay:
    :class:`_Text` escapes them)."""
    return _CONTROLS.sub("", value)


class _Text(vText):
    """A TEXT value escaped as RFC 5545 3.3.11 says: ``\\``, ``;``, ``,`` and line breaks.
    The library's own escaping first turns a typed ``\\N`` into a line break (a title
    ``C:\\New`` would lose its backslash); here a backslash is only ever a backslash."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        return _LINE_BREAK.sub(r"\\n", text).encode()


def escape_text(value: str) -> str:
    """A TEXT value as the file holds it; other control characters dropped."""
    return _Text(_clean(value)).to_ical().decode()


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


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
    host = urlsplit(get_settings().public_base_url).hostname or "mobilise"
    description = update.body
    if fields.get("online_url"):
        description = f"{description}\n\n{fields['online_url']}"
    happening = Event()
    happening.add("uid", f"{update.update_id}@{host}")
    happening.add("dtstamp", (update.edited_at or update.published_at).astimezone(UTC))
    happening.add("dtstart", start)
    happening.add("dtend", end)
    happening.add("summary", _Text(_clean(update.title)))
    happening.add("description", _Text(_clean(description)))
    if fields.get("place"):
        happening.add("location", _Text(_clean(fields["place"])))
    if fields.get("online_url"):
        happening.add("url", vUri(_uri(fields["online_url"])))
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//Mobilise//Petition updates//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(happening)
    # In the order written here (the library sorts them otherwise): VERSION first, as usual.
    written: bytes = calendar.to_ical(sorted=False)
    return written.decode()


def event_file(petition_id: str, update_id: str) -> str:
    """The ``.ics`` of an update by its ids: :class:`NotFound` or :class:`NotAnEvent`."""
    return event(items.get_update(petition_id, update_id))
