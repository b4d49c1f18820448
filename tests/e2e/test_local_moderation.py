"""`make run MODERATION=true`: held updates listed, approved or rejected through
``/_local/moderation/*``, which stands for the IAM-only ModerationFunction on AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Client, running_stack


@pytest.fixture(scope="module")
def moderated() -> Iterator[Client]:
    with running_stack("--moderation", "true", "--double-opt-in", "false") as client:
        yield client


def _held_update(stack: Client, user: str, title: str) -> tuple[str, str]:
    """A new petition's first update with a shortened link: held on two counts."""
    token = stack.token(user)
    petition = {
        "title": "A crossing by the school",
        "description": "Children cross four lanes at 8:30 every morning.",
        "language": "en",
        "decision_maker": {"name": "The roads department"},
    }
    petition_id = stack.call("POST", "/petitions", petition, token=token).json()["petition_id"]
    signed = stack.call(
        "POST",
        f"/petitions/{petition_id}/signatures",
        {"email": f"rider-{user}@example.org", "name": "Rider", "wants_updates": True},
        source_ip="127.0.9.1",
    )
    assert signed.status == 201, signed.body
    update = {"title": title, "body": "Read this.", "link": "https://bit.ly/3xyz"}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert published.status == 201, published.body
    assert published.json()["status"] == "in_review"
    return petition_id, published.json()["update_id"]


def test_an_operator_lists_and_approves_a_held_update_on_the_local_stack(moderated: Client) -> None:
    stack = moderated
    # Given an update held for review
    petition_id, update_id = _held_update(stack, "erin", "The council will vote")

    # When the operator lists the held updates, then approves it
    listed = stack.call("POST", "/_local/moderation/list", {})
    assert listed.status == 200, listed.body
    [held] = [u for u in listed.json()["held"] if u["update_id"] == update_id]
    assert held["petition_id"] == petition_id
    assert held["reasons"]
    approved = stack.call(
        "POST", "/_local/moderation/approve", {"petition_id": petition_id, "update_id": update_id}
    )
    assert approved.status == 200, approved.body
    assert stack.call("POST", "/_local/drain").status == 200

    # Then its signer gets it, once
    sent = [m for m in stack.outbox() if m["to"] == ["rider-erin@example.org"]]
    assert len([m for m in sent if "The council will vote" in (m["subject"] or "")]) == 1


def test_a_rejected_update_is_never_sent_and_a_bad_command_is_a_400(moderated: Client) -> None:
    stack = moderated
    petition_id, update_id = _held_update(stack, "fred", "Click this")

    rejected = stack.call(
        "POST", "/_local/moderation/reject", {"petition_id": petition_id, "update_id": update_id}
    )
    assert rejected.status == 200, rejected.body
    assert stack.call("POST", "/_local/drain").status == 200
    assert not [
        m
        for m in stack.outbox()
        if m["to"] == ["rider-fred@example.org"] and "Click this" in (m["subject"] or "")
    ]
    # And its starter is told (the outcome email)
    assert [
        m
        for m in stack.outbox()
        if m["to"] != ["rider-fred@example.org"] and "Click this" in (m["subject"] or "")
    ]

    refused = stack.call("POST", "/_local/moderation/approve", {"petition_id": petition_id})
    assert refused.status == 400
    assert refused.json()["error"]["code"] == "bad_request"
