"""Each update type, published through the API, reaches a signer as an email with its block;
an event's calendar file is served by the API."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from mobilise.core import clock, crypto, links
from mobilise.core.config import get_settings
from mobilise.core.links import SignerRef
from tests.email_examples import BLOCKS_FR, BUTTONS, DECISION_MAKER, EXAMPLES, NOW
from tests.integration.harness import PUBLIC_URL, Mobilise

SIGNER = "lea@example.org"


class _Links(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if tag == "a" and name == "href"]

    def handle_data(self, data: str) -> None:
        self.text += data


def _published(mobilise: Mobilise, body: dict[str, Any]) -> tuple[str, str]:
    """A French petition with one signer and the decision-maker's every channel, ``body``
    published on it and delivered; (petition_id, update_id)."""
    clock.freeze(NOW)
    petition_id = mobilise.create_petition(
        language="fr", title="Sauvons le bois de Vincennes", decision_maker=DECISION_MAKER
    )
    assert mobilise.sign(petition_id, SIGNER).status == 201
    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates", body, user="alice")
    assert reply.status == 201, reply.text
    mobilise.run_queues()
    return petition_id, reply.json()["update_id"]


def _only_email(mobilise: Mobilise) -> dict[str, Any]:
    (message,) = mobilise.outbox()
    assert message["to"] == [SIGNER]
    return message


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_a_published_update_of_every_type_is_delivered_with_its_block(
    mobilise: Mobilise, kind: str
) -> None:
    # Given a French petition with a signer
    # When its starter publishes a valid update of this type and the queues run
    _published(mobilise, EXAMPLES[kind])

    # Then the signer's email shows the type's block, in both parts
    message = _only_email(mobilise)
    html_text = _Links(message["html"]).text
    for expected in BLOCKS_FR[kind]:
        assert expected in html_text, expected
        assert expected in message["text"], expected
    # and every link is the service's own (counted redirects, the signer's own pages, the
    # update's page on the site)
    site = get_settings().site_url
    for href in _Links(message["html"]).hrefs:
        assert href.startswith((f"{PUBLIC_URL}/", f"{site}/p/")), href
        assert href in message["text"]
    counted = BUTTONS[kind] - {"respond", "rsvp"}
    assert len([h for h in _Links(message["html"]).hrefs if "/r/" in h]) == len(counted)


@pytest.mark.parametrize(("kind", "path"), [("ask_testimony", "respond"), ("event", "rsvp")])
def test_the_signer_gets_their_own_respond_or_rsvp_link(
    mobilise: Mobilise, kind: str, path: str
) -> None:
    # Given an update asking signers to answer
    petition_id, update_id = _published(mobilise, EXAMPLES[kind])

    # When the delivered email is read
    message = _only_email(mobilise)
    found = re.findall(rf"{re.escape(PUBLIC_URL)}/{path}/([A-Za-z0-9_.-]+)", message["text"])

    # Then it carries one link of the signer's own, naming them and this update
    assert len(set(found)) == 1
    read = links.read_respond if path == "respond" else links.read_rsvp
    assert read(found[0]) == SignerRef(petition_id, crypto.email_hash(SIGNER), update_id)
    assert f"{PUBLIC_URL}/{path}/{found[0]}" in _Links(message["html"]).hrefs


def test_per_person_clicks_put_the_signer_in_every_counted_link(
    monkeypatch: pytest.MonkeyPatch, mobilise: Mobilise
) -> None:
    # Given the setting on (the function's environment)
    from mobilise.core import config
    from mobilise.delivery import sending

    monkeypatch.setenv("PER_PERSON_CLICKS", "true")
    config.get_settings.cache_clear()
    sending.reset()

    # When a press update is delivered
    petition_id, update_id = _published(mobilise, EXAMPLES["press"])

    # Then each /r/ link names the signer with a token of its own kind
    counted = [h for h in _Links(_only_email(mobilise)["html"]).hrefs if "/r/" in h]
    assert len(counted) == len(BUTTONS["press"])
    for href in counted:
        token = href.split("?s=", 1)[1]
        signer = links.read_signer_token(token)
        assert signer == SignerRef(petition_id, crypto.email_hash(SIGNER), update_id)


# --- the calendar file ------------------------------------------------------------------


def test_an_events_calendar_file_is_served_to_anyone(mobilise: Mobilise) -> None:
    # Given a published event
    petition_id, update_id = _published(mobilise, EXAMPLES["event"])

    # When anyone asks for its calendar file
    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}/event.ics")

    # Then it is an iCalendar event, lines ending in CRLF, with the event's UTC times
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert reply.headers["Content-Disposition"] == 'attachment; filename="event.ics"'
    assert reply.text.startswith("BEGIN:VCALENDAR\r\n")
    assert "\r\nDTSTART:20261212T133000Z\r\n" in reply.text
    assert "\r\nDTEND:20261212T160000Z\r\n" in reply.text
    assert f"\r\nUID:{update_id}@mobilise.test\r\n" in reply.text


def test_the_emails_calendar_button_leads_to_the_calendar_file(mobilise: Mobilise) -> None:
    petition_id, update_id = _published(mobilise, EXAMPLES["event"])

    calendar = [h for h in _Links(_only_email(mobilise)["html"]).hrefs if "/r/" in h]

    (token,) = [h.rsplit("/", 1)[1] for h in calendar]
    assert links.read_redirect(token) == links.ActionRef(petition_id, update_id, "calendar")


@pytest.mark.parametrize("kind", ["news", "press", "victory"])
def test_an_update_that_is_not_an_event_has_no_calendar_file(mobilise: Mobilise, kind: str) -> None:
    petition_id, update_id = _published(mobilise, EXAMPLES[kind])

    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}/event.ics")

    assert reply.status == 404, reply.text
    assert reply.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("update_id", ["01JZZZZZZZZZZZZZZZZZZZZZZZ", "not-an-id", "..%2F..%2Fetc"])
def test_an_unknown_update_has_no_calendar_file(mobilise: Mobilise, update_id: str) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}/event.ics")

    assert reply.status == 404, reply.text
