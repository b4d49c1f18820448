"""Signing: once per mailbox, one public answer whatever the address's history, an honest
count, and a confirmation that only a person's click (a POST) makes."""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from mobilise.core import clock, crypto, links
from mobilise.emails.rendering import one_line
from tests.integration.harness import Mobilise, Reply, at_once, running_on_moto

#: A morning far from midnight UTC, when the daily windows of the caps turn.
MORNING = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def opt_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        clock.freeze(MORNING)
        yield system


def _signatures(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [item for item in mobilise.items() if str(item["sk"]).startswith("EMAIL#")]


def _raw_to(address: str) -> list[bytes]:
    """The raw MIME of every email SES accepted for ``address``, as SES received it."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    return [
        message.raw_data.encode()
        for message in sent
        if re.search(rf"^To: {re.escape(address)}\r?$", message.raw_data, re.M | re.I)
    ]


def _answer(reply: Reply) -> tuple[int, dict[str, str], str]:
    """What a client sees of an answer (the gateway's request id aside)."""
    headers = {
        name: value for name, value in reply.headers.items() if "request" not in name.lower()
    }
    return reply.status, headers, reply.text


def _text(raw: bytes) -> str:
    """The text part of a raw email, decoded (what a reader sees of it)."""
    message = email.message_from_bytes(raw, policy=default)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _confirm_path(mobilise: Mobilise, address: str) -> str:
    """The path of the link of the last confirmation email to ``address``."""
    texts = [_text(raw) for raw in _raw_to(address)]
    found = [re.search(r"https://mobilise\.test(/signatures/confirm/\S+)", text) for text in texts]
    paths = [match.group(1) for match in found if match]
    assert paths, texts
    return paths[-1]


def _a_moment_later(sign: Callable[[], Reply]) -> Reply:
    clock.advance(0.001)
    return sign()


def _public_count(mobilise: Mobilise, petition_id: str) -> int:
    count: int = mobilise.request("GET", f"/petitions/{petition_id}").json()["signer_count"]
    return count


# Once per mailbox ---------------------------------------------------------------------------


def test_signing_twice_with_the_same_address_is_one_signature(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    clock.freeze(MORNING)

    first = mobilise.sign(petition_id, "Camille.Durand@Example.org")
    again = mobilise.sign(petition_id, "  camille.durand@example.ORG ")

    assert first.status == 201
    assert _answer(again) == _answer(first)
    assert len(_signatures(mobilise)) == 1
    assert _public_count(mobilise, petition_id) == 1


def test_a_signature_is_stored_under_a_hash_and_records_consent(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.sign(petition_id, "Lea@Example.org", wants_updates=True, language="fr")

    assert reply.status == 201
    assert reply.json()["wants_updates"] is True
    (signature,) = _signatures(mobilise)
    assert "lea@example.org" not in signature["sk"].lower()
    assert "lea@example.org" not in signature["pk"].lower()
    assert signature["email"] == "Lea@example.org"  # as typed; the domain is case-blind
    assert signature["consent_version"]
    assert signature["consent_at"]


def test_signatures_are_spread_over_shards(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    for index in range(40):
        assert mobilise.sign(petition_id, f"signer{index}@example.org").status == 201

    partitions = {item["pk"] for item in _signatures(mobilise)}
    assert len(partitions) > 8
    assert _public_count(mobilise, petition_id) == 40


def test_the_gmail_forms_of_one_mailbox_are_one_signature_sent_to_the_address_typed(
    mobilise: Mobilise,
) -> None:
    # Given one Gmail mailbox, typed four ways
    petition_id = mobilise.create_petition()
    forms = ["ab+x@gmail.com", "a.b@gmail.com", "ab@gmail.com", "A.B+petitions@googlemail.com"]

    # When each signs
    replies = [mobilise.sign(petition_id, form) for form in forms]

    # Then there is one signature, counted once, that keeps the address first typed
    assert [reply.status for reply in replies] == [201] * 4
    (signature,) = _signatures(mobilise)
    assert signature["email"] == "ab+x@gmail.com"
    assert _public_count(mobilise, petition_id) == 1
    # And the updates go to that address, once
    assert mobilise.publish(petition_id, title="One mailbox").status == 201
    mobilise.run_queues()
    assert [m["to"] for m in mobilise.outbox() if m["subject"] == "One mailbox"] == [
        ["ab+x@gmail.com"]
    ]
    # And erasing any of its forms erases it, and takes it off the count
    erased = mobilise.invoke("PrivacyFunction", {"action": "erase", "email": "AB@gmail.com"})
    assert erased["signatures_erased"] == 1
    assert _signatures(mobilise) == []
    assert _public_count(mobilise, petition_id) == 0


def test_an_address_that_email_cannot_carry_is_refused_naming_the_field(
    mobilise: Mobilise,
) -> None:
    # Given a petition, and an address with an accent before the @ (SES speaks no SMTPUTF8)
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    # When it signs
    reply = mobilise.sign(petition_id, "josé@example.org")

    # Then it is a 422 naming the field, saying why in words, and nothing is written
    assert reply.status == 422, reply.text
    body = reply.json()
    assert body["error"]["code"] == "validation_error"
    ((field),) = body["fields"]
    assert field["field"] == "email"
    assert field["message"] == (
        "our email service cannot deliver to an address with é before the @: use an address "
        "with only letters without accents, digits and . _ - + before the @"
    )
    assert mobilise.items() == before


def test_an_internationalised_domain_is_signed_and_written_to_in_ascii(opt_in: Mobilise) -> None:
    # Given a petition
    petition_id = opt_in.create_petition()

    # When an address at an internationalised domain signs
    assert opt_in.sign(petition_id, "anna@bücher.de").status == 201
    opt_in.run_queues()

    # Then it is kept, and its confirmation goes out with the domain in ASCII (IDNA)
    (signature,) = _signatures(opt_in)
    assert signature["email"] == "anna@xn--bcher-kva.de"
    (raw,) = _raw_to("anna@xn--bcher-kva.de")
    assert b"\r\nTo: anna@xn--bcher-kva.de\r\n" in raw
    assert raw.isascii()


# One answer whatever the address's history -------------------------------------------------


def test_the_answer_to_a_signature_never_tells_whether_the_address_had_signed(
    opt_in: Mobilise,
) -> None:
    # Given a petition, and the answer to an address that never signed it
    petition_id = opt_in.create_petition()
    new = opt_in.sign(petition_id, "first.time@example.org")

    # When an address signs, signs again unconfirmed, confirms, and signs once more (each a
    # millisecond later: the same second, so the answers' signed_at are alike)
    signed = _a_moment_later(lambda: opt_in.sign(petition_id, "known@example.org"))
    unconfirmed_again = _a_moment_later(lambda: opt_in.sign(petition_id, "known@example.org"))
    opt_in.run_queues()
    assert opt_in.request("POST", _confirm_path(opt_in, "known@example.org")).status == 200
    confirmed_again = _a_moment_later(lambda: opt_in.sign(petition_id, "KNOWN@example.org"))
    opt_in.run_queues()

    # Then every answer is the same: status, headers and body
    assert new.status == 201
    assert new.json()["message"].startswith("Thank you. Check your inbox")
    for reply in (signed, unconfirmed_again, confirmed_again):
        assert _answer(reply) == _answer(new)
    # And the emails tell the person what happened: confirm, confirm again, already signed
    subjects = [
        re.search(rb"^Subject: (.*?)\r$", raw, re.M).group(1)  # type: ignore[union-attr]
        for raw in _raw_to("known@example.org")
    ]
    assert subjects == [
        b"Confirm your signature: Save the Bois de Vincennes",
        b"Confirm your signature: Save the Bois de Vincennes",
        b"You had already signed: Save the Bois de Vincennes",
    ]
    already = _raw_to("known@example.org")[-1]
    assert "/signatures/confirm/" not in _text(already)
    assert "your signature stands and counts once" in one_line(_text(already))
    # (its List-Unsubscribe is every email's: its bytes are tested with every kind of email)
    assert b"\r\nList-Unsubscribe: " in already
    # And the signature was counted once, and confirmed once
    assert _public_count(opt_in, petition_id) == 1


def test_without_double_opt_in_signing_again_sends_nothing_and_answers_the_same(
    mobilise: Mobilise,
) -> None:
    # Given a signer (double opt-in off: signatures count at once, signing sends no email)
    petition_id = mobilise.create_petition()
    clock.freeze(MORNING)
    first = mobilise.sign(petition_id, "sam@example.org", wants_updates=False)
    before = mobilise.items()

    # When the same address signs again
    again = mobilise.sign(petition_id, "sam@example.org", wants_updates=False)
    mobilise.run_queues()

    # Then the answer is the same, nothing changed, and no email was sent
    assert _answer(again) == _answer(first)
    assert [i for i in mobilise.items() if not str(i["pk"]).startswith("RATE#")] == [
        i for i in before if not str(i["pk"]).startswith("RATE#")
    ]
    assert mobilise.outbox() == []


def test_a_closed_petition_answers_alike_whether_the_address_had_signed(
    mobilise: Mobilise,
) -> None:
    # Given a petition signed by one address, then closed
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "known@example.org").status == 201
    closed = mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice")
    assert closed.status == 200
    clock.freeze(MORNING)

    # When that address and a new one sign it
    known = mobilise.sign(petition_id, "known@example.org")
    new = mobilise.sign(petition_id, "new@example.org")

    # Then both get the same refusal
    assert known.status == 404
    assert _answer(known) == _answer(new)


# The confirmation link: GET shows, POST confirms --------------------------------------------


def test_opening_the_confirmation_link_changes_nothing_and_its_button_confirms(
    opt_in: Mobilise,
) -> None:
    # Given two signers who asked for updates, not confirmed yet
    petition_id = opt_in.create_petition()
    for address in ("sam@example.org", "kim@example.org"):
        assert opt_in.sign(petition_id, address).status == 201
    opt_in.run_queues()
    link = _confirm_path(opt_in, "sam@example.org")
    before = opt_in.items()

    # When a mail scanner opens sam's link (GET, HEAD)
    page = opt_in.request("GET", link)
    head = opt_in.request("HEAD", link)

    # Then nothing changes: the page only asks, with one button that posts to the link
    assert opt_in.items() == before
    assert all("confirmed_at" not in signature for signature in _signatures(opt_in))
    assert page.status == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert re.search(
        r'<form method="post">\s*<button type="submit">Confirm my signature', page.text
    )
    assert head.status < 500  # a page without its body, or no such method: nothing done
    assert _public_count(opt_in, petition_id) == 0

    # When sam presses the button, twice
    done = opt_in.request(
        "POST", link, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    again = opt_in.request("POST", link)

    # Then sam is confirmed, once: the public count is the confirmed signatures
    assert (done.status, again.status) == (200, 200)
    assert "Signature confirmed" in done.text
    assert done.headers["Cache-Control"] == "no-store"
    confirmed = [s for s in _signatures(opt_in) if "confirmed_at" in s]
    assert [s["email"] for s in confirmed] == ["sam@example.org"]
    assert _public_count(opt_in, petition_id) == 1
    # And the starter sees both
    counts = opt_in.request("GET", f"/petitions/{petition_id}/signature-counts", user="alice")
    assert counts.status == 200
    assert counts.json() == {
        "petition_id": petition_id,
        "confirmed": 1,
        "unconfirmed": 1,
        "history": [{"date": "2026-12-04", "signed": 2, "confirmed": 1}],
    }
    # And only the starter
    other = opt_in.request("GET", f"/petitions/{petition_id}/signature-counts", user="mallory")
    assert other.status == 403


def test_a_confirmed_signature_erased_leaves_the_public_count(opt_in: Mobilise) -> None:
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "gone@example.org")
    opt_in.run_queues()
    opt_in.request("POST", _confirm_path(opt_in, "gone@example.org"))
    assert _public_count(opt_in, petition_id) == 1

    opt_in.invoke("PrivacyFunction", {"action": "erase", "email": "gone@example.org"})

    assert _public_count(opt_in, petition_id) == 0
    counts = opt_in.request("GET", f"/petitions/{petition_id}/signature-counts", user="alice")
    assert counts.json() == {
        "petition_id": petition_id,
        "confirmed": 0,
        "unconfirmed": 0,
        "history": [{"date": "2026-12-04", "signed": 1, "confirmed": 1}],  # what happened
    }
    assert not [i for i in opt_in.items() if crypto.email_hash("gone@example.org") in str(i)]


# One inbox cannot be flooded ----------------------------------------------------------------


def test_one_address_gets_at_most_ten_emails_a_day_from_signing_whoever_signs(
    opt_in: Mobilise,
) -> None:
    # Given four petitions, and four clients that sign with one victim's address, 21 times
    petitions = [opt_in.create_petition(owner=f"owner{index}") for index in range(4)]
    clients = [f"203.0.113.{index + 1}" for index in range(4)]
    victim = "victim@example.org"
    replies = []
    for attempt in range(21):
        petition_id = petitions[attempt % 4]
        client = clients[(attempt // 4) % 4]
        replies.append(opt_in.sign(petition_id, victim, source_ip=client))
        clock.advance(0.1)
    # and a fifth petition signed once the cap is reached
    fifth = opt_in.create_petition(owner="owner5")
    late = opt_in.sign(fifth, victim, source_ip="203.0.113.99")

    # When the queues are delivered
    opt_in.run_queues()

    # Then the victim got ten emails, every answer was the same, and every signature is kept
    assert len(_raw_to(victim)) == 10
    assert {reply.status for reply in [*replies, late]} == {201}
    assert {reply.json()["message"] for reply in [*replies, late]} == {replies[0].json()["message"]}
    signed = {s["petition_id"] for s in _signatures(opt_in)}
    assert signed == {*petitions, fifth}
    assert not [s for s in _signatures(opt_in) if "confirmed_at" in s]
    # And another address is not held back
    assert opt_in.sign(fifth, "bystander@example.org").status == 201
    opt_in.run_queues()
    assert len(_raw_to("bystander@example.org")) == 1

    # When the day has passed and the victim signs the fifth petition again
    clock.advance(timedelta(days=1).total_seconds())
    opt_in.sign(fifth, victim, source_ip="203.0.113.99")
    opt_in.run_queues()

    # Then one more confirmation is sent, for that petition
    assert len(_raw_to(victim)) == 11
    token = _confirm_path(opt_in, victim).rsplit("/", 1)[1]
    assert links.read_confirm(token).petition_id == fifth


def test_a_signature_confirmed_at_once_from_four_pages_counts_once(opt_in: Mobilise) -> None:
    # Given a signer's confirmation page open in four tabs
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "eager@example.org")
    opt_in.run_queues()
    link = _confirm_path(opt_in, "eager@example.org")

    # When the four buttons are pressed at once
    replies = at_once(4, lambda _: opt_in.request("POST", link))

    # Then each gets the done page, and the signature counts once
    assert [reply.status for reply in replies] == [200] * 4
    assert _public_count(opt_in, petition_id) == 1


def test_signatures_of_one_address_made_at_once_stay_within_its_email_cap(
    opt_in: Mobilise,
) -> None:
    # Given fourteen petitions
    petitions = [opt_in.create_petition(owner=f"owner{index}") for index in range(14)]

    # When one address signs all of them at once, from fourteen clients
    replies = at_once(
        14,
        lambda index: opt_in.sign(
            petitions[index], "target@example.org", source_ip=f"198.18.0.{index + 1}"
        ),
    )
    opt_in.run_queues()

    # Then every signature is kept, and ten emails were sent: the cap holds under a race
    assert [reply.status for reply in replies] == [201] * 14
    assert len(_signatures(opt_in)) == 14
    assert len(_raw_to("target@example.org")) == 10
