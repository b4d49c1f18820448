"""What the sending paths give SES, read back from moto's SES as raw bytes: the test send
(through ``POST /petitions/{id}/updates/test``) and an update delivered to a signer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.emails.conftest import html_part
from tests.integration.harness import PUBLIC_URL, Mobilise, running_on_moto

UPDATE = {"type": "news", "title": "We met the mayor", "body": "She listened."}


@pytest.fixture
def mobilise(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    with running_on_moto() as system:
        yield system


def _raw_sent() -> list[bytes]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    return [str(message.raw_data).encode("ascii") for message in sent]


def _head(raw: bytes) -> bytes:
    return raw.partition(b"\r\n\r\n")[0] + b"\r\n"


def test_a_test_send_reaches_ses_saying_what_it_is_without_any_unsubscribe(
    mobilise: Mobilise,
) -> None:
    # Given a petition with a signer
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "signer@example.org").status == 201

    # When its starter sends a test of an update
    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates/test", UPDATE, user="alice")

    # Then SES received one message whose headers say it is a test and offer no unsubscribe
    assert reply.status == 202, reply.text
    (raw,) = _raw_sent()
    head = _head(raw)
    assert b"\r\nSubject: [Test] We met the mayor\r\n" in head
    assert b"List-Unsubscribe" not in head
    # and whose HTML shows a banner, and no unsubscribe link or "you signed"
    html = html_part(raw)
    assert "This is a test of your update" in html
    assert "/unsubscribe/" not in html
    assert "you signed" not in html


def test_an_update_reaches_ses_with_a_one_click_unsubscribe_that_works(
    mobilise: Mobilise,
) -> None:
    # Given a petition with a signer, and an update published and delivered
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "signer@example.org").status == 201
    assert mobilise.publish(petition_id).status == 201
    mobilise.run_queues()

    # When the raw message SES received is read
    (raw,) = _raw_sent()
    found = re.search(rb"\r\nList-Unsubscribe: <(https://[^>\s]+)>\r\n(?![ \t])", _head(raw))

    # Then List-Unsubscribe is the signer's own link, whole on one line, with its POST header
    assert found, _head(raw).decode()
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in _head(raw)
    url = found.group(1).decode()
    assert url.startswith(f"{PUBLIC_URL}/unsubscribe/")
    # and the RFC 8058 POST a mail client makes to it unsubscribes
    posted = mobilise.request(
        "POST",
        url.removeprefix(PUBLIC_URL),
        raw="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status == 200, posted.text
