"""The email of each update type: its block, its buttons, its dates, its photo, its links."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from mobilise.core import links
from mobilise.core.errors import InvalidLink
from mobilise.core.links import ActionRef, SignerRef
from mobilise.delivery import sending
from mobilise.emails import rendering
from tests import email_examples
from tests.email_examples import BLOCKS_FR, BUTTONS, EXAMPLES, PETITION_ID, UPDATE_ID

TYPES = sorted(EXAMPLES)
SIGNER = SignerRef(PETITION_ID, "ab" * 32, UPDATE_ID)
PHOTO = {"photo_id": "01J0000000000000000000000B", "alt": "Des arbres en automne"}


#: Settings of a deployment and a fixed link key (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline")


class _Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if tag == "a" and name == "href"]
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


def _counted(action: str) -> str:
    return links.redirect_url(ActionRef(PETITION_ID, UPDATE_ID, action))


def _expected_hrefs(kind: str, rendered: rendering.Rendered) -> set[str]:
    per_recipient = {"respond": f"{rendered.slot}-respond", "rsvp": f"{rendered.slot}-rsvp"}
    expected = {per_recipient.get(name) or _counted(name) for name in BUTTONS[kind]}
    return expected | {rendered.slot, _view()}


def _view() -> str:
    """The update's page: every update email links to it ("view in your browser")."""
    return links.update_page_url(PETITION_ID, UPDATE_ID)


# --- one block per type -----------------------------------------------------------------


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_renders_its_block_in_both_parts(kind: str) -> None:
    # Given a valid update of this type, on a French petition
    # When its email is rendered
    rendered = email_examples.render(kind)

    # Then the HTML and the text show the type's block
    page = _Page(rendered.html)
    for expected in BLOCKS_FR[kind]:
        assert expected in page.text, expected
        assert expected in rendered.text, expected


@pytest.mark.parametrize("kind", TYPES)
def test_every_button_leads_through_the_counted_redirect_or_a_per_recipient_slot(
    kind: str,
) -> None:
    # Given a valid update of this type
    # When its email is rendered
    rendered = email_examples.render(kind)

    # Then its buttons are exactly the type's, each a counted /r/ link (or the recipient's own
    # respond / RSVP slot), and the text part writes each of them out
    hrefs = set(_Page(rendered.html).hrefs)
    assert hrefs == _expected_hrefs(kind, rendered)
    for href in hrefs:
        assert href in rendered.text


@pytest.mark.parametrize("kind", TYPES)
def test_no_target_appears_raw_in_the_email(kind: str) -> None:
    # Given an update whose targets (article, share intents, mailto, ...) are known
    rendered = email_examples.render(kind)

    # When the email is read
    # Then none of the external targets is written in it: every click is counted first
    for forbidden in ("leparisien", "x.com", "facebook.com", "mailto:", "tel:", "/start?"):
        assert forbidden not in rendered.html
        assert forbidden not in rendered.text


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_is_framed_in_english_too(kind: str) -> None:
    # Given a valid update of this type
    # When it is rendered in English
    rendered = email_examples.render(kind, "en")

    # Then the surrounding words are English, the starter's words as written
    assert '<html lang="en">' in rendered.html
    assert "News from the petition" in rendered.text
    assert EXAMPLES[kind]["title"] in rendered.text
    assert "Des nouvelles de la pétition" not in rendered.text


def test_the_english_event_block_says_when_where_and_offers_calendar_and_rsvp() -> None:
    rendered = email_examples.render("event", "en")

    text = _Page(rendered.html).text
    assert "Demonstration" in text
    assert "Saturday 12 December 2026, 2:30 pm to 5 pm (Europe/Paris time)" in text
    assert "Where: Place de l’Hôtel-de-Ville, 75004 Paris" in text
    assert f"Add to my calendar: {_counted('calendar')}" in rendered.text
    assert f"Tell us if you are coming: {rendered.slot}-rsvp" in rendered.text


def test_an_online_event_links_to_the_meeting_through_the_redirect() -> None:
    rendered = email_examples.render(
        "event", "en", kind="online", place=None, online_url="https://meet.example.org/abc"
    )

    assert _counted("online") in _Page(rendered.html).hrefs
    assert "Online event" in rendered.text
    assert f"Online: {_counted('online')}" in rendered.text
    assert "meet.example.org" not in rendered.html


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("requested", "Meeting requested"),
        ("obtained", "Meeting obtained"),
        ("held", "Meeting held"),
    ],
)
def test_the_meeting_block_shows_its_status(status: str, shown: str) -> None:
    changes = {"meeting_status": status}
    if status != "held":
        changes["outcome"] = None  # type: ignore[assignment]
    rendered = email_examples.render("decision_maker_meeting", "en", **changes)

    assert shown in _Page(rendered.html).text
    assert ("Outcome:" in rendered.text) == (status == "held")


def test_the_call_to_action_quotes_the_message_in_both_parts() -> None:
    rendered = email_examples.render(
        "call_to_action",
        "en",
        message="First line\nsecond line\n\nAnother paragraph",
        tweet_text="First line",
    )

    quoted = r"<blockquote[^>]*><p[^>]*>First line<br>second line</p><p[^>]*>Another paragraph</p>"
    assert re.search(quoted + "</blockquote>", rendered.html)
    assert "> First line\n> second line\n>\n> Another paragraph\n" in rendered.text


def test_a_call_to_action_shows_only_the_channels_the_decision_maker_has() -> None:
    petition = email_examples.petition(decision_maker={"name": "Le préfet", "phone": "0102030405"})
    update = email_examples.update({**EXAMPLES["call_to_action"], "channels": ["email", "phone"]})

    rendered = rendering.render_update(petition, update)

    assert set(_Page(rendered.html).hrefs) == {_counted("tel"), rendered.slot, _view()}


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "zone", "language", "expected"),
    [
        (
            datetime(2026, 12, 12, 13, 30, tzinfo=UTC),
            None,
            "Europe/Paris",
            "fr",
            "samedi 12 décembre 2026, 14 h 30 (fuseau Europe/Paris)",
        ),
        (
            datetime(2026, 12, 12, 13, 30, tzinfo=UTC),
            None,
            "Europe/Paris",
            "en",
            "Saturday 12 December 2026, 2:30 pm (Europe/Paris time)",
        ),
        (
            datetime(2027, 3, 1, 11, 0, tzinfo=UTC),
            datetime(2027, 3, 2, 5, 0, tzinfo=UTC),
            "Europe/Paris",
            "fr",
            "lundi 1er mars 2027, 12 h – mardi 2 mars 2027, 6 h (fuseau Europe/Paris)",
        ),
        (
            datetime(2027, 7, 4, 4, 5, tzinfo=UTC),  # summer time: UTC-4
            None,
            "America/New_York",
            "en",
            "Sunday 4 July 2027, 12:05 am (America/New_York time)",
        ),
        (
            datetime(2027, 1, 4, 23, 0, tzinfo=UTC),
            None,
            "Europe/Paris",
            "fr",
            "mardi 5 janvier 2027, 0 h (fuseau Europe/Paris)",
        ),
    ],
)
def test_dates_are_written_in_the_events_time_zone_and_language(
    start: datetime, end: datetime | None, zone: str, language: str, expected: str
) -> None:
    assert rendering.when(start, end, zone, language) == expected


def test_noon_is_12_pm_in_english() -> None:
    noon = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
    assert rendering.when(noon, None, "UTC", "en") == "Monday 4 January 2027, 12 pm (UTC time)"


# --- photo ------------------------------------------------------------------------------


def test_the_photo_is_shown_fluid_with_its_alt_text() -> None:
    rendered = email_examples.render("news", photo=PHOTO)

    (image,) = _Page(rendered.html).images
    assert image["src"] == f"{email_examples.PHOTOS_URL}/{PETITION_ID}/{PHOTO['photo_id']}.jpg"
    assert image["alt"] == PHOTO["alt"]
    assert image["width"] == "552"
    style = dict(
        (name.strip(), value.strip())
        for name, value in (rule.split(":", 1) for rule in (image["style"] or "").split(";"))
    )
    assert style["max-width"] == "100%"
    assert style["height"] == "auto"
    assert f"[{PHOTO['alt']}]" in rendered.text


def test_a_photo_from_anywhere_but_the_services_photos_is_not_shown() -> None:
    petition = email_examples.petition()
    update = email_examples.update(
        {**EXAMPLES["news"], "photo": PHOTO}, photo_url="https://tracker.example/pixel.gif"
    )

    rendered = rendering.render_update(petition, update)

    assert _Page(rendered.html).images == []
    assert "tracker.example" not in rendered.html


def test_no_email_loads_anything_but_its_photo() -> None:
    for kind in TYPES:
        html = email_examples.render(kind, photo=PHOTO).html
        assert "@import" not in html
        assert "url(" not in html
        assert "<link" not in html
        assert "<script" not in html
        assert html.count("<img") == 1


# --- per-recipient links ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        ("news", set()),
        ("press", set()),
        ("event", {"rsvp"}),
        ("ask_advice", {"respond"}),
        ("ask_testimony", {"respond"}),
        ("victory", set()),
    ],
)
def test_delivery_signs_only_the_links_the_email_has_slots_for(kind: str, needs: set[str]) -> None:
    # Given an email of this type
    rendered = email_examples.render(kind)

    # When delivery makes one signer's links
    made = sending.recipient_links(SIGNER, rendered)

    # Then it signs respond only for asks, RSVP only for events, and no signer token
    assert made.unsubscribe == links.unsubscribe_url(SIGNER)
    assert (made.respond is not None) == ("respond" in needs)
    assert (made.rsvp is not None) == ("rsvp" in needs)
    assert made.signer is None
    if made.respond:
        assert links.read_respond(made.respond.rsplit("/", 1)[1]) == SIGNER
    if made.rsvp:
        assert links.read_rsvp(made.rsvp.rsplit("/", 1)[1]) == SIGNER


@pytest.mark.parametrize("kind", ["event", "ask_testimony"])
def test_the_recipients_own_links_fill_their_slots(kind: str) -> None:
    rendered = email_examples.render(kind)
    made = sending.recipient_links(SIGNER, rendered)

    html, text = rendered.personalised(made)

    own = made.rsvp or made.respond
    assert own is not None
    assert own in _Page(html).hrefs
    assert own in text
    assert rendered.slot not in html + text


def test_a_preview_without_recipient_links_leads_to_the_petition_page() -> None:
    rendered = email_examples.render("ask_advice")

    html, text = rendered.personalised(rendering.RecipientLinks(unsubscribe="https://x.example/u"))

    page = f"{email_examples.SITE_URL}/p/{PETITION_ID}"
    assert page in _Page(html).hrefs
    assert rendered.slot not in html + text


def test_clicks_name_nobody_unless_the_setting_is_on() -> None:
    rendered = email_examples.render("press")

    html, _ = rendered.personalised(sending.recipient_links(SIGNER, rendered))

    assert all("?s=" not in href for href in _Page(html).hrefs)


def test_with_per_person_clicks_every_counted_link_names_the_signer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the setting on
    email_examples.use_settings(monkeypatch, PER_PERSON_CLICKS="true")
    rendered = email_examples.render("call_to_action")
    counted = [href for href in _Page(rendered.html).hrefs if "/r/" in href]
    assert len(counted) == 4
    assert all(href.endswith(f"?s={rendered.slot}-signer") for href in counted)

    # When one signer's email is made
    made = sending.recipient_links(SIGNER, rendered)
    html, text = rendered.personalised(made)

    # Then every /r/ link carries their signer token, which reads back as them
    assert made.signer is not None
    hrefs = [href for href in _Page(html).hrefs if "/r/" in href]
    assert len(hrefs) == 4
    for href in hrefs:
        token = href.split("?s=", 1)[1]
        assert links.read_signer_token(token) == SIGNER
        assert href in text
    assert rendered.slot not in html + text


def test_a_signer_token_is_good_for_nothing_else() -> None:
    token = links.signer_token(SIGNER)

    with pytest.raises(InvalidLink):
        links.read_respond(token)
    with pytest.raises(InvalidLink):
        links.read_signer_token(links.respond_url(SIGNER).rsplit("/", 1)[1])


def test_without_a_signer_token_the_marker_disappears(monkeypatch: pytest.MonkeyPatch) -> None:
    email_examples.use_settings(monkeypatch, PER_PERSON_CLICKS="true")
    rendered = email_examples.render("victory")

    html, text = rendered.personalised(rendering.RecipientLinks(unsubscribe="https://x.example/u"))

    assert "?s=" not in html + text
    assert {_counted("share_x"), _counted("share_facebook")} <= set(_Page(html).hrefs)
