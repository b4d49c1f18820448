"""Every kind of email on the wire: its raw bytes as SES receives them (RFC 5322, 2047, 2369,
8058). Python's parser (``compat32``, which keeps each header's source text) only finds where a
header is; every assertion is on the bytes themselves."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest

from tests import email_examples
from tests.email_examples import Sent

CRLF = b"\r\n"
#: RFC 2369: a URI in angle brackets; RFC 8058: https, the one a client POSTs to.
ONE_CLICK_URI = re.compile(rb"<https://[\x21-\x2b\x2d-\x3b\x3d\x3f-\x7e]+>")
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@pytest.fixture(scope="module")
def sent() -> Iterator[dict[str, Sent]]:
    with pytest.MonkeyPatch.context() as monkeypatch, email_examples.offline(monkeypatch):
        yield {email.name: email for email in email_examples.every_email()}


def _header_block(raw: bytes) -> bytes:
    head, separator, _ = raw.partition(CRLF + CRLF)
    assert separator, "no blank line ends the headers"
    return head + CRLF


def _fields(raw: bytes) -> dict[str, list[bytes]]:
    """Each top-level header field's bytes on the wire (name, colon, value, folds and all),
    found where Python's compat32 parser, which keeps a field's source text, read it."""
    head = _header_block(raw)
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    fields: dict[str, list[bytes]] = {}
    for name, value in parsed.raw_items():
        source = re.escape(f"{name}:".encode()) + rb"[ \t]*" + re.escape(value.encode()) + CRLF
        found = re.search(rb"(?:^|(?<=\r\n))" + source, head)
        assert found, f"{name} is not on the wire as parsed: {value!r}"
        fields.setdefault(name.lower(), []).append(found.group())
    return fields


KINDS = [
    *(f"update-{kind}-{lang}" for kind in sorted(email_examples.EXAMPLES) for lang in ("fr", "en")),
    *(
        f"test-send-{kind}-{lang}"
        for kind in ("news", "event", "ask_advice")
        for lang in ("fr", "en")
    ),
    *(f"confirmation-{lang}" for lang in ("fr", "en")),
    *(f"already-signed-{lang}" for lang in ("fr", "en")),
    *(f"nudge-{count}-{lang}" for count in (1, 3, 1_000_000) for lang in ("fr", "en")),
    *(f"event-reminder-{lang}" for lang in ("fr", "en")),
    *(f"meeting-followup-{lang}" for lang in ("fr", "en")),
    *(f"scheduled-held-{lang}" for lang in ("fr", "en")),
    *(f"review-{outcome}-{lang}" for outcome in ("approved", "rejected") for lang in ("fr", "en")),
    *(f"paused-{reason}-{lang}" for reason in ("complaints", "bounces") for lang in ("fr", "en")),
    *(f"digest-{lang}" for lang in ("fr", "en")),
]


def test_the_examples_are_every_kind_of_email(sent: dict[str, Sent]) -> None:
    assert sorted(sent) == sorted(KINDS)


@pytest.mark.parametrize("name", KINDS)
def test_no_line_of_any_email_exceeds_998_octets_and_the_headers_are_ascii(
    name: str, sent: dict[str, Sent]
) -> None:
    # Given an email as SES receives it
    raw = sent[name].raw

    # Then every line ends with CRLF and holds at most 998 octets (RFC 5322, 2.1.1)
    assert raw.endswith(CRLF)
    lines = raw.split(CRLF)
    assert not any(b"\r" in line or b"\n" in line for line in lines)
    assert max(len(line) for line in lines) <= 998
    # and its headers are ASCII (SES does not take SMTPUTF8)
    assert _header_block(raw).isascii()


#: The emails to a starter about their own petition's work: nobody to unsubscribe.
TO_THE_STARTER_WITHOUT_UNSUBSCRIBE = ("test-send", "scheduled-held", "review-", "paused-")


@pytest.mark.parametrize(
    "name", [kind for kind in KINDS if not kind.startswith(TO_THE_STARTER_WITHOUT_UNSUBSCRIBE)]
)
def test_one_click_unsubscribe_is_the_uri_in_angle_brackets_unencoded(
    name: str, sent: dict[str, Sent]
) -> None:
    # Given an email that offers one-click unsubscribe
    email_sent = sent[name]
    assert email_sent.unsubscribe is not None
    fields = _fields(email_sent.raw)

    # Then List-Unsubscribe is exactly its URI, in angle brackets, with no encoded word
    # (RFC 2369, RFC 2047 section 5), on one line even past 78 characters
    (unsubscribe,) = fields["list-unsubscribe"]
    assert b"=?" not in unsubscribe
    assert unsubscribe == b"List-Unsubscribe: <" + email_sent.unsubscribe.encode() + b">" + CRLF
    assert ONE_CLICK_URI.fullmatch(unsubscribe.removeprefix(b"List-Unsubscribe: ").strip())
    assert len(email_sent.unsubscribe) > 78  # a real token: what used to be folded
    # and List-Unsubscribe-Post asks for a one-click POST (RFC 8058)
    assert fields["list-unsubscribe-post"] == [
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" + CRLF
    ]


@pytest.mark.parametrize("name", KINDS)
def test_the_subject_is_ascii_or_rfc_2047_encoded_words_that_read_back_as_written(
    name: str, sent: dict[str, Sent]
) -> None:
    # Given an email and the subject it was given
    email_sent = sent[name]
    (subject,) = _fields(email_sent.raw)["subject"]

    # Then each of its lines stays within 78 characters, each encoded word within 75
    # (RFC 2047, 2), and it decodes to the subject as written
    assert all(len(line) <= 78 for line in subject.split(CRLF))
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(subject))
    unfolded = re.sub(rb"\r\n(?=[ \t])", b"", subject)  # RFC 5322, 2.2.3
    value = unfolded.removeprefix(b"Subject:").decode("ascii").strip()
    assert str(make_header(decode_header(value))) == email_sent.subject
    if email_sent.subject.isascii():
        assert b"=?" not in subject


@pytest.mark.parametrize("name", KINDS)
def test_the_text_part_comes_before_the_html_part(name: str, sent: dict[str, Sent]) -> None:
    # Given an email
    raw = sent[name].raw
    (content_type,) = _fields(raw)["content-type"]
    boundary = re.search(rb'boundary="([^"]+)"', content_type)
    assert content_type.startswith(b"Content-Type: multipart/alternative;")
    assert boundary

    # Then its body is two parts, text/plain first, then text/html (the one clients prefer)
    parts = raw.split(b"--" + boundary.group(1))
    assert len(parts) == 4  # preamble, two parts, closing "--"
    assert parts[1].startswith(CRLF + b'Content-Type: text/plain; charset="utf-8"' + CRLF)
    assert parts[2].startswith(CRLF + b'Content-Type: text/html; charset="utf-8"' + CRLF)
    assert parts[3].startswith(b"--")


def _read(raw: bytes) -> tuple[str, str]:
    """The text and HTML a reader sees (the parts decoded from their transfer encoding)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    plain, html = (part.get_content() for part in message.iter_parts())
    return plain, html


TEST_SENDS = [kind for kind in KINDS if kind.startswith("test-send")]
BANNER = {
    "fr": "Ceci est un test de votre nouvelle",
    "en": "This is a test of your update",
}
SIGNED = {"fr": "vous avez signé", "en": "you signed"}
UNSUBSCRIBE = {
    "fr": "Ne plus recevoir les nouvelles de cette pétition",
    "en": "Stop receiving updates from this petition",
}


@pytest.mark.parametrize(
    "name", [kind for kind in KINDS if kind.startswith(("scheduled-held", "review-", "paused-"))]
)
def test_the_held_notice_offers_no_unsubscribe_that_cannot_work(
    name: str, sent: dict[str, Sent]
) -> None:
    # Given the notice that tells a starter their scheduled update waits for the 24 hours
    raw = sent[name].raw

    # Then no header offers an unsubscribe: the petition's page would answer the RFC 8058
    # POST with a 404, and the notice concerns the starter's own petition
    assert b"List-Unsubscribe" not in _header_block(raw)


@pytest.mark.parametrize("name", TEST_SENDS)
def test_a_test_send_says_what_it_is_and_offers_no_unsubscribe_that_cannot_work(
    name: str, sent: dict[str, Sent]
) -> None:
    # Given the test send of an update, as its starter receives it
    email_sent = sent[name]
    language = name.rsplit("-", 1)[1]
    fields = _fields(email_sent.raw)
    plain, html = _read(email_sent.raw)

    # Then no header offers an unsubscribe (there is no signer to unsubscribe)
    assert "list-unsubscribe" not in fields
    assert "list-unsubscribe-post" not in fields
    assert b"List-Unsubscribe" not in _header_block(email_sent.raw)
    # and its subject and both parts say it is a test, and not that the reader signed
    assert email_sent.subject.startswith("[Test] ")
    for part in (plain, html):
        assert BANNER[language] in part
        assert SIGNED[language] not in part
        assert "/unsubscribe/" not in part
        assert UNSUBSCRIBE[language] not in part
