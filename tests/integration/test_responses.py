"""Responses: a signer's testimony, advice or contact through the respond link of an email,
and what the petition's starter sees of them (JSON pages and CSV)."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from mobilise.core import clock, crypto, links
from mobilise.core.links import SignerRef
from mobilise.engagement import responses
from tests.integration.harness import PUBLIC_URL, Mobilise, Reply, at_once

SIGNER = "sam@example.org"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PROMPT = "Tell us how the closure of the library changed your week."
QUESTION = "Who at the council should we talk to?"


def _asking(mobilise: Mobilise, type_: str = "ask_testimony", owner: str = "alice") -> str:
    """A petition of ``owner``'s, signed by SIGNER, with a published update of ``type_``;
    returns the path of SIGNER's respond link."""
    petition_id = mobilise.create_petition(owner=owner)
    assert mobilise.sign(petition_id, SIGNER, language="fr").status == 201
    fields: dict[str, Any] = {
        "ask_testimony": {"type": "ask_testimony", "prompt": PROMPT},
        "ask_advice": {"type": "ask_advice", "question": QUESTION},
        "news": {"type": "news"},
    }[type_]
    published = mobilise.publish(petition_id, owner=owner, **fields)
    assert published.status == 201, published.text
    return _link(petition_id, published.json()["update_id"], SIGNER)


def _link(petition_id: str, update_id: str, address: str) -> str:
    url = links.respond_url(SignerRef(petition_id, crypto.email_hash(address), update_id))
    return url.removeprefix(PUBLIC_URL)


def _ids(path: str) -> tuple[str, str]:
    signer = links.read_respond(path.rsplit("/", 1)[1])
    assert signer.update_id is not None
    return signer.petition_id, signer.update_id


def _post_form(mobilise: Mobilise, path: str, **fields: str) -> Reply:
    return mobilise.request("POST", path, raw=urlencode(fields), headers=FORM)


def _listed(mobilise: Mobilise, path: str, user: str = "alice", query: str = "") -> Reply:
    petition_id, update_id = _ids(path)
    return mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses{query}", user=user
    )


def _csv(mobilise: Mobilise, path: str, user: str = "alice") -> Reply:
    petition_id, update_id = _ids(path)
    return mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses.csv", user=user
    )


# The form ----------------------------------------------------------------------------------


def test_a_testimony_link_opens_a_form_with_a_separate_unticked_press_consent(
    mobilise: Mobilise,
) -> None:
    # Given the respond link of an ask_testimony update, for a French-speaking signer
    path = _asking(mobilise)
    before = mobilise.items()

    # When it is opened in a browser
    page = mobilise.request("GET", path, headers={"Accept": "text/html"})

    # Then it is a page in the signer's language with the prompt and a form that posts to itself
    assert page.status == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    assert '<html lang="fr">' in page.text
    assert PROMPT in page.text
    assert '<form method="post" class="stacked">' in page.text  # no action: it posts to its link
    assert 'name="text"' in page.text
    # And the consent to pass it to the press is its own checkbox, not ticked
    (consent,) = [line for line in page.text.splitlines() if 'name="press_consent"' in line]
    assert 'type="checkbox"' in consent
    assert "checked" not in consent
    assert "presse" in consent
    # And nothing third-party is loaded (only the service's own stylesheet), and opening it
    # wrote nothing
    loaded = re.findall(r'<(?:link|script|img|iframe)\b[^>]*(?:href|src)="([^"]*)"', page.text)
    assert loaded
    assert all(url.startswith("/static/") for url in loaded), loaded
    assert mobilise.items() == before


def test_an_advice_link_opens_a_form_for_advice_or_a_contact(mobilise: Mobilise) -> None:
    path = _asking(mobilise, "ask_advice")

    page = mobilise.request("GET", path)

    assert page.status == 200, page.text
    assert QUESTION in page.text
    assert 'value="advice"' in page.text
    assert 'value="contact"' in page.text
    assert 'name="contact"' in page.text
    assert "press_consent" not in page.text


def test_a_client_asking_for_json_gets_what_the_form_asks(mobilise: Mobilise) -> None:
    path = _asking(mobilise, "ask_advice")
    _petition_id, update_id = _ids(path)

    reply = mobilise.request("GET", path, headers={"Accept": "application/json"})

    assert reply.status == 200, reply.text
    described = reply.json()
    assert described["update_type"] == "ask_advice"
    assert described["update_id"] == update_id
    assert described["ask"] == QUESTION
    assert described["language"] == "fr"
    fields = {field["name"]: field for field in described["fields"]}
    assert set(fields) == {"kind", "text", "name", "contact"}
    assert fields["kind"]["choices"] == ["advice", "contact"]
    assert fields["text"] == {
        "name": "text",
        "type": "string",
        "required": True,
        "max_length": responses.TEXT_MAX,
        "choices": None,
    }


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_the_link_of_an_update_that_asks_nothing_is_not_found(
    mobilise: Mobilise, accept: str
) -> None:
    # Given a respond link made for a news update (no email offers one)
    path = _asking(mobilise, "news")

    # When it is opened / Then it is a 404, as an invalid link is, and nothing can be posted
    assert mobilise.request("GET", path, headers={"Accept": accept}).status == 404
    before = mobilise.items()
    posted = mobilise.request("POST", path, {"text": "hello"})
    assert posted.status == 404, posted.text
    assert posted.json()["error"]["code"] == "invalid_link"
    assert mobilise.items() == before


# Sending a response ------------------------------------------------------------------------


def test_a_testimony_sent_with_the_form_is_stored_with_its_consent(mobilise: Mobilise) -> None:
    # Given the form of a testimony
    path = _asking(mobilise)

    # When the signer sends their story, ticking the press consent
    reply = _post_form(
        mobilise,
        path,
        text="I used to study there every evening.\nNow I cannot.",
        name="Sam",
        press_consent="yes",
    )

    # Then they get a thank-you page in their language
    assert reply.status == 201, reply.text
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Merci" in reply.text
    # And the response is stored with the signer's address hash, the consent, and no address
    (stored,) = [item for item in mobilise.items() if item["sk"].startswith("RSP#")]
    assert stored["kind"] == "testimony"
    assert stored["text"] == "I used to study there every evening.\nNow I cannot."
    assert stored["name"] == "Sam"
    assert stored["press_consent"] is True
    assert stored["email_hash"] == crypto.email_hash(SIGNER)
    assert SIGNER not in str(stored)


def test_a_testimony_sent_without_ticking_the_box_is_not_for_the_press(
    mobilise: Mobilise,
) -> None:
    path = _asking(mobilise)

    reply = _post_form(mobilise, path, text="Private story.", name="")

    assert reply.status == 201, reply.text
    (listed,) = _listed(mobilise, path).json()["responses"]
    assert listed["press_consent"] is False
    assert listed["name"] is None


def test_a_response_sent_as_json_is_created(mobilise: Mobilise) -> None:
    path = _asking(mobilise, "ask_advice")

    reply = mobilise.request(
        "POST",
        path,
        {"kind": "contact", "text": "Talk to the deputy mayor.", "contact": "Office 12, town hall"},
    )

    assert reply.status == 201, reply.text
    assert reply.json()["status"] == "received"
    (listed,) = _listed(mobilise, path).json()["responses"]
    assert (listed["kind"], listed["contact"]) == ("contact", "Office 12, town hall")


def test_an_advice_without_a_kind_is_advice(mobilise: Mobilise) -> None:
    path = _asking(mobilise, "ask_advice")

    assert mobilise.request("POST", path, {"text": "Write to the press."}).status == 201

    (listed,) = _listed(mobilise, path).json()["responses"]
    assert listed["kind"] == "advice"


@pytest.mark.parametrize(
    ("type_", "body", "field"),
    [
        ("ask_testimony", {"text": ""}, "text"),
        ("ask_testimony", {"text": "   "}, "text"),
        ("ask_testimony", {"text": "x" * (responses.TEXT_MAX + 1)}, "text"),
        ("ask_testimony", {}, "text"),
        ("ask_testimony", {"text": "ok", "name": "Sam\nBcc: x"}, "name"),
        ("ask_testimony", {"text": "ok", "name": "x" * 101}, "name"),
        ("ask_testimony", {"text": "ok", "press_consent": "yes"}, "press_consent"),
        ("ask_testimony", {"text": "ok", "kind": "advice"}, "kind"),
        ("ask_testimony", {"text": "ok", "kind": "gossip"}, "kind"),
        ("ask_testimony", {"text": "ok", "contact": "me"}, "contact"),
        ("ask_testimony", {"text": "ok", "email_hash": "0" * 64}, "email_hash"),
        ("ask_testimony", {"text": "ok", "update_id": "01JZZZZZZZZZZZZZZZZZZZZZZZ"}, "update_id"),
        ("ask_advice", {"text": "ok", "press_consent": True}, "press_consent"),
        ("ask_advice", {"text": "ok", "kind": "testimony"}, "kind"),
        ("ask_advice", {"text": "ok", "contact": "a\r\nb"}, "contact"),
        ("ask_advice", {"text": "ok", "contact": "x" * 301}, "contact"),
    ],
)
def test_a_bad_json_response_is_a_422_naming_the_field_and_stores_nothing(
    mobilise: Mobilise, type_: str, body: dict[str, Any], field: str
) -> None:
    path = _asking(mobilise, type_)
    before = mobilise.items()

    reply = mobilise.request("POST", path, body)

    assert reply.status == 422, reply.text
    assert field in [problem["field"] for problem in reply.json()["fields"]], reply.text
    assert mobilise.items() == before


def test_a_bad_form_shows_the_form_again_with_the_problem_and_stores_nothing(
    mobilise: Mobilise,
) -> None:
    path = _asking(mobilise)
    before = mobilise.items()

    reply = _post_form(mobilise, path, text=" ", name="<b>Sam</b>")

    assert reply.status == 422, reply.text
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "text:" in reply.text
    assert "&lt;b&gt;Sam&lt;/b&gt;" in reply.text
    assert "<b>Sam" not in reply.text
    assert mobilise.items() == before


def test_a_body_that_is_neither_json_nor_a_form_is_refused(mobilise: Mobilise) -> None:
    path = _asking(mobilise)
    before = mobilise.items()

    reply = mobilise.request("POST", path, raw="text=hi", headers={"Content-Type": "text/plain"})
    broken = mobilise.request("POST", path, raw="{not json")

    assert reply.status == 415, reply.text
    assert broken.status == 400, broken.text
    assert broken.json()["error"]["code"] == "invalid_json"
    assert mobilise.items() == before


def test_a_form_with_too_many_fields_is_a_422(mobilise: Mobilise) -> None:
    path = _asking(mobilise)
    before = mobilise.items()

    reply = mobilise.request("POST", path, raw="text=hi" + "&x=1" * 30, headers=FORM)

    assert reply.status == 422, reply.text
    assert mobilise.items() == before


def test_a_signer_gives_at_most_five_responses_to_an_update(on_both: Mobilise) -> None:
    """On moto and on DynamoDB Local (conditions and transactions as AWS runs them)."""
    mobilise = on_both
    # Given a testimony link, and five testimonies sent through it
    path = _asking(mobilise)
    for index in range(responses.PER_SIGNER):
        assert mobilise.request("POST", path, {"text": f"Part {index}"}).status == 201
    before = mobilise.items()

    # When a sixth is sent, as JSON and with the form
    refused = mobilise.request("POST", path, {"text": "Part 6"})
    page = _post_form(mobilise, path, text="Part 6")

    # Then both are refused, and nothing more is stored
    assert refused.status == 409, refused.text
    assert refused.json()["error"]["code"] == "too_many_responses"
    assert page.status == 409, page.text
    assert "5" in page.text
    assert mobilise.items() == before
    # And another signer of the same petition is not held back by it
    petition_id, update_id = _ids(path)
    assert mobilise.sign(petition_id, "kim@example.org").status == 201
    other = _link(petition_id, update_id, "kim@example.org")
    assert mobilise.request("POST", other, {"text": "Mine"}).status == 201


def test_the_limit_holds_when_responses_arrive_at_once(on_both: Mobilise) -> None:
    """On moto and on DynamoDB Local (conditions and transactions as AWS runs them)."""
    mobilise = on_both
    # Given a signer who already gave four responses
    path = _asking(mobilise)
    for index in range(responses.PER_SIGNER - 1):
        assert mobilise.request("POST", path, {"text": f"Part {index}"}).status == 201

    # When three more arrive together, released by a barrier
    replies = at_once(3, lambda index: mobilise.request("POST", path, {"text": f"Late {index}"}))
    statuses = [reply.status for reply in replies]

    # Then exactly one is taken
    assert sorted(statuses) == [201, 409, 409]
    assert len(_listed(mobilise, path).json()["responses"]) == responses.PER_SIGNER


def test_the_link_of_a_signer_who_is_no_longer_there_is_refused(mobilise: Mobilise) -> None:
    # Given a genuine respond link of an address that never signed (or was erased)
    path = _asking(mobilise)
    petition_id, update_id = _ids(path)
    nobody = _link(petition_id, update_id, "nobody@example.org")
    invalid = mobilise.request("POST", path + "x", {"text": "Hi"})
    before = mobilise.items()

    # When it is used
    reply = mobilise.request("POST", nobody, {"text": "Hi"})

    # Then it is refused exactly as a tampered link is, and nothing is written
    assert reply.status == 404, reply.text
    assert (reply.status, reply.text) == (invalid.status, invalid.text)
    assert mobilise.items() == before


@pytest.mark.parametrize("content", ["json", "form", "page"])
def test_a_tampered_or_expired_respond_link_is_refused_without_saying_why(
    mobilise: Mobilise, content: str
) -> None:
    path = _asking(mobilise)
    token = path.rsplit("/", 1)[1]
    tampered = "/respond/" + token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    def follow(target: str) -> Reply:
        if content == "json":
            return mobilise.request("POST", target, {"text": "Hi"})
        if content == "form":
            return _post_form(mobilise, target, text="Hi")
        return mobilise.request("GET", target, headers={"Accept": "text/html"})

    before = mobilise.items()
    refused = follow(tampered)
    garbage = follow("/respond/not-a-token")
    clock.advance((links.RESPOND_VALIDITY + timedelta(seconds=1)).total_seconds())
    expired = follow(path)

    assert refused.status == 404, refused.text
    assert (refused.status, refused.text) == (garbage.status, garbage.text)
    assert (expired.status, expired.text) == (garbage.status, garbage.text)
    assert mobilise.items() == before


# What the starter sees ----------------------------------------------------------------------


def test_the_starter_lists_responses_newest_first_a_page_at_a_time(mobilise: Mobilise) -> None:
    # Given three signers who each sent a testimony, a minute apart
    path = _asking(mobilise)
    petition_id, update_id = _ids(path)
    for index, address in enumerate(["a@example.org", "b@example.org", "c@example.org"]):
        assert mobilise.sign(petition_id, address).status == 201
        reply = mobilise.request(
            "POST", _link(petition_id, update_id, address), {"text": f"Story {index}"}
        )
        assert reply.status == 201, reply.text
        clock.advance(60)

    # When the starter reads them two at a time
    first = _listed(mobilise, path, query="?limit=2").json()
    second = _listed(mobilise, path, query=f"?limit=2&cursor={first['next_cursor']}").json()

    # Then they come newest first, and the second page ends the list
    assert [r["text"] for r in first["responses"]] == ["Story 2", "Story 1"]
    assert [r["text"] for r in second["responses"]] == ["Story 0"]
    assert second["next_cursor"] is None
    assert set(first["responses"][0]) == {
        "response_id",
        "update_id",
        "kind",
        "text",
        "name",
        "contact",
        "press_consent",
        "created_at",
    }
    assert first["responses"][0]["created_at"].endswith("Z")
    # And a cursor this API did not give is refused
    bad = _listed(mobilise, path, query="?cursor=bm90LWFuLWlk")
    assert bad.status == 400, bad.text


def test_responses_are_for_the_starter_only(mobilise: Mobilise) -> None:
    # Given a testimony on alice's petition
    path = _asking(mobilise)
    assert mobilise.request("POST", path, {"text": "Secret story"}).status == 201
    petition_id, update_id = _ids(path)
    unknown = "01JZZZZZZZZZZZZZZZZZZZZZZZ"

    # When others ask for them / Then nobody but alice reads them
    for reply in (_listed(mobilise, path, user="mallory"), _csv(mobilise, path, user="mallory")):
        assert reply.status == 403, reply.text
        assert "Secret story" not in reply.text
    anonymous = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses.csv"
    )
    assert anonymous.status == 401, anonymous.text
    for suffix in ("responses", "responses.csv"):
        for petition, update in ((petition_id, unknown), (unknown, update_id)):
            missing = mobilise.request(
                "GET", f"/petitions/{petition}/updates/{update}/{suffix}", user="alice"
            )
            assert missing.status == 404, missing.text
    # And the public views of the update never show them
    public = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}")
    listing = mobilise.request("GET", f"/petitions/{petition_id}/updates")
    assert "Secret story" not in public.text + listing.text


def test_the_csv_export_has_a_bom_a_header_and_one_row_per_response(mobilise: Mobilise) -> None:
    # Given two testimonies, one with consent and a multi-line text with commas and quotes
    path = _asking(mobilise)
    _petition_id, update_id = _ids(path)
    text = 'First line, with a comma\nSecond "quoted" line'
    assert (
        mobilise.request(
            "POST", path, {"text": text, "name": "Sam Étienne", "press_consent": True}
        ).status
        == 201
    )
    clock.advance(60)
    assert mobilise.request("POST", path, {"text": "Short"}).status == 201

    # When the starter exports them
    reply = _csv(mobilise, path)

    # Then it is CSV in UTF-8 with a byte order mark, downloaded as a file
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert "charset=utf-8" in reply.headers["Content-Type"]
    assert reply.headers["Content-Disposition"] == (
        f'attachment; filename="responses-{update_id}.csv"'
    )
    assert reply.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(reply.text.removeprefix("\ufeff"))))
    # And a header, then the responses oldest first, one row each
    assert rows[0] == ["created_at", "kind", "name", "contact", "press_consent", "text"]
    assert [row[1:] for row in rows[1:]] == [
        ["testimony", "Sam Étienne", "", "yes", text],
        ["testimony", "", "", "no", "Short"],
    ]
    assert all(row[0].endswith("Z") for row in rows[1:])


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_that_a_spreadsheet_would_run_are_defused(mobilise: Mobilise, start: str) -> None:
    # Given an advice whose text, name and contact start as spreadsheet formulas
    path = _asking(mobilise, "ask_advice")
    formula = f'{start}HYPERLINK("https://evil.example","click")'
    body = {"kind": "contact", "text": formula, "name": formula, "contact": formula}
    reply = mobilise.request("POST", path, body)
    assert reply.status == 201, reply.text

    # When the starter exports it
    rows = list(csv.reader(io.StringIO(_csv(mobilise, path).text.removeprefix("\ufeff"))))

    # Then every cell that started with a formula character starts with a quote instead
    (row,) = rows[1:]
    cells = dict(zip(rows[0], row, strict=True))
    assert cells["text"] == cells["name"] == cells["contact"] == "'" + formula
    # And the JSON listing keeps the text as it was sent
    (listed,) = _listed(mobilise, path).json()["responses"]
    assert listed["text"] == formula


def test_a_csv_cell_is_defused_by_the_export_itself() -> None:
    # The rule on its own, for what the API's validation already keeps out of a cell's start
    # (a tab, a carriage return) should a stored response ever hold it
    assert responses._cell("=1+1") == "'=1+1"
    assert responses._cell("\r=1") == "'\r=1"
    assert responses._cell("\t@x") == "'\t@x"
    assert responses._cell("-1") == "'-1"
    assert responses._cell("plain") == "plain"
    assert responses._cell(None) == ""


def test_no_response_text_name_contact_or_token_appears_in_the_logs(mobilise: Mobilise) -> None:
    # Given the logs of the functions, captured as Powertools writes them
    from mobilise.core.observability import logger

    logs = io.StringIO()
    handler = logging.StreamHandler(logs)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)
    underlying.addHandler(handler)
    try:
        # When a signer opens the form, sends advice with a contact, and the starter reads it
        path = _asking(mobilise, "ask_advice")
        mobilise.request("GET", path)
        sent = _post_form(
            mobilise,
            path,
            kind="contact",
            text="Ask Claude Dupont at the prefecture",
            name="Dominique Secret",
            contact="+33 6 12 34 56 78",
        )
        assert sent.status == 201, sent.text
        _listed(mobilise, path)
        _csv(mobilise, path)
    finally:
        underlying.removeHandler(handler)
    captured = logs.getvalue()

    # Then the logs say a response came, but not what, from whom, or with which link
    assert "response received" in captured
    token = path.rsplit("/", 1)[1]
    for secret in ("Claude Dupont", "Dominique Secret", "34 56 78", token, SIGNER):
        assert secret not in captured, secret
