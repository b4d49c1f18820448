"""From a published update to one email per consenting signer."""

from __future__ import annotations

import email
import re
from email.policy import default

import pytest

from mobilise.core import config, links
from mobilise_local import outbox
from tests.integration.harness import Mobilise


def _signed(mobilise: Mobilise, count: int, *, without_consent: int = 0) -> str:
    petition_id = mobilise.create_petition()
    for index in range(count):
        consent = index >= without_consent
        assert mobilise.sign(petition_id, f"signer{index}@example.org", consent).status == 201
    return petition_id


def _unsubscribe_path(message: dict[str, object]) -> str:
    headers = message["headers"]
    assert isinstance(headers, dict)
    url = re.fullmatch(r"<https://mobilise\.test(/unsubscribe/[^>]+)>", headers["List-Unsubscribe"])
    assert url, headers["List-Unsubscribe"]
    return url.group(1)


def test_every_consenting_signer_gets_one_email_with_one_click_unsubscribe(
    mobilise: Mobilise,
) -> None:
    # Given 12 signers, 2 of whom did not agree to receive updates
    petition_id = _signed(mobilise, 12, without_consent=2)

    # When the starter publishes and the queues run
    assert mobilise.publish(petition_id, title="Hearing on Monday").status == 201
    mobilise.run_queues()

    # Then the 10 who agreed get exactly one email each
    sent = mobilise.outbox()
    recipients = sorted(address for message in sent for address in message["to"])
    assert recipients == sorted(f"signer{i}@example.org" for i in range(2, 12))
    for message in sent:
        assert message["subject"] == "Hearing on Monday"
        assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert _unsubscribe_path(message)
        assert "Hearing on Monday" in message["html"]
        assert "Save the Bois de Vincennes" in message["text"]
        assert "agreed to receive its updates" in message["text"]
    shown = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"][0]
    assert shown["recipients"] == 10


def test_the_email_is_in_the_signers_language_and_escapes_the_starters_text(
    mobilise: Mobilise,
) -> None:
    petition_id = mobilise.create_petition(language="fr", title="Sauvons <la> forêt")
    mobilise.sign(petition_id, "lea@example.org", language="fr")

    mobilise.publish(petition_id, title="Victoire & merci", body='<script>alert("x")</script>')
    mobilise.run_queues()

    (message,) = mobilise.outbox()
    assert "<script>" not in message["html"]
    assert "&lt;script&gt;" in message["html"]
    assert "Sauvons &lt;la&gt; forêt" in message["html"]
    assert "Victoire &amp; merci" in message["html"]
    assert "accepté d’en recevoir les nouvelles" in message["text"]
    assert '<script>alert("x")</script>' in message["text"]


def test_a_line_break_in_a_title_never_reaches_a_header(mobilise: Mobilise) -> None:
    petition_id = _signed(mobilise, 1)

    reply = mobilise.publish(petition_id, title="Hello\r\nBcc: everyone@example.org")

    assert reply.status == 422
    assert mobilise.outbox() == []


def test_the_raw_message_is_multipart_with_text_and_html(mobilise: Mobilise) -> None:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    petition_id = _signed(mobilise, 1)
    published = mobilise.publish(petition_id, link="https://news.example.org/article")
    mobilise.run_queues()

    (raw,) = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    parsed = email.message_from_string(raw.raw_data, policy=default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    html = parsed.get_body(("html",))
    assert html is not None
    # The link is a button through the counted redirect, never the target itself
    counted = re.search(r'href="https://mobilise\.test/r/([^"?]+)"', html.get_content())
    assert counted, html.get_content()
    update_id = published.json()["update_id"]
    assert links.read_redirect(counted.group(1)) == links.ActionRef(petition_id, update_id, "link")
    assert "news.example.org" not in html.get_content()


def test_an_unsubscribed_signer_gets_nothing_more(mobilise: Mobilise) -> None:
    from datetime import timedelta

    from mobilise.core import clock

    # Given three subscribed signers who received a first update
    petition_id = _signed(mobilise, 3)
    mobilise.publish(petition_id)
    mobilise.run_queues()
    first = mobilise.outbox()
    leaving = next(m for m in first if m["to"] == ["signer1@example.org"])

    # When one of them clicks one-click unsubscribe, twice
    path = _unsubscribe_path(leaving)
    once = mobilise.request(
        "POST",
        path,
        raw="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    twice = mobilise.request(
        "POST",
        path,
        raw="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    # Then both answers are 200, no redirect, and the next update skips them
    assert (once.status, twice.status) == (200, 200)
    assert "Location" not in once.headers
    clock.advance(timedelta(hours=24).total_seconds())
    mobilise.publish(petition_id, title="Second")
    mobilise.run_queues()
    second = [m for m in mobilise.outbox() if m["subject"] == "Second"]
    assert sorted(m["to"][0] for m in second) == [
        "signer0@example.org",
        "signer2@example.org",
    ]


def test_a_poison_message_is_refused_and_the_rest_of_the_batch_goes_through(
    mobilise: Mobilise,
) -> None:
    import json

    import boto3

    # Given a delivery batch with one message that is not a delivery at all
    petition_id = _signed(mobilise, 1)
    mobilise.publish(petition_id)
    sqs = boto3.client("sqs")
    sqs.send_message(
        QueueUrl=mobilise.stack.refs["DeliveryQueue"], MessageBody=json.dumps({"not": "a delivery"})
    )

    # When the queues run
    mobilise.run_queues()

    # Then the good one is sent and the poison one waits (invisible) for its retry
    assert len(mobilise.outbox()) == 1
    assert mobilise.queue_depth("DeliveryQueue") == 1


def test_a_sender_named_in_any_language_reaches_each_signer_by_that_name(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a campaign that sends as "Pétition Zoé" (not ASCII: SES takes it encoded)
    monkeypatch.setenv("SENDER_ADDRESS", "Pétition Zoé <updates@example.org>")
    config.get_settings.cache_clear()
    petition_id = _signed(mobilise, 2)

    # When the starter publishes and the queues run
    assert mobilise.publish(petition_id, title="Named").status == 201
    mobilise.run_queues()

    # Then each signer's email is from that name, in encoded words on the wire
    sent = mobilise.outbox()
    assert len(sent) == 2
    for message in sent:
        raw = outbox.raw("eu-west-1", message["message_id"])
        assert raw is not None
        (line,) = [line for line in raw.split(b"\r\n") if line.startswith(b"From: ")]
        assert line.isascii(), line
        assert b"=?utf-8?" in line.lower(), line
        parsed = email.message_from_bytes(raw, policy=default)
        assert parsed["From"].addresses[0].display_name == "Pétition Zoé"
        assert parsed["From"].addresses[0].addr_spec == "updates@example.org"
