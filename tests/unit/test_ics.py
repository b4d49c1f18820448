"""An event update as an iCalendar file (RFC 5545): lines, folding, escaping, times, UID."""

from __future__ import annotations

import re
from typing import Any

import pytest
from icalendar import Calendar

from mobilise.core.errors import NotAnEvent
from mobilise.engagement import ics
from mobilise.table.models import Update
from tests import email_examples
from tests.email_examples import EXAMPLES, UPDATE_ID

HOSTILE_TITLE = "Fête\r\nATTENDEE:mailto:eve@attacker.example\nEND:VEVENT\rBEGIN:VALARM;x=1,y\\n"
EXPECTED = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Mobilise//Petition updates//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "END:VEVENT",
    "END:VCALENDAR",
]


#: Settings of a deployment and a fixed link key (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline")


def _calendar(**changes: Any) -> str:
    update = email_examples.update({**EXAMPLES["event"], **changes})
    return ics.event(update)


def _unfolded(calendar: str) -> list[str]:
    """The content lines: CRLF-separated, continuation lines (a leading space) joined."""
    assert calendar.endswith("\r\n")
    physical = calendar[:-2].split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _properties(calendar: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in _unfolded(calendar):
        name, _, value = line.partition(":")
        found[name.split(";")[0]] = value
    return found


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _shape(calendar: str) -> list[str]:
    """Each content line by its name (BEGIN/END and fixed lines in full)."""
    return [
        line
        if line.startswith(("BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD"))
        else re.split("[:;]", line, maxsplit=1)[0]
        for line in _unfolded(calendar)
    ]


def test_an_event_is_one_vevent_with_utc_times_and_a_stable_uid() -> None:
    # Given a published event (13:30 to 16:00 UTC, in Paris)
    # When its calendar is made twice
    first, second = _calendar(), _calendar()

    # Then it has the expected lines, the times in UTC with a Z, and the same UID each time
    assert _shape(first) == EXPECTED
    properties = _properties(first)
    assert properties["DTSTART"] == "20261212T133000Z"
    assert properties["DTEND"] == "20261212T160000Z"
    assert properties["DTSTAMP"] == "20261124T090000Z"
    assert properties["UID"] == f"{UPDATE_ID}@api.mobilise.example"
    assert _properties(second)["UID"] == properties["UID"]
    assert _unescape(properties["SUMMARY"]) == EXAMPLES["event"]["title"]
    assert _unescape(properties["LOCATION"]) == EXAMPLES["event"]["place"]
    assert _unescape(properties["DESCRIPTION"]) == EXAMPLES["event"]["body"]


def test_an_online_event_has_its_link_as_url_and_no_location() -> None:
    calendar = _calendar(kind="online", place=None, online_url="https://meet.example.org/abc")

    properties = _properties(calendar)
    assert properties["URL"] == "https://meet.example.org/abc"
    assert "LOCATION" not in properties
    assert _unescape(properties["DESCRIPTION"]).endswith("\n\nhttps://meet.example.org/abc")


def test_an_event_without_an_end_lasts_two_hours() -> None:
    assert _properties(_calendar(ends_at=None))["DTEND"] == "20261212T153000Z"


def test_a_hostile_title_cannot_inject_properties() -> None:
    # Given an event whose title, place and body try to end the event and add properties
    # (the API refuses line breaks in a title; the calendar does not rely on it)
    update = email_examples.update(EXAMPLES["event"])
    update.title = HOSTILE_TITLE
    update.body = "Corps\r\nORGANIZER:mailto:eve@attacker.example"
    update.fields = {**update.fields, "place": 'Place; "x",\nATTACH:https://evil.example'}

    # When its calendar is made
    calendar = ics.event(update)

    # Then the lines are exactly the expected ones, and each value reads back as written
    assert _shape(calendar) == EXPECTED
    properties = _properties(calendar)
    assert _unescape(properties["SUMMARY"]) == HOSTILE_TITLE.replace("\r\n", "\n").replace(
        "\r", "\n"
    )
    assert _unescape(properties["DESCRIPTION"]) == "Corps\nORGANIZER:mailto:eve@attacker.example"
    assert _unescape(properties["LOCATION"]) == 'Place; "x",\nATTACH:https://evil.example'


def test_text_escaping_follows_rfc_5545() -> None:
    assert ics.escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert ics.escape_text("bell\x07 and tab\t") == "bell and tab\t"
    assert ics.escape_text("C:\\New") == "C:\\\\New"  # a typed backslash-N is no line break


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_long_lines_are_folded_at_75_octets_without_splitting_a_character(char: str) -> None:
    # Given a title far longer than a line, of 1- to 4-octet characters
    title = char * 150

    # When the calendar is made
    calendar = _calendar(title=title)

    # Then no physical line is longer than 75 octets, and unfolding gives the title back
    assert all(len(line.encode()) <= 75 for line in calendar.split("\r\n"))
    assert calendar.encode().decode() == calendar
    assert _properties(calendar)["SUMMARY"] == title


@pytest.mark.parametrize(
    "changes",
    [{"status": "scheduled"}, {"status": "cancelled"}, {"type": "news"}],
    ids=["scheduled", "cancelled", "not an event"],
)
def test_only_a_published_event_has_a_calendar(changes: dict[str, Any]) -> None:
    update: Update = email_examples.update(EXAMPLES["event"])
    for name, value in changes.items():
        setattr(update, name, value)

    with pytest.raises(NotAnEvent):
        ics.event(update)


@pytest.mark.parametrize(
    "title",
    [HOSTILE_TITLE, "é" * 150, "a\\b;c,d", "Dossier C:\\Nouveau, salle \\N2"],
    ids=["hostile", "long", "escapes", "a typed backslash-N"],
)
def test_a_calendar_reads_back_as_one_event_with_what_was_written(title: str) -> None:
    # Given an event with a hostile, long or escaped title, a place and a body with line breaks
    update = email_examples.update(EXAMPLES["event"])
    update.title = title
    update.body = "Corps\r\nORGANIZER:mailto:eve@attacker.example"

    # When its calendar is made and read by a parser
    (event,) = Calendar.from_ical(ics.event(update)).walk("VEVENT")

    # Then it holds one event whose texts are the ones written, line breaks as LF
    assert str(event["SUMMARY"]) == title.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["DESCRIPTION"]) == "Corps\nORGANIZER:mailto:eve@attacker.example"
    assert str(event["LOCATION"]) == EXAMPLES["event"]["place"]
    assert event.decoded("DTSTART").isoformat() == "2026-12-12T13:30:00+00:00"
