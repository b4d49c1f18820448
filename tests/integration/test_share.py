"""Share everywhere, track no one (issue 16, point 3).

Every share link of every page and of every email that shares is one of the service's own
counted ``/r/`` links, and following it leads to the right network's own share page with the
right words and address (a table test, over the pages as HTTP sends them and the emails as SES
received them); the clicks are counted per channel, nobody named; no page or email carries a
script or an image from another host.
"""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.policy import default
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from mobilise.core import clock, links
from mobilise.core.config import get_settings
from mobilise.engagement import clicks
from tests.email_examples import NOW
from tests.integration.harness import PUBLIC_URL, Mobilise, Reply
from tests.integration.test_email_types import _published
from tests.integration.test_pages import _every_page, post_form

SIGNER = "lea@example.org"
#: Titles that a careless encoding breaks: quotes, ampersands, emoji, non-Latin scripts,
#: and what means something in a URL (``+``, ``%``, ``#``, ``?``).
TITLE = 'Save "the" woods & the lake 🌳 — 森を守れ, 100% + #now?'
HEADLINE = "L'« Écho » says: the woods stay open & free 🌲 — Лес наш"
UPDATE_TITLE = 'We met "her" & she listened 🎉 — 我们见面了 + 1'
ARTICLE = "https://press.example.org/2026/11/woods?id=1&lang=fr"

#: The channels, in the order their links appear, by the words a person reads on them: the
#: page's (its share section) and the email's (the press and victory block). ``copy``: the
#: page's read-only field, the email's address written out.
PAGE_LABELS = {
    "By email": "email",
    "On X": "x",
    "On Facebook": "facebook",
    "On WhatsApp": "whatsapp",
    "On Telegram": "telegram",
    "On Bluesky": "bluesky",
    "On Mastodon": "mastodon",
}
EMAIL_LABELS = {
    "Send by email": "email",
    "Share on X": "x",
    "Share on Facebook": "facebook",
    "Share on WhatsApp": "whatsapp",
    "Share on Telegram": "telegram",
    "Share on Bluesky": "bluesky",
    "Share on Mastodon": "mastodon",
}
COPY_LABEL = "Or copy this link and pass it on"
#: The same in French.
EMAIL_LABELS_FR = {"Envoyer par e-mail": "email"} | {
    f"Partager sur {name}": name.lower()
    for name in ("X", "Facebook", "WhatsApp", "Telegram", "Bluesky", "Mastodon")
}
COPY_LABEL_FR = "Ou copiez ce lien et faites-le passer"
CHANNELS = [*PAGE_LABELS.values(), "copy"]


def _expected(channel: str, text: str, url: str) -> tuple[str, str, str, dict[str, list[str]]]:
    """Where a share link of ``channel`` must lead, sharing ``url`` with ``text``: scheme,
    host, path and query (decoded) of the network's own share page."""
    said = [f"{text} {url}"]
    return {
        "email": ("mailto", "", "", {"subject": [text], "body": [f"{text}\r\n\r\n{url}"]}),
        "x": ("https", "x.com", "/intent/post", {"text": [text], "url": [url]}),
        "facebook": ("https", "www.facebook.com", "/sharer/sharer.php", {"u": [url]}),
        "whatsapp": ("https", "wa.me", "/", {"text": said}),
        "telegram": ("https", "t.me", "/share/url", {"url": [url], "text": [text]}),
        "bluesky": ("https", "bsky.app", "/intent/compose", {"text": said}),
        "mastodon": ("https", "share.joinmastodon.org", "/", {"text": said}),
    }[channel]


class _Html(HTMLParser):
    """The share links of a page or an email by channel, and every element with its
    attributes (for the third-party test)."""

    def __init__(self, html: str, labels: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.labels = labels
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.shares: dict[str, str] = {}
        self._link: str | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.elements.append((tag, found))
        if tag == "a" and "share-link" in found.get("class", "").split():
            self._link, self._text = found["href"], ""
        if tag == "input" and "share-url" in found.get("class", "").split():
            self.shares["copy"] = found["value"]

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None and self.labels:
            channel = self.labels[self._text.strip()]
            assert channel not in self.shares, channel
            self.shares[channel] = self._link
            self._link = None


def _follow(mobilise: Mobilise, href: str) -> str:
    """Where the service sends a browser that follows ``href``: it must be its own /r/."""
    assert href.startswith(f"{PUBLIC_URL}/r/"), href
    reply: Reply = mobilise.request(
        "GET", href.removeprefix(PUBLIC_URL), headers={"Accept": "text/html"}
    )
    assert reply.status == 302, (href, reply.status, reply.text)
    return reply.headers["Location"]


def _check(mobilise: Mobilise, shares: dict[str, str], text: str, url: str) -> None:
    """Each channel's link is /r/, and leads to its network's share page with text and url."""
    assert list(shares) == CHANNELS, list(shares)
    for channel, href in shares.items():
        target = _follow(mobilise, href)
        if channel == "copy":
            assert target == url, (channel, target)
            continue
        parts = urlsplit(target)
        found = (parts.scheme, parts.netloc, parts.path, parse_qs(parts.query, strict_parsing=True))
        assert found == _expected(channel, text, url), (channel, target)
        assert parts.fragment == "", target


def _raw_emails(subject: str) -> list[bytes]:
    """The raw MIME of every email SES accepted whose subject is ``subject``."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    raws = [message.raw_data.encode() for message in sent if getattr(message, "raw_data", None)]
    return [
        raw for raw in raws if email.message_from_bytes(raw, policy=default)["Subject"] == subject
    ]


def _parts(raw: bytes) -> tuple[str, str]:
    """The HTML and text parts of a raw email, as a reader's client decodes them."""
    message = email.message_from_bytes(raw, policy=default)
    html, text = message.get_body(("html",)), message.get_body(("plain",))
    assert html is not None
    assert text is not None
    return str(html.get_content()), str(text.get_content())


def _email_shares(raw: bytes) -> dict[str, str]:
    """An email's share links by channel, the same in its HTML and its text part."""
    html, text = _parts(raw)
    shares = _Html(html, EMAIL_LABELS).shares
    copied = re.search(rf"{COPY_LABEL}<br>\s*({re.escape(PUBLIC_URL)}/r/[\w.-]+)", html)
    assert copied, html
    shares["copy"] = copied.group(1)
    for label, channel in [*EMAIL_LABELS.items(), (COPY_LABEL, "copy")]:
        assert f"{label}: {shares[channel]}" in text.splitlines(), (label, text)
    return shares


@pytest.fixture
def shared(mobilise: Mobilise) -> dict[str, Any]:
    """An English petition with awkward words and one signer; a press update, a victory and
    a news update published through the API (a day apart) and delivered."""
    clock.freeze(NOW)
    petition_id = mobilise.create_petition(title=TITLE)
    assert mobilise.sign(petition_id, SIGNER).status == 201
    published = {}
    for kind, fields in {
        "press": {"article_url": ARTICLE, "outlet": "L'Écho", "headline": HEADLINE},
        "victory": {},
        "news": {},
    }.items():
        reply = mobilise.publish(petition_id, type=kind, title=f"{UPDATE_TITLE} {kind}", **fields)
        assert reply.status == 201, reply.text
        published[kind] = reply.json()["update_id"]
        mobilise.run_queues()
        clock.advance(timedelta(hours=25).total_seconds())
    return {"petition_id": petition_id, **published}


def test_every_share_link_of_every_page_is_ours_and_leads_to_its_network(
    mobilise: Mobilise, shared: dict[str, Any]
) -> None:
    # Given the petition's page and its updates' pages, as HTTP sends them
    petition_id = shared["petition_id"]
    petition_url = links.petition_page_url(petition_id)
    cases = {
        # page: (what it shares, where)
        f"/p/{petition_id}": (TITLE, petition_url),
        f"/p/{petition_id}?lang=fr": (TITLE, petition_url),
        f"/p/{petition_id}#answer": (TITLE, petition_url),
        f"/p/{petition_id}/updates/{shared['press']}": (HEADLINE, ARTICLE),
        f"/p/{petition_id}/updates/{shared['victory']}": (TITLE, petition_url),
        f"/p/{petition_id}/updates/{shared['news']}": (
            f"{UPDATE_TITLE} news",
            links.update_page_url(petition_id, shared["news"]),
        ),
    }
    french = {"Par e-mail": "email", "Sur X": "x", "Sur Facebook": "facebook"}
    french |= {f"Sur {name}": name.lower() for name in ("WhatsApp", "Telegram", "Bluesky")}
    french |= {"Sur Mastodon": "mastodon"}
    for path, (text, url) in cases.items():
        # (and the petition's answer to a signature, here the one that says it is closed since
        # its victory, which shows the share links too)
        answer = path.endswith("#answer")
        if answer:
            reply = post_form(mobilise, path.removesuffix("#answer"), name="Sam", email="s@a.org")
        else:
            reply = mobilise.request("GET", path)
        assert reply.status == (404 if answer else 200), (path, reply.status)
        labels = french if "lang=fr" in path else PAGE_LABELS

        # When each of its share links is followed
        # Then it is the service's own /r/, and leads to the right network with the right words
        _check(mobilise, _Html(reply.text, labels).shares, text, url)


def test_every_share_link_of_every_email_that_shares_is_ours_and_leads_to_its_network(
    mobilise: Mobilise, shared: dict[str, Any]
) -> None:
    # Given the press and victory emails as SES received them (the news email shares nothing)
    petition_url = links.petition_page_url(shared["petition_id"])
    cases = {"press": (HEADLINE, ARTICLE), "victory": (TITLE, petition_url)}
    for kind, (text, url) in cases.items():
        (raw,) = _raw_emails(f"{UPDATE_TITLE} {kind}")
        # When each share link is followed
        # Then it is the service's own /r/, and leads to the right network with the right words
        _check(mobilise, _email_shares(raw), text, url)
    (news,) = _raw_emails(f"{UPDATE_TITLE} news")
    assert _Html(_parts(news)[0], EMAIL_LABELS).shares == {}


def test_share_clicks_are_counted_per_channel_and_name_nobody(
    mobilise: Mobilise, shared: dict[str, Any]
) -> None:
    # Given a victory's email and page, and the petition's page, a minute past the sending
    petition_id, victory = shared["petition_id"], shared["victory"]
    clock.advance(clicks.SCANNER_WINDOW.total_seconds() + 30)
    (raw,) = _raw_emails(f"{UPDATE_TITLE} victory")
    from_email = _email_shares(raw)
    page = mobilise.request("GET", f"/p/{petition_id}/updates/{victory}").text
    from_page = _Html(page, PAGE_LABELS).shares
    petition_page = _Html(mobilise.request("GET", f"/p/{petition_id}").text, PAGE_LABELS).shares

    # When WhatsApp is shared on from the email and the update's page, Mastodon from the
    # email, and Telegram twice from the petition's page (and a scanner asks HEAD)
    for href in (from_email["whatsapp"], from_page["whatsapp"], from_email["mastodon"]):
        _follow(mobilise, href)
    for _ in range(2):
        _follow(mobilise, petition_page["telegram"])
    head = mobilise.request("HEAD", petition_page["bluesky"].removeprefix(PUBLIC_URL))
    assert head.status == 302

    # Then the update's statistics count its share links per channel (one counter per
    # channel, whichever of its email or page the link was on)
    reply = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{victory}/stats", user="alice"
    )
    assert reply.status == 200, reply.text
    assert reply.json()["clicks"] == {"share_whatsapp": 2, "share_mastodon": 1}
    # and the petition's own page's share links are counted per channel, HEAD not at all
    reply = mobilise.request("GET", f"/petitions/{petition_id}/shares", user="alice")
    assert reply.status == 200, reply.text
    assert reply.json() == {"clicks": {"share_telegram": 2}}
    # and nothing names who clicked
    assert not [item for item in mobilise.items() if item["sk"].startswith("CLICKER#")]


def test_a_share_link_of_another_kind_of_token_or_a_gone_petition_leads_nowhere(
    mobilise: Mobilise, shared: dict[str, Any]
) -> None:
    # Given a petition's share link for an action its page does not have
    petition_id = shared["petition_id"]
    unknown = links.redirect_url(links.ActionRef(petition_id, None, "article"))
    gone = links.redirect_url(links.ActionRef("01JZZZZZZZZZZZZZZZZZZZZZZZ", None, "share_x"))
    for href in (unknown, gone):
        # When it is followed
        reply = mobilise.request("GET", href.removeprefix(PUBLIC_URL))
        # Then it leads nowhere, with the page every bad link gets, and counts nothing
        assert reply.status == 404, href
        assert "Location" not in reply.headers
    assert not [item for item in mobilise.items() if item["sk"].startswith("CLK#")]


def third_party(html: str, name: str, photos: str) -> list[str]:
    """The scripts, images, frames, stylesheets and other fetched things of ``html`` that come
    from anywhere but the service's own /static/ and ``photos`` (its photos' address)."""
    found = []
    for tag, attrs in _Html(html, {}).elements:
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            found.append(f"{name}: <script {attrs}>")
        if tag in ("img", "iframe", "embed", "object", "video", "audio", "source", "track"):
            src = attrs.get("src") or attrs.get("data") or ""
            if not src.startswith(photos):
                found.append(f"{name}: <{tag} {attrs}>")
        own = attrs.get("href", "").startswith("/static/")
        if tag == "link" and attrs.get("rel") != "canonical" and not own:
            found.append(f"{name}: <link {attrs}>")
    return found


def test_no_page_and_no_email_carries_a_script_or_pixel_of_another_host(
    mobilise: Mobilise, shared: dict[str, Any]
) -> None:
    # Given every page the api function renders, and every email sent so far (the updates'
    # and the ones before: every kind the test's steps made)
    pages = _every_page(mobilise)
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    emails = {f"email {m.id}": _parts(m.raw_data.encode())[0] for m in sent if m.raw_data}
    assert len(emails) == 3

    # When their scripts, images and other fetched things are listed
    # Then each is the service's own
    photos = get_settings().photos_base_url.rstrip("/") + "/"
    found = [
        problem
        for name, html in {**pages, **emails}.items()
        for problem in third_party(html, name, photos)
    ]
    assert found == []
    # and a control: a tracking pixel would be seen
    assert third_party('<img src="https://pixel.example.com/p.gif" alt="">', "control", photos)
    assert third_party('<script src="https://cdn.example.com/x.js"></script>', "control", photos)


def test_with_per_person_clicks_the_address_to_copy_still_names_nobody(
    monkeypatch: pytest.MonkeyPatch, mobilise: Mobilise
) -> None:
    # Given clicks counted per person (the function's environment)
    from mobilise.core import config
    from mobilise.delivery import sending

    monkeypatch.setenv("PER_PERSON_CLICKS", "true")
    config.get_settings.cache_clear()
    sending.reset()

    # When a press update is delivered to a signer (of a French petition)
    body = {"article_url": ARTICLE, "outlet": "L'Écho", "headline": HEADLINE}
    _published(mobilise, {"type": "press", "title": UPDATE_TITLE, "body": "Read on.", **body})
    (raw,) = _raw_emails(UPDATE_TITLE)
    html, text = _parts(raw)

    # Then its network links name the signer (?s=), as every counted link of theirs does,
    # but the address to copy, passed on to others, does not, in either part
    shares = _Html(html, EMAIL_LABELS_FR).shares
    assert len(shares) == len(EMAIL_LABELS_FR)
    assert all("?s=" in href for href in shares.values()), shares
    copied = re.findall(rf"{COPY_LABEL_FR}<br>\s*(\S+)</p>", html)
    assert len(copied) == 1
    assert "?s=" not in copied[0]
    assert f"{COPY_LABEL_FR}: {copied[0]}" in text.splitlines()
    # and a visit through it counts as a copy, naming nobody
    clock.advance(clicks.SCANNER_WINDOW.total_seconds() + 30)
    assert _follow(mobilise, copied[0]) == ARTICLE
    assert not [item for item in mobilise.items() if item["sk"].startswith("CLICKER#")]
