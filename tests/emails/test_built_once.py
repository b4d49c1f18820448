"""An email built once per rendering and addressed per recipient by putting in only their
parts (mobilise.emails.wire) is, on the wire, the message the email package builds for that
recipient: the same header lines, and parts that decode to the same text."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import errors

import pytest
from mobilise_bench import naive

from mobilise.core.links import SignerRef
from mobilise.delivery import sending
from mobilise.emails import rendering
from tests import email_examples

CRLF = b"\r\n"
SENDER = email_examples.SETTINGS["SENDER_ADDRESS"]
BOUNDARY = re.compile(rb'boundary="([^"]+)"')


@pytest.fixture(scope="module", autouse=True)
def _offline() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch, email_examples.offline(monkeypatch):
        yield


def _by_the_email_package(
    rendered: rendering.Rendered, to: str, links: rendering.RecipientLinks
) -> bytes:
    """The message as Python's email package writes it for one recipient, whole."""
    return naive.whole_message(rendered, sender=SENDER, to=to, links=links)


def _headers(raw: bytes) -> bytes:
    head = raw.partition(CRLF + CRLF)[0]
    found = BOUNDARY.search(head)
    assert found
    return head.replace(found.group(1), b"BOUNDARY")


def _decoded(raw: bytes) -> list[tuple[bytes, str]]:
    """Each part's header lines (but its encoding) and its decoded text."""
    found = []
    for part in email.message_from_bytes(raw).walk():
        if part.is_multipart():
            continue
        headers = b"".join(
            f"{name}: {value}".encode()
            for name, value in part.items()
            if name != "Content-Transfer-Encoding"
        )
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append((headers, payload.decode()))
    return found


def _cases() -> Iterator[tuple[str, rendering.Rendered, str, rendering.RecipientLinks]]:
    with pytest.MonkeyPatch.context() as monkeypatch, email_examples.offline(monkeypatch):
        petition = email_examples.petition(language="fr")
        for update_type in sorted(email_examples.EXAMPLES):
            update = email_examples.update(email_examples.EXAMPLES[update_type])
            rendered = rendering.render_update(petition, update)
            for index, address in enumerate(["zoe@example.org", "o'brien.x+tag@example.org"]):
                signer = SignerRef(email_examples.PETITION_ID, f"{index:064x}", update.update_id)
                links = sending.recipient_links(signer, rendered)
                yield update_type, rendered, address, links
            if update_type in ("ask_advice", "event"):  # links that HTML must escape
                odd = "https://x.example/r?a=1&b='2'&c=\"3\""
                yield (
                    update_type,
                    rendered,
                    "zoe@example.org",
                    rendering.RecipientLinks(
                        unsubscribe="https://x.example/u?a=1", respond=odd, rsvp=odd, signer="s&t"
                    ),
                )
        confirmation = rendering.render_confirmation(
            petition_title="Sauvons <le> bois & la forêt",
            confirm_url="https://x.example/c?a=1&b=2",
            language="en",
        )
        yield "confirmation", confirmation, "zoe@example.org", rendering.RecipientLinks(None)


CASES = list(_cases())


@pytest.mark.parametrize(
    ("name", "rendered", "to", "links"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_an_email_built_once_is_the_one_the_email_package_builds_for_each_recipient(
    name: str, rendered: rendering.Rendered, to: str, links: rendering.RecipientLinks
) -> None:
    # When the email is addressed to one recipient from the message built once
    raw = rendering.addressed(rendered, sender=SENDER, to=to, links=links)

    # Then its header lines are the email package's, byte for byte (but the random boundary)
    whole = _by_the_email_package(rendered, to, links)
    assert _headers(raw) == _headers(whole)
    # And each part has the package's headers and decodes to the same text, links and all
    assert _decoded(raw) == _decoded(whole)
    # And every encoded line is one quoted-printable line (RFC 2045: 76 characters at most)
    body = raw.partition(CRLF + CRLF)[2]
    assert max(len(line) for line in body.split(CRLF)) <= 76


def test_two_recipients_of_one_email_get_each_their_own_links_and_nothing_of_the_other() -> None:
    # Given an update asking for testimonies, rendered once
    _, rendered, _, _ = next(case for case in CASES if case[0] == "ask_testimony")
    first, second = (
        sending.recipient_links(SignerRef(email_examples.PETITION_ID, f"{n:064x}", "U1"), rendered)
        for n in (1, 2)
    )

    # When it is addressed to two signers
    one = rendering.addressed(rendered, sender=SENDER, to="one@example.org", links=first)
    two = rendering.addressed(rendered, sender=SENDER, to="two@example.org", links=second)

    # Then each carries its own unsubscribe and respond links and none of the other's
    for raw, own, other in ((one, first, second), (two, second, first)):
        text = "".join(part for _, part in _decoded(raw))
        assert own.unsubscribe is not None
        assert own.respond is not None
        assert other.unsubscribe is not None
        assert other.respond is not None
        assert own.unsubscribe in text
        assert own.respond in text
        assert other.unsubscribe not in text
        assert other.respond not in text
        assert raw.count(f"<{own.unsubscribe}>".encode()) == 1  # List-Unsubscribe, whole


def test_a_subject_that_names_a_placeholder_of_the_message_built_once_stays_a_subject() -> None:
    # Given an update whose title reads as the headers a message is built with
    petition = email_examples.petition(language="en")
    title = "To: to@placeholder.invalid List-Unsubscribe: <https://placeholder.invalid/x>"
    update = email_examples.update({**email_examples.EXAMPLES["news"], "title": title})
    rendered = rendering.render_update(petition, update)
    links = sending.recipient_links(SignerRef(email_examples.PETITION_ID, "a" * 64, "U"), rendered)

    # When it is addressed
    raw = rendering.addressed(rendered, sender=SENDER, to="zoe@example.org", links=links)

    # Then its headers are the email package's: one To, one List-Unsubscribe, the subject whole
    assert _headers(raw) == _headers(_by_the_email_package(rendered, "zoe@example.org", links))
    assert raw.count(b"\r\nTo: zoe@example.org\r\n") == 1


def test_an_address_the_email_package_refuses_is_refused_with_its_error() -> None:
    _, rendered, _, links = CASES[0]
    with pytest.raises(errors.NonASCIILocalPartDefect):
        rendering.addressed(rendered, sender=SENDER, to="josé@example.org", links=links)
