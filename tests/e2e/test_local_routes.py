"""The local-only routes, over HTTP: the outbox's filters and raw MIME, personal data,
SES's events."""

from __future__ import annotations

import re
from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest

from tests.e2e.conftest import Client

PETITION = {
    "title": "Local routes petition",
    "description": "A petition to try the local routes on.",
    "language": "en",
    "decision_maker": {"name": "The council"},
}


def _petition(stack: Client, starter: str) -> tuple[str, str]:
    token = stack.token(starter)
    return stack.create_petition(PETITION, token=token), token


def _signers(*addresses: str) -> list[dict[str, Any]]:
    return [{"email": address, "name": "Someone", "wants_updates": True} for address in addresses]


def _outbox(stack: Client, query: str) -> list[dict[str, Any]]:
    answer = stack.call("GET", f"/_local/outbox?{query}")
    assert answer.status == 200, answer.body
    messages: list[dict[str, Any]] = answer.json()["messages"]
    return messages


def test_the_outbox_filters_by_recipient_time_and_count(stack: Client) -> None:
    # Given three signers' confirmations, then the clock a minute on and a fourth one's
    petition_id, _ = _petition(stack, "filters")
    addresses = [f"filter{index}@example.org" for index in range(3)]
    stack.sign_and_confirm(petition_id, _signers(*addresses))
    now = stack.call("POST", "/_local/clock", {"advance_seconds": 60}).json()["now"]
    stack.sign_and_confirm(petition_id, _signers("later@example.org"))

    # When the outbox is asked for one address, for what came since, and for at most two
    to_one = _outbox(stack, "to=FILTER1@example.org")
    since = _outbox(stack, f"since={now}")
    first_two = _outbox(stack, "limit=2")

    # Then it answers with that address's email only, the later email only, two emails
    assert [message["to"] for message in to_one] == [["filter1@example.org"]]
    assert [message["to"] for message in since] == [["later@example.org"]]
    assert since[0]["sent_at"] >= now
    assert first_two == _outbox(stack, "")[:2]
    assert len(first_two) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "since must be an ISO 8601 time, e.g. 2026-12-04T18:00:00Z."),
        ("limit=0", "limit must be a whole number, 1 or more."),
        ("limit=ten", "limit must be a whole number, 1 or more."),
        ("to=nobody", "to must be an email address."),
        ("from=a@example.org", "Unknown filter 'from'; the filters are to, since and limit."),
    ],
)
def test_a_filter_the_outbox_cannot_read_is_a_400_that_says_why(
    stack: Client, query: str, message: str
) -> None:
    answer = stack.call("GET", f"/_local/outbox?{query}")

    assert answer.status == 400
    assert answer.json() == {"error": {"code": "bad_filter", "message": message}}


def test_an_email_is_served_as_the_raw_mime_ses_received(stack: Client) -> None:
    # Given a signer's confirmation email in the outbox
    petition_id, _ = _petition(stack, "raw")
    stack.sign_and_confirm(petition_id, _signers("raw@example.org"))
    (email,) = _outbox(stack, "to=raw@example.org")

    # When its raw view is fetched
    raw = stack.call("GET", f"/_local/outbox/{email['message_id']}/raw")

    # Then it is the MIME message itself, headers then parts, as bytes on the wire
    assert raw.status == 200
    assert raw.headers["Content-Type"] == "message/rfc822"
    assert int(raw.headers["Content-Length"]) == len(raw.body)
    head = re.split(rb"\r?\n\r?\n", raw.body, maxsplit=1)[0]
    header_names = {line.split(b":", 1)[0] for line in head.splitlines() if line[:1].isalpha()}
    assert {b"From", b"To", b"Subject", b"MIME-Version"} <= header_names
    assert all(len(line) <= 998 for line in raw.body.splitlines())
    parsed = BytesParser(policy=default).parsebytes(raw.body)
    assert parsed["To"] == "raw@example.org"
    html = parsed.get_body(preferencelist=("html",))
    assert html is not None
    assert html.get_content() == email["html"]


def test_an_unknown_email_has_no_raw_view(stack: Client) -> None:
    answer = stack.call("GET", "/_local/outbox/no-such-message/raw")

    assert answer.status == 404
    assert answer.json()["error"]["message"] == "No such email."


def test_personal_data_is_exported_then_erased(stack: Client) -> None:
    # Given a confirmed signer
    petition_id, _ = _petition(stack, "privacy")
    stack.sign_and_confirm(petition_id, _signers("private@example.org"))

    # When an operator exports what is held about the address
    exported = stack.call("POST", "/_local/privacy/export", {"email": "private@example.org"})

    # Then the signature is there, with its petition
    assert exported.status == 200, exported.body
    (signature,) = exported.json()["signatures"]
    assert signature["petition_id"] == petition_id
    assert signature["email"] == "private@example.org"

    # When the address is erased
    erased = stack.call("POST", "/_local/privacy/erase", {"email": "private@example.org"})

    # Then its signature is gone, and the petition counts one signer fewer
    assert erased.status == 200, erased.body
    assert erased.json()["signatures_erased"] == 1
    again = stack.call("POST", "/_local/privacy/export", {"email": "private@example.org"})
    assert again.json()["signatures"] == []
    assert stack.call("GET", f"/petitions/{petition_id}").json()["signer_count"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "not an address"}, "email is not an email address: 'not an address'."),
        ({"address": "a@example.org"}, '{"email": "<address>"} expected.'),
        ({"email": 7}, '{"email": "<address>"} expected.'),
    ],
)
def test_a_privacy_request_without_an_address_is_a_400(
    stack: Client, body: dict[str, Any], message: str
) -> None:
    answer = stack.call("POST", "/_local/privacy/export", body)

    assert answer.status == 400
    assert answer.json() == {"error": {"code": "bad_request", "message": message}}


def test_a_permanent_bounce_fed_to_the_stack_stops_the_emails_to_that_address(
    stack: Client,
) -> None:
    # Given two confirmed signers
    petition_id, token = _petition(stack, "bounces")
    stack.sign_and_confirm(petition_id, _signers("bounced@example.org", "fine@example.org"))

    # When SES reports a permanent bounce for one of them
    bounced = stack.call(
        "POST",
        "/_local/ses-events",
        {"type": "bounce", "email": "bounced@example.org", "bounce_type": "Permanent"},
    )
    assert bounced.status == 202, bounced.body
    assert bounced.json()["event"]["bounce"]["bouncedRecipients"] == [
        {"emailAddress": "bounced@example.org", "action": "failed"}
    ]
    stack.drain()

    # And an update is published
    update = {"title": "After the bounce", "body": "Who gets this?"}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert published.status == 201, published.body
    stack.drain()

    # Then the other signer gets it, the bounced address does not
    subjects = [message["subject"] for message in _outbox(stack, "to=fine@example.org")]
    assert update["title"] in subjects
    bounced_subjects = [m["subject"] for m in _outbox(stack, "to=bounced@example.org")]
    assert update["title"] not in bounced_subjects


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "open", "email": "a@example.org"}, '"type" must be one of'),
        ({"type": "bounce"}, '"email" must be a non-empty string.'),
        ({"type": "bounce", "email": "nobody"}, '"email" must be an email address.'),
        (
            {"type": "bounce", "email": "a@example.org", "bounce_type": "Soft"},
            '"bounce_type" must be one of',
        ),
        (
            {"type": "complaint", "email": "a@example.org", "bounce_type": "Permanent"},
            '"bounce_type" goes with "type": "bounce" only.',
        ),
        ({"type": "subscription", "email": "a@example.org"}, '"petition_id" must be'),
    ],
)
def test_an_ses_event_that_cannot_be_built_is_a_400_that_says_why(
    stack: Client, body: dict[str, Any], message: str
) -> None:
    answer = stack.call("POST", "/_local/ses-events", body)

    assert answer.status == 400
    assert answer.json()["error"]["message"].startswith(message)
