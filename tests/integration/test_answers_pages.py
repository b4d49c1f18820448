"""The decision-maker's pages and emails through validators we did not write (the Nu HTML
checker), and hostile text in every field of their form and in their link's path (hypothesis):
never a 5xx, never markup, and every bad link the one 404 page."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.core import clock
from tests.emails import received
from tests.emails.conftest import JAVA, PERL, SCORER, VNU, html_part
from tests.integration.harness import Mobilise
from tests.integration.test_answers import (
    ANSWER,
    DECISION_MAKER,
    FORM,
    STARTER,
    _post,
    _sent_link,
)
from tests.integration.test_pages_hostile import MARKUP, hostile
from tests.integration.test_signatures import _raw_to

CSS = "/static/pages.css"
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _every_page_and_email(
    mobilise: Mobilise,
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Every page of the answer and of its petition, and each email it sends (to whom, raw)."""
    petition_id = mobilise.create_petition(description="Keep the woods.\n\nAll of them.")
    assert mobilise.sign(petition_id, "ann@example.org").status == 201
    assert mobilise.publish(petition_id).status == 201
    french_id = mobilise.create_petition(language="fr", owner="bob")
    path = _sent_link(mobilise, petition_id)
    french = _sent_link_as(mobilise, french_id, "bob")
    pages = {
        "form": mobilise.request("GET", path).text,
        "form-fr": mobilise.request("GET", french).text,
        "problems": _post(mobilise, path, {"text": "x" * 5001, "name": "", "role": "a\nb"}).text,
        "done": _post(mobilise, path, ANSWER).text,
        "change": mobilise.request("GET", path).text,
        "invalid": mobilise.request("GET", path + "x").text,
        "petition": mobilise.request("GET", f"/p/{petition_id}").text,
        "petition-fr": mobilise.request("GET", f"/p/{petition_id}?lang=fr").text,
    }
    for index in range(10):
        _post(mobilise, path, {**ANSWER, "text": f"Version {index}"})
    pages["too-many"] = _post(mobilise, path, ANSWER).text
    updates = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    pages["update"] = mobilise.request(
        "GET", f"/p/{petition_id}/updates/{updates[0]['update_id']}"
    ).text
    clock.advance(timedelta(days=14).total_seconds())
    pages["closed"] = mobilise.request("GET", path).text
    mobilise.run_queues()
    emails = {
        "to-decision-maker": (DECISION_MAKER, _raw_to(DECISION_MAKER)[0]),
        "to-decision-maker-fr": (DECISION_MAKER, _raw_to(DECISION_MAKER)[1]),
        "to-starter": (STARTER, _raw_to(STARTER)[0]),
        "to-signer": ("ann@example.org", _raw_to("ann@example.org")[-1]),
    }
    return pages, emails


def _sent_link_as(mobilise: Mobilise, petition_id: str, owner: str) -> str:
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/decision-maker/requests", user=owner
    )
    assert reply.status == 202, reply.text
    found = re.search(
        r"https://[^/]+(/p/\w+/answer/[\w.-]+)", html_part(_raw_to(DECISION_MAKER)[-1])
    )
    assert found
    return found.group(1)


def test_the_pages_and_emails_pass_the_nu_html_checker_and_spamassassin(
    mobilise: Mobilise, tmp_path: Path
) -> None:
    # Given every page and email of the answer
    pages, emails = _every_page_and_email(mobilise)
    assert "Changer" not in pages["form"]
    assert '<html lang="fr">' in pages["form-fr"]
    assert "Répondre à la pétition" in pages["form-fr"]
    for name, page in pages.items():
        # no style element or attribute, no inline script (the CSP refuses them); the share
        # links' own /static/ script on the pages that share
        assert "<style" not in page, name
        assert not re.search(r"\sstyle=", page), name
        assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", page), name
        assert f'<link rel="stylesheet" href="{CSS}?v=' in page, name
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    for name, (_, raw) in emails.items():
        # the checker reads the CSS of a <style> only from the line after its tag
        (tmp_path / f"email-{name}.html").write_text(
            html_part(raw).replace("<style>", "<style>\n"), encoding="utf-8"
        )
    (tmp_path / "pages.css").write_text(mobilise.request("GET", CSS).text, encoding="utf-8")
    control = pages["form"].replace("<fieldset", "<fieldset><li>not in a list</li", 1)
    (tmp_path / "control.html").write_text(control, encoding="utf-8")

    # When the Nu HTML checker reads them
    errors = _nu_errors(tmp_path)

    # Then it finds no error in any, and does find the control's
    assert {name: found for name, found in errors.items() if name != "control"} == {}
    assert errors["control"]
    # And SpamAssassin's local rules score each email, as a mailbox receives it, below 2
    assert {
        name: score for name, score in _spam_scores(emails, tmp_path).items() if score >= 2
    } == {}
    assert len(pages) + len(emails) == 15


def _nu_errors(folder: Path) -> dict[str, list[str]]:
    """The Nu HTML checker's errors on each file of ``folder`` (its CSS too), by file name."""
    command = [str(JAVA), "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
    files = sorted(str(path) for path in folder.iterdir())
    done = subprocess.run(
        [*command, "--stdout", "--also-check-css", *files],
        capture_output=True,
        check=True,
        timeout=300,
    )
    found: dict[str, list[str]] = {}
    for message in json.loads(done.stdout)["messages"]:
        if message["type"] in ("error", "non-document-error"):
            line = f"line {message.get('lastLine')}: {message['message']}"
            found.setdefault(Path(str(message["url"])).stem, []).append(line)
    return found


def _spam_scores(emails: dict[str, tuple[str, bytes]], tmp_path: Path) -> dict[str, float]:
    folder = tmp_path / "received"
    folder.mkdir()
    for name, (to, raw) in emails.items():
        (folder / f"{name}.eml").write_bytes(received.from_ses(raw, to=to))
    done = subprocess.run(
        [str(PERL), str(SCORER), *sorted(str(path) for path in folder.iterdir())],
        capture_output=True,
        check=True,
        timeout=600,
    )
    scored = json.loads(done.stdout)
    return {Path(path).stem: float(result["score"]) for path, result in scored.items()}


# Hostile text --------------------------------------------------------------------------------


@pytest.fixture
def link(mobilise: Mobilise) -> str:
    """One decision-maker's link for all of a test's examples."""
    return _sent_link(mobilise, mobilise.create_petition())


def _harmless(status: int, text: str) -> None:
    assert status < 500, text
    assert "<script>alert" not in text
    assert "<img src=x" not in text


@EXAMPLES
@given(
    values=st.fixed_dictionaries(
        {}, optional={name: hostile for name in ("stance", "text", "name", "role", "extra")}
    )
)
def test_hostile_text_in_the_form_is_refused_or_published_escaped(
    mobilise: Mobilise, link: str, values: dict[str, str]
) -> None:
    # Given the rate limit out of the way (a new hour for every example)
    clock.advance(3600)

    # When the form is posted with hostile text in any field
    reply = mobilise.request("POST", link, raw=urlencode(values), headers=FORM)

    # Then it is refused with the form (422), or taken and shown escaped, here and on the
    # petition's page
    _harmless(reply.status, reply.text)
    assert reply.status in (200, 422), reply.text
    petition_id = link.split("/")[2]
    page = mobilise.request("GET", f"/p/{petition_id}")
    _harmless(page.status, page.text)
    if reply.status == 200 and MARKUP in values.get("text", ""):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@EXAMPLES
@given(text=hostile, where=st.sampled_from(["token", "petition", "both"]))
def test_hostile_text_in_the_links_path_gets_the_one_404_page(
    mobilise: Mobilise, link: str, text: str, where: str
) -> None:
    # Given the one page of a bad link
    _, _, petition_id, _, token = link.split("/")
    invalid = mobilise.request("GET", f"/p/{petition_id}/answer/not-a-token")
    word = quote(text, safe="") or "x"

    # When the path carries hostile text where the token or the petition is
    path = {
        "token": f"/p/{petition_id}/answer/{word}",
        "petition": f"/p/{word}/answer/{token}",
        "both": f"/p/{word}/answer/{word}",
    }[where]
    shown = mobilise.request("GET", path)
    posted = mobilise.request("POST", path, raw=urlencode(ANSWER), headers=FORM)

    # Then both are that page (or the gateway's 404 of a path it cannot route), never markup
    for reply in (shown, posted):
        _harmless(reply.status, reply.text)
        assert reply.status in (403, 404), reply.text
        if reply.headers.get("Content-Type", "").startswith("text/html"):
            assert (reply.status, reply.text) == (invalid.status, invalid.text)
