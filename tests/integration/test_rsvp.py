"""RSVPs: a signer's yes or no to an event, counted on the event, kept per signer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from mobilise.core import clock, crypto, links
from mobilise.core.links import SignerRef
from mobilise.engagement import store as engagement_store
from mobilise.table import items
from tests.integration.harness import PUBLIC_URL, Mobilise, Reply, at_once

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _event(mobilise: Mobilise, type_: str = "event", **extra: str) -> tuple[str, str]:
    """A petition of alice's with a published update of ``type_``: (petition_id, update_id)."""
    petition_id = mobilise.create_petition()
    fields: dict[str, Any] = {"type": type_, **extra}
    if type_ == "event":
        starts = clock.now() + timedelta(days=3)
        fields |= {
            "kind": "demonstration",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "time_zone": "Europe/Paris",
            "place": "Place de la République",
        }
    published = mobilise.publish(petition_id, title="March on Saturday", **fields)
    assert published.status == 201, published.text
    return petition_id, published.json()["update_id"]


def _link(mobilise: Mobilise, petition_id: str, update_id: str, address: str) -> str:
    """``address`` signs (if it has not yet), and this is their RSVP link's path."""
    if not any(item["sk"] == f"EMAIL#{crypto.email_hash(address)}" for item in mobilise.items()):
        assert mobilise.sign(petition_id, address).status == 201
    url = links.rsvp_url(SignerRef(petition_id, crypto.email_hash(address), update_id))
    return url.removeprefix(PUBLIC_URL)


def _answer(mobilise: Mobilise, path: str, answer: str, *, form: bool = False) -> Reply:
    if form:
        return mobilise.request("POST", path, raw=urlencode({"answer": answer}), headers=FORM)
    return mobilise.request("POST", path, {"answer": answer})


def _counts(mobilise: Mobilise, petition_id: str, update_id: str) -> tuple[int, int]:
    update = items.get_update(petition_id, update_id)
    return int(update.rsvp_yes or 0), int(update.rsvp_no or 0)


def test_the_rsvp_page_asks_with_two_buttons_and_answers_nothing(mobilise: Mobilise) -> None:
    # Given an event and a signer's RSVP link
    petition_id, update_id = _event(mobilise)
    path = _link(mobilise, petition_id, update_id, "sam@example.org")
    before = mobilise.items()

    # When the link is opened (as a link scanner would)
    page = mobilise.request("GET", path, headers={"Accept": "text/html"})

    # Then it is a page with Yes and No buttons in a POST form, and nothing is answered
    assert page.status == 200, page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert '<form method="post" class="choices">' in page.text  # no action: it posts to its link
    assert 'name="answer" value="yes"' in page.text
    assert 'name="answer" value="no"' in page.text
    assert "March on Saturday" in page.text
    assert "Place de la République" in page.text
    assert "Europe/Paris" in page.text
    assert mobilise.items() == before
    # And a client asking for JSON learns there is no answer yet
    described = mobilise.request("GET", path, headers={"Accept": "application/json"})
    assert described.json() == {"update_id": update_id, "answer": None}


def test_answers_are_counted_once_and_a_change_moves_the_count(on_both: Mobilise) -> None:
    """On moto and on DynamoDB Local (conditions and transactions as AWS runs them)."""
    mobilise = on_both
    # Given an event and two signers
    petition_id, update_id = _event(mobilise)
    sam = _link(mobilise, petition_id, update_id, "sam@example.org")
    kim = _link(mobilise, petition_id, update_id, "kim@example.org")

    # When sam says yes twice, with the form, and kim says yes as JSON
    page = _answer(mobilise, sam, "yes", form=True)
    assert page.status == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert _answer(mobilise, sam, "yes", form=True).status == 200
    reply = _answer(mobilise, kim, "yes")
    assert reply.status == 200, reply.text
    assert reply.json() == {"update_id": update_id, "answer": "yes"}

    # Then the event counts two yes
    assert _counts(mobilise, petition_id, update_id) == (2, 0)

    # When kim changes to no, then no again, then sam to no and back to yes
    for path, answer in ((kim, "no"), (kim, "no"), (sam, "no"), (sam, "yes")):
        assert _answer(mobilise, path, answer).status == 200

    # Then the counts follow the last answers, and each signer's answer is kept
    assert _counts(mobilise, petition_id, update_id) == (1, 1)
    answers = {
        item["email_hash"]: item["answer"]
        for item in mobilise.items()
        if item["sk"].startswith(f"RSVP#{update_id}#")
    }
    assert answers == {
        crypto.email_hash("sam@example.org"): "yes",
        crypto.email_hash("kim@example.org"): "no",
    }
    # And the page shows the answer so far
    assert "yes" in mobilise.request("GET", sam, headers={"Accept": "application/json"}).text


def test_answers_given_at_once_by_one_signer_count_once(on_both: Mobilise) -> None:
    """On moto and on DynamoDB Local (conditions and transactions as AWS runs them)."""
    mobilise = on_both
    # Given a signer who said no
    petition_id, update_id = _event(mobilise)
    sam = _link(mobilise, petition_id, update_id, "sam@example.org")
    assert _answer(mobilise, sam, "no").status == 200

    # When four answers (yes, no, yes, no) arrive together
    answers = ("yes", "no", "yes", "no")
    replies = at_once(4, lambda index: _answer(mobilise, sam, answers[index]))
    statuses = [reply.status for reply in replies]

    # Then the counts hold one answer only: the one stored
    (stored,) = [i for i in mobilise.items() if i["sk"].startswith(f"RSVP#{update_id}#")]
    expected = (1, 0) if stored["answer"] == "yes" else (0, 1)
    assert _counts(mobilise, petition_id, update_id) == expected
    assert set(statuses) <= {200, 409}


@pytest.mark.parametrize(
    "body",
    [{"answer": "maybe"}, {}, {"answer": "yes", "extra": 1}, {"answer": True}],
    ids=["maybe", "nothing", "unknown field", "not a string"],
)
def test_a_bad_answer_is_a_422_and_changes_nothing(
    mobilise: Mobilise, body: dict[str, Any]
) -> None:
    petition_id, update_id = _event(mobilise)
    sam = _link(mobilise, petition_id, update_id, "sam@example.org")
    before = mobilise.items()

    reply = mobilise.request("POST", sam, body)

    assert reply.status == 422, reply.text
    assert reply.json()["fields"][0]["field"] in ("answer", "extra")
    assert mobilise.items() == before


def test_a_bad_answer_from_the_form_shows_the_page_again(mobilise: Mobilise) -> None:
    petition_id, update_id = _event(mobilise)
    sam = _link(mobilise, petition_id, update_id, "sam@example.org")
    before = mobilise.items()

    reply = _answer(mobilise, sam, "maybe", form=True)

    assert reply.status == 422, reply.text
    assert 'value="yes"' in reply.text
    assert mobilise.items() == before


@pytest.mark.parametrize("type_", ["news", "ask_testimony"])
def test_an_rsvp_link_of_an_update_that_is_not_an_event_is_not_found(
    mobilise: Mobilise, type_: str
) -> None:
    fields = {"prompt": "Tell us"} if type_ == "ask_testimony" else {}
    petition_id, update_id = _event(mobilise, type_, **fields)
    path = _link(mobilise, petition_id, update_id, "sam@example.org")
    before = mobilise.items()

    page = mobilise.request("GET", path, headers={"Accept": "text/html"})
    posted = _answer(mobilise, path, "yes")

    assert page.status == 404, page.text
    assert posted.status == 404, posted.text
    assert posted.json()["error"]["code"] == "invalid_link"
    assert mobilise.items() == before


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
def test_a_tampered_expired_or_orphaned_rsvp_link_is_refused_without_saying_why(
    mobilise: Mobilise, form: bool
) -> None:
    # Given an event, sam's genuine link, and a genuine link for an address that never signed
    petition_id, update_id = _event(mobilise)
    sam = _link(mobilise, petition_id, update_id, "sam@example.org")
    token = sam.rsplit("/", 1)[1]
    nobody = links.rsvp_url(SignerRef(petition_id, crypto.email_hash("no@example.org"), update_id))
    respond = links.respond_url(
        SignerRef(petition_id, crypto.email_hash("sam@example.org"), update_id)
    )
    before = mobilise.items()

    # When each is used
    garbage = _answer(mobilise, "/rsvp/not-a-token", "yes", form=form)
    refused = {
        "tampered": _answer(mobilise, f"/rsvp/{token[:-3]}AAA", "yes", form=form),
        "nobody": _answer(mobilise, nobody.removeprefix(PUBLIC_URL), "yes", form=form),
        "respond token": _answer(mobilise, "/rsvp/" + respond.rsplit("/", 1)[1], "yes", form=form),
    }
    clock.advance((links.RESPOND_VALIDITY + timedelta(seconds=1)).total_seconds())
    refused["expired"] = _answer(mobilise, sam, "yes", form=form)

    # Then each gets the answer of a link that is no link at all, and nothing is written
    assert garbage.status == 404, garbage.text
    assert {name: (r.status, r.text) for name, r in refused.items()} == dict.fromkeys(
        refused, (garbage.status, garbage.text)
    )
    assert mobilise.items() == before


def test_the_yes_answers_of_an_event_can_be_paged_for_reminders(on_both: Mobilise) -> None:
    """On moto and on DynamoDB Local (conditions and transactions as AWS runs them)."""
    mobilise = on_both
    # Given an event with seven signers: five say yes, two say no, one changes yes to no
    petition_id, update_id = _event(mobilise)
    answers = {f"s{index}@example.org": "yes" for index in range(5)}
    answers |= {"n1@example.org": "no", "n2@example.org": "no", "changed@example.org": "yes"}
    for address, answer in answers.items():
        assert (
            _answer(mobilise, _link(mobilise, petition_id, update_id, address), answer).status
            == 200
        )
    path = _link(mobilise, petition_id, update_id, "changed@example.org")
    assert _answer(mobilise, path, "no").status == 200

    # When the yes answers are read three at a time
    pages: list[list[str]] = []
    cursor = None
    while True:
        hashes, cursor = engagement_store.rsvp_yes_page(petition_id, update_id, cursor, 3)
        pages.append(hashes)
        if cursor is None or len(pages) > 10:
            break
    found = [email_hash for page in pages for email_hash in page]

    # Then they are exactly the five who still say yes, each once
    assert sorted(found) == sorted(crypto.email_hash(f"s{index}@example.org") for index in range(5))
    assert [len(page) for page in pages[:2]] == [3, 2]
    assert all(page == [] for page in pages[2:])
