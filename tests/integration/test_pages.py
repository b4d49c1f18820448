"""The public pages over the API's HTTP (the template's gateway, the api function): the petition
page and its sign form, a published update's page, /start, their files in /static/, the
headers every page carries, and the Nu HTML checker's verdict on every page.
"""

from __future__ import annotations

import email
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from mobilise.api import static
from mobilise.core import clock, crypto
from mobilise.core.config import get_settings
from mobilise.petitions import signing
from mobilise.publishing.schemas import UPDATE_TYPES, type_fields, update_in
from tests.email_examples import EXAMPLES
from tests.emails.conftest import JAVA, VNU
from tests.integration.harness import PUBLIC_URL, Mobilise, Reply, running_on_moto
from tests.integration.test_signatures import _raw_to, _text

MORNING = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
CSS = "/static/pages.css"
#: What every HTML answer of the api function carries (docs/web.md, security headers).
PAGE_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
}


@pytest.fixture
def opt_in() -> Iterator[Mobilise]:
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        clock.freeze(MORNING)
        yield system


def post_form(
    mobilise: Mobilise, path: str, source_ip: str = "198.51.100.7", **fields: str
) -> Reply:
    return mobilise.request("POST", path, raw=urlencode(fields), headers=FORM, source_ip=source_ip)


def _seed_updates(mobilise: Mobilise, petition_id: str, kinds: list[str]) -> dict[str, str]:
    """A published update of each kind (the fields its example stores), by kind."""
    found = {}
    for kind in kinds:
        request = update_in.validate_python(EXAMPLES[kind])
        clock.advance(1)
        found[kind] = mobilise.seed_update(petition_id, kind, type_fields(request))
    return found


def _site() -> str:
    """Where the public pages are (SiteUrl: the distribution that fronts the API)."""
    return get_settings().site_url


def _count(page: str) -> str:
    found = re.search(r'<p class="count"><strong>([^<]*)</strong>', page)
    assert found, page
    return found.group(1)


def _has_page_headers(reply: Reply) -> None:
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    for name, value in PAGE_HEADERS.items():
        assert reply.headers[name] == value
    policy = reply.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    for directive in ("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy


# The petition page --------------------------------------------------------------------------


def test_the_petition_page_shows_the_petition_its_latest_updates_and_an_unticked_form(
    mobilise: Mobilise,
) -> None:
    # Given a petition with four published updates and a scheduled one
    petition_id = mobilise.create_petition(title="Save the <woods> & the lake")
    updates = _seed_updates(mobilise, petition_id, ["news", "press", "event", "victory"])

    # When anyone opens its page
    reply = mobilise.request("GET", f"/p/{petition_id}")

    # Then it is the petition, in its language, with the headers of every page
    assert reply.status == 200
    _has_page_headers(reply)
    assert reply.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert reply.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    page = reply.text
    assert '<html lang="en">' in page
    assert "<h1>Save the &lt;woods&gt; &amp; the lake</h1>" in page
    assert "Petition to The Mayor" in page
    assert _count(page) == "0 signatures"
    # the three latest updates, newest first, each linking to its page
    url = f"{_site()}/p/{petition_id}"
    listed = re.findall(rf'<a href="{url}/updates/(\w+)">', page)
    assert listed == [updates["victory"], updates["event"], updates["press"]]
    # the sign form: a plain post, the consent box unticked, its wording shown
    assert '<form method="post" action="#sign"' in page
    assert re.search(
        r'<input type="checkbox" id="wants_updates" name="wants_updates" value="yes">', page
    )
    assert "Yes, email me the news of the petition" in page
    # share links through the service's own counted redirect (test_share.py follows each one
    # to its network's own page), no script but the service's own copy button's
    assert "facebook.com" not in page
    assert f'<a class="share-link" href="{PUBLIC_URL}/r/' in page
    assert re.findall(r"<script[^>]*>", page) == [
        f'<script type="module" src="/static/share.js?v={static.version("share.js")}"></script>'[
            :-9
        ]
    ]
    # the card a shared link is previewed from
    assert f'<link rel="canonical" href="{url}">' in page
    assert '<meta property="og:title" content="Save the &lt;woods&gt; &amp; the lake">' in page
    assert '<meta property="og:description" content="Keep the woods open to everyone.">' in page
    assert '<meta name="twitter:card" content="summary">' in page


def test_the_page_speaks_french_for_a_french_petition_and_on_request(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition(language="fr")
    french = mobilise.request("GET", f"/p/{petition_id}").text
    english = mobilise.request("GET", f"/p/{petition_id}?lang=en").text
    assert '<html lang="fr">' in french
    assert "Signer cette pétition" in french
    assert "0 signature<" in french
    assert '<html lang="en">' in english
    assert "Sign this petition" in english


def test_an_unknown_petition_is_a_page_that_says_so(mobilise: Mobilise) -> None:
    for path in (
        "/p/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "/p/not-an-id",
        "/p/01ARZ3NDEKTSV4RRFFQ69G5FAV/updates/x",
    ):
        reply = mobilise.request("GET", path)
        assert reply.status == 404, path
        _has_page_headers(reply)
        assert "<h1>Page not found</h1>" in reply.text


# Signing on the page ------------------------------------------------------------------------


def test_signing_on_the_page_thanks_then_the_confirmation_moves_the_count(opt_in: Mobilise) -> None:
    # Given a petition's page
    petition_id = opt_in.create_petition()
    path = f"/p/{petition_id}"

    # When a signer posts the form, ticking the box
    reply = post_form(
        opt_in,
        path,
        lang="en",
        name="Sam",
        email="sam@example.org",
        language="fr",
        wants_updates="yes",
    )

    # Then the answer is a page that says to check the inbox, kept by no cache
    assert reply.status == 200
    _has_page_headers(reply)
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert "Check your inbox" in reply.text
    assert "<form" not in reply.text
    # and the signature stores the consent with the version of the wording shown
    (signature,) = [item for item in opt_in.items() if str(item["sk"]).startswith("EMAIL#")]
    assert signature["wants_updates"] is True
    assert signature["consent_version"] == signing.CONSENT_VERSION
    assert signature["language"] == "fr"
    assert _count(opt_in.request("GET", path).text) == "0 signatures"

    # When the confirmation email's button is followed (its link's page, then its POST)
    opt_in.run_queues()
    (raw,) = _raw_to("sam@example.org")
    link = re.search(r"https://mobilise\.test(/signatures/confirm/\S+)", _text(raw))
    assert link
    assert opt_in.request("POST", link.group(1), headers={"Accept": "text/html"}).status == 200

    # Then the page counts the signer
    assert _count(opt_in.request("GET", path).text) == "1 signature"


def test_a_signer_who_leaves_the_box_unticked_gives_no_consent(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    reply = post_form(mobilise, f"/p/{petition_id}", name="Ann", email="ann@example.org")
    assert reply.status == 200
    (signature,) = [item for item in mobilise.items() if str(item["sk"]).startswith("EMAIL#")]
    assert signature["wants_updates"] is False
    assert "consent_version" not in signature or signature["consent_version"] is None


def test_a_form_with_problems_comes_back_refilled_each_problem_by_its_field(
    opt_in: Mobilise,
) -> None:
    # Given a petition
    petition_id = opt_in.create_petition()
    before = opt_in.items()

    # When the form is posted with no name and an address we cannot write to
    reply = post_form(
        opt_in,
        f"/p/{petition_id}",
        name="  ",
        email="zoé@example.org",
        language="fr",
        wants_updates="yes",
    )

    # Then the form comes back (422), refilled, each problem next to its field
    assert reply.status == 422
    page = reply.text
    assert 'aria-invalid="true" aria-describedby="name-error"' in page
    assert '<p class="error" id="name-error">Write your name' in page
    assert 'value="zoé@example.org" aria-invalid="true" aria-describedby="email-error"' in page
    assert '<p class="error" id="email-error">Write an email address' in page
    assert 'name="wants_updates" value="yes" checked>' in page
    assert '<option value="fr" selected>' in page
    # and nothing was stored or sent
    assert opt_in.items() == before
    opt_in.run_queues()
    assert opt_in.outbox() == []


def test_a_closed_petition_shows_no_form_and_refuses_a_post(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200
    page = mobilise.request("GET", f"/p/{petition_id}").text
    assert "This petition is closed" in page
    assert "<form" not in page
    reply = post_form(mobilise, f"/p/{petition_id}", name="Sam", email="sam@example.org")
    assert reply.status == 404
    assert "This petition is closed" in reply.text


def test_the_form_takes_a_form_only(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    reply = mobilise.request(
        "POST", f"/p/{petition_id}", {"name": "Sam", "email": "sam@example.org"}
    )
    assert reply.status == 415
    assert reply.json()["error"]["code"] == "unsupported_media_type"


# A published update's page, and the emails' link to it -----------------------------------


KINDS = list(UPDATE_TYPES)


def test_an_update_page_shows_what_its_email_shows_without_naming_anyone(
    mobilise: Mobilise,
) -> None:
    # Given a published update of every kind
    petition_id = mobilise.create_petition()
    updates = _seed_updates(mobilise, petition_id, KINDS)

    for kind, update_id in updates.items():
        # When its page is opened
        reply = mobilise.request("GET", f"/p/{petition_id}/updates/{update_id}")

        # Then it shows the update, its buttons through the counted redirect, and no
        # per-recipient link (respond, RSVP) or placeholder
        assert reply.status == 200, kind
        _has_page_headers(reply)
        page = reply.text
        assert f"<h1>An update of type {kind}</h1>" in page, kind
        hrefs = re.findall(r'href="([^"]+)"', page)
        assert not [
            href for href in hrefs if "slot" in href or "/respond/" in href or "/rsvp/" in href
        ]
        buttons = [href for href in hrefs if "/r/" in href]
        if kind in ("press", "call_to_action", "start_petition", "victory", "event"):
            assert buttons, kind
        assert f'href="{_site()}/p/{petition_id}#sign"' in page


def test_an_unpublished_update_has_no_page(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    update_id = mobilise.seed_update(petition_id, "news", {})
    from mobilise.table.models import Update

    stored = Update.get(*Update.key(petition_id, update_id))
    stored.update(actions=[Update.status.set("scheduled")])
    reply = mobilise.request("GET", f"/p/{petition_id}/updates/{update_id}")
    assert reply.status == 404
    assert "Page not found" in reply.text


def test_every_update_email_links_the_same_page_for_every_recipient(mobilise: Mobilise) -> None:
    # Given two signers of a petition
    petition_id = mobilise.create_petition()
    for address in ("ann@example.org", "bob@example.org"):
        assert mobilise.sign(petition_id, address).status == 201

    # When an update is published and delivered
    published = mobilise.publish(petition_id)
    assert published.status == 201, published.text
    update_id = published.json()["update_id"]
    mobilise.run_queues()

    # Then each email, as SES received it, links the update's page in both parts
    page = f"{_site()}/p/{petition_id}/updates/{update_id}"
    for address in ("ann@example.org", "bob@example.org"):
        (raw,) = _raw_to(address)
        message = email.message_from_bytes(raw, policy=default)
        html_part = message.get_body(("html",))
        assert html_part is not None
        assert f'href="{page}"' in str(html_part.get_content())
        assert f"View this email in your browser: {page}" in _text(raw)
    # and the page is there
    assert mobilise.request("GET", page.removeprefix(_site())).status == 200


# /start, /static/ ---------------------------------------------------------------------------


def test_start_explains_and_leads_to_the_app_with_the_theme(mobilise: Mobilise) -> None:
    reply = mobilise.request("GET", "/start?theme=Parks%20%26%20trees&lang=fr")
    assert reply.status == 200
    _has_page_headers(reply)
    assert "<h1>Lancer une pétition</h1>" in reply.text
    assert f'href="{_site()}/app/new?theme=Parks+%26+trees"' in reply.text


def test_static_files_are_served_for_a_year_and_nothing_else_is(mobilise: Mobilise) -> None:
    reply = mobilise.request("GET", CSS + "?v=1")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/css; charset=utf-8"
    assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "main.public" in reply.text
    script = mobilise.request("GET", "/static/altcha.js")
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    for missing in ("/static/..%2Fpages.py", "/static/rendering.py", "/static/.env"):
        assert mobilise.request("GET", missing).status == 404, missing


# Every page, through the Nu HTML checker ------------------------------------------------


def _every_page(mobilise: Mobilise) -> dict[str, str]:
    """Every page the api function renders, by name."""
    petition_id = mobilise.create_petition()
    updates = _seed_updates(mobilise, petition_id, KINDS)
    path = f"/p/{petition_id}"
    pages = {
        "petition-en": mobilise.request("GET", path).text,
        "petition-fr": mobilise.request("GET", path + "?lang=fr").text,
        "petition-problems": post_form(mobilise, path, name="", email="x").text,
        "petition-signed": post_form(mobilise, path, name="Sam", email="sam@example.org").text,
        "start": mobilise.request("GET", "/start?theme=Parks").text,
        "not-found": mobilise.request("GET", "/p/01ARZ3NDEKTSV4RRFFQ69G5FAV").text,
    }
    for index in range(6):  # past the burst: the form asks for a proof of work
        proof = post_form(mobilise, path, name="Al", email=f"al{index}@example.org")
    assert proof.status == 429
    pages["petition-proof"] = proof.text
    for kind, update_id in updates.items():
        pages[f"update-{kind}"] = mobilise.request("GET", f"{path}/updates/{update_id}").text
    sam = crypto.email_hash("sam@example.org")
    from mobilise.core import links
    from mobilise.core.links import SignerRef

    for name, url in {
        "confirm": links.confirm_url(SignerRef(petition_id, sam)),
        "unsubscribe": links.unsubscribe_url(SignerRef(petition_id, sam)),
        "respond": links.respond_url(SignerRef(petition_id, sam, updates["ask_advice"])),
        "rsvp": links.rsvp_url(SignerRef(petition_id, sam, updates["event"])),
        "nudges-off": links.nudges_off_url(petition_id),
    }.items():
        reply = mobilise.request(
            "GET", url.removeprefix(PUBLIC_URL), headers={"Accept": "text/html"}
        )
        assert reply.status == 200, (name, reply.text)
        pages[name] = reply.text
    return pages


def test_every_page_passes_the_nu_html_checker_with_no_inline_style_or_script(
    mobilise: Mobilise, tmp_path: Path
) -> None:
    # Given every page the api function renders, and its stylesheet
    pages = _every_page(mobilise)
    for name, page in pages.items():
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
        # no style element or attribute, no inline script or handler (the CSP refuses them)
        assert "<style" not in page, name
        assert not re.search(r"\sstyle=", page), name
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), name
        assert not re.search(r"\son[a-z]+=", page), name
        assert f'<link rel="stylesheet" href="{CSS}?v=' in page, name
    (tmp_path / "pages.css").write_text(mobilise.request("GET", CSS).text, encoding="utf-8")
    # and a control the checker must refuse, so that its silence on the pages means something
    control = pages["start"].replace("<ol>", '<ol><p class="x">not a list item</p>', 1)
    (tmp_path / "control.html").write_text(control, encoding="utf-8")

    # When the Nu HTML checker reads them
    done = subprocess.run(
        [
            str(JAVA),
            "-jar",
            str(VNU),
            "--format",
            "json",
            "--exit-zero-always",
            "--stdout",
            "--also-check-css",
            *sorted(str(path) for path in tmp_path.iterdir()),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )

    # Then it finds no error in any
    messages: list[dict[str, Any]] = json.loads(done.stdout)["messages"]
    errors = [
        f"{Path(str(m['url'])).name} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]
    assert [error for error in errors if not error.startswith("control.html")] == []
    assert [error for error in errors if error.startswith("control.html")] != []
    # (seven of the petition and /start, one per update kind, five from the emails' links)
    assert len(pages) == 7 + len(KINDS) + 5
