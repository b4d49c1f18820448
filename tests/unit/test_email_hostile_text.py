"""Hostile text through every user field of every update type: whatever the API's schemas
accept renders escaped, links only where the email puts them, and never a header.

Each field is fed markup, quotes, ``javascript:`` URLs, CR/LF, bidirectional marks and
overrides, template syntax, the slot's name and very long runs. The schemas refuse what they
refuse (fine); what they accept is rendered in French or English, addressed, and parsed back.
"""

from __future__ import annotations

import email
import email.policy
import re
import string
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mobilise.core.errors import NotFound
from mobilise.core.links import SignerRef
from mobilise.delivery import sending
from mobilise.emails import rendering
from mobilise.engagement import ics
from mobilise.publishing import actions
from tests import email_examples
from tests.email_examples import (
    EXAMPLES,
    EXPECTED_HEADERS,
    PETITION_ID,
    PHOTOS_URL,
    PUBLIC_URL,
    SITE_URL,
    UPDATE_ID,
)

PIECES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<b>x</b>",
    'https://evil.example/?q=<x>&a="b"',
    "mailto:eve@attacker.example",
    "\r\nBcc: eve@attacker.example\r\n",
    "\n",
    "\r",
    "\r\n\r\n",
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u2028",
    "\x00",
    "\x1b[31m",
    "{{ 7 * 7 }}",
    "{% if true %}x{% endif %}",
    rendering.UNSUBSCRIBE_SLOT,
    "&amp;&lt;",
    "é",
    "😀",
    " ",
    "@",
    ";,\\",
]
_ALPHABET = string.printable + "éà«»’\u200f\u202e\u2028"
HOSTILE = st.one_of(
    st.lists(st.sampled_from(PIECES) | st.text(_ALPHABET, max_size=12), min_size=1, max_size=8).map(
        "".join
    ),
    st.tuples(st.sampled_from(PIECES), st.integers(100, 3000)).map(lambda pair: pair[0] * pair[1]),
    st.just("x" * 25_000),
)
LANGUAGES = st.sampled_from(["fr", "en"])
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Every element and attribute the update template writes (its table layout, each element's
#: CSS inlined into ``style``); user text may add none.
ALLOWED = {
    "html": {"lang"},
    "head": set(),
    "meta": {"charset", "name", "content"},
    "title": set(),
    "style": set(),
    "body": {"style"},
    "table": {"role", "class", "style"},
    "tbody": set(),
    "tr": set(),
    "td": {"class", "style"},
    "p": {"class", "style"},
    "h1": {"style"},
    "br": set(),
    "a": {"class", "href", "style"},
    "img": {"class", "src", "alt", "width", "style"},
    "strong": set(),
    "blockquote": {"style"},
}
ICS_PROPERTIES = {
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "URL",
}
RECIPIENT = "zoe@example.org"
SIGNER = SignerRef(PETITION_ID, "cd" * 32, UPDATE_ID)
PHOTO_ID = "01J0000000000000000000000B"

COMMON_FIELDS = ["title", "body", "link", "photo.alt"]
TYPE_FIELDS = {
    "press": ["article_url", "outlet", "headline"],
    "event": ["place", "online_url"],
    "decision_maker_meeting": ["outcome"],
    "call_to_action": ["message", "subject", "tweet_text"],
    "ask_advice": ["question"],
    "ask_testimony": ["prompt"],
    "start_petition": ["theme"],
}
PETITION_FIELDS = [
    "petition.title",
    "decision_maker.name",
    "decision_maker.email",
    "decision_maker.x_handle",
    "decision_maker.phone",
    "decision_maker.facebook_url",
]
CASES = (
    [(kind, field) for kind in sorted(EXAMPLES) for field in COMMON_FIELDS]
    + [(kind, field) for kind, fields in TYPE_FIELDS.items() for field in fields]
    + [("call_to_action", field) for field in PETITION_FIELDS]
)


#: Settings of a deployment and a fixed link key (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline")


class _Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for found, attrs in self.elements if found == tag]


def _inputs(kind: str, field: str, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(update body, decision-maker) with ``value`` in ``field``."""
    body = dict(EXAMPLES[kind])
    decision_maker = dict(email_examples.DECISION_MAKER)
    if field == "photo.alt":
        body["photo"] = {"photo_id": PHOTO_ID, "alt": value}
    elif field.startswith("decision_maker."):
        decision_maker[field.split(".", 1)[1]] = value
    elif field == "online_url":
        body.update(kind="online", online_url=value)
    elif field != "petition.title":
        body[field] = value
    if kind == "call_to_action" and field == "message":
        body["tweet_text"] = "Sauvez le bois"  # a long message needs one; tweet_text is fuzzed too
    return body, decision_maker


def _check_html(html: str, buttons: int, *, addressed: bool) -> None:
    page = _Page(html)
    for tag, attrs in page.elements:
        assert tag in ALLOWED, f"<{tag}> came from user text"
        assert set(attrs) <= ALLOWED[tag], f"<{tag} {sorted(attrs)}> came from user text"
    assert len(page.of("a")) == buttons
    for attrs in page.of("a") if addressed else ():
        href = attrs["href"] or ""
        assert href.startswith((f"{PUBLIC_URL}/", f"{SITE_URL}/")), href
    for attrs in page.of("img"):
        assert (attrs["src"] or "").startswith(f"{PHOTOS_URL}/")
    assert len(page.of("style")) == 1
    assert len(page.of("title")) == 1


def _check_targets(petition: Any, update: Any) -> None:
    """Where the counted redirect would send a click: https, mailto or tel only."""
    for action in actions.for_update(petition, update):
        try:
            target = actions.target(petition, update, action.name)
        except NotFound:
            continue  # refused by the redirect: it leads nowhere
        assert urlsplit(target).scheme in actions.SAFE_SCHEMES
        assert "\r" not in target
        assert "\n" not in target


def _check_message(rendered: rendering.Rendered, title: str) -> None:
    links = sending.recipient_links(SIGNER, rendered)
    raw = rendering.addressed(
        rendered, sender=email_examples.SETTINGS["SENDER_ADDRESS"], to=RECIPIENT, links=links
    )
    # On the wire: no line over 998 octets, and the one-click link whole on its own line
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998
    assert [line for line in lines if line.startswith(b"List-Unsubscribe:")] == [
        f"List-Unsubscribe: <{links.unsubscribe}>".encode()
    ]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert list(message.keys()) == EXPECTED_HEADERS
    assert [a.addr_spec for a in message["To"].addresses] == [RECIPIENT]
    # The subject's words come back as written. Only white space may differ: Python's folder
    # puts a long word on a line of its own, and keeps the space before a line break next to
    # the folding one ("cookie) \r\n =?utf-8?b?4oCP?=" reads back with two spaces; found here)
    assert rendering.one_line(message["Subject"]) == rendering.one_line(title)
    plain, html = (part.get_content() for part in message.iter_parts())
    assert rendered.slot not in plain + html


def _check_calendar(calendar: str) -> None:
    """Only the calendar's own properties, once each: no text began a line of its own."""
    lines = calendar.removesuffix("\r\n").split("\r\n")
    names = [re.split("[:;]", line, maxsplit=1)[0] for line in lines if not line.startswith(" ")]
    assert names.count("BEGIN") == names.count("END") == 2
    properties = [name for name in names if name not in ("BEGIN", "END")]
    assert len(properties) == len(set(properties))
    assert set(properties) <= ICS_PROPERTIES
    assert all(len(line.encode()) <= 75 for line in lines)


@pytest.mark.parametrize(("kind", "field"), CASES, ids=[f"{k}-{f}" for k, f in CASES])
@SETTINGS
@given(value=HOSTILE, language=LANGUAGES)
def test_hostile_text_in_any_field_is_refused_or_rendered_harmless(
    kind: str, field: str, value: str, language: str
) -> None:
    body, decision_maker = _inputs(kind, field, value)
    try:
        petition = email_examples.petition(
            title=value if field == "petition.title" else "Sauvons le bois de Vincennes",
            decision_maker=decision_maker,
        )
        update = email_examples.update(body)
    except ValidationError:
        return  # the API refuses it with a 422: nothing is stored, nothing is sent

    rendered = rendering.render_update(petition, update, language)

    # the buttons (share_copy is an address written out, not a link), the per-recipient ones,
    # then "view in your browser" and unsubscribe
    linked = [
        action for action in actions.for_update(petition, update) if action.name != "share_copy"
    ]
    buttons = len(linked) + len(rendered.needs - {"signer"}) + 2
    _check_html(rendered.html, buttons, addressed=False)
    html, _ = rendered.personalised(sending.recipient_links(SIGNER, rendered))
    _check_html(html, buttons, addressed=True)
    _check_targets(petition, update)
    _check_message(rendered, update.title)
    if kind == "event":
        _check_calendar(ics.event(update))
