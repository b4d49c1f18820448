"""Moderation of risky updates, on moto and on DynamoDB Local: a risky update is held (its
window taken, its starter seeing "in_review"); an operator lists it, approves it (sent
exactly once, even approved twice at once) or rejects it (nothing sent, the window given
back). The operators' command is the IAM-only ModerationFunction, invoked as Lambda does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock, config
from mobilise_local import outbox
from tests.integration.harness import Mobilise, at_once, event

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
SIGNERS = ["ada@example.org", "grace@example.org"]
STARTER = "alice@example.test"  # the harness's authorizer gives alice this verified address
RISKY = {"title": "Sign in to vote", "body": "Go to https://bit.ly/3xYz before Monday."}


@pytest.fixture
def moderated(on_both: Mobilise, monkeypatch: pytest.MonkeyPatch) -> Mobilise:
    """Moderation on, and a petition two days old (its starter's first day is over)."""
    monkeypatch.setenv("MODERATION_ENABLED", "true")
    config.get_settings.cache_clear()
    clock.freeze(T0)
    return on_both


def _petition(mobilise: Mobilise) -> str:
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS)
    clock.freeze(T0 + timedelta(days=2))
    return petition_id


def _operator(mobilise: Mobilise, **command: Any) -> dict[str, Any]:
    answer: dict[str, Any] = mobilise.invoke("ModerationFunction", command)
    return answer


def _held(mobilise: Mobilise, petition_id: str) -> str:
    reply = mobilise.publish(petition_id, **RISKY)
    assert reply.status == 201, reply.text
    assert reply.json()["status"] == "in_review"
    update_id: str = reply.json()["update_id"]
    return update_id


def _told(mobilise: Mobilise) -> list[bytes]:
    """The raw emails to the starter, as SES got them."""
    raws = [
        outbox.raw("eu-west-1", sent["message_id"])
        for sent in mobilise.outbox()
        if sent["to"] == [STARTER]
    ]
    return [raw for raw in raws if raw is not None]


def _to_signers(mobilise: Mobilise) -> list[str]:
    return sorted(to for sent in mobilise.outbox() for to in sent["to"] if to != STARTER)


def _status(mobilise: Mobilise, petition_id: str, update_id: str) -> str:
    mine = mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates", user="alice")
    listed = {u["update_id"]: u["status"] for u in mine.json()["updates"]}
    if update_id in listed:
        found: str = listed[update_id]
        return found
    shown = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}")
    status: str = shown.json()["status"]
    return status


def test_a_risky_update_is_held_then_approved_and_sent_exactly_once(moderated: Mobilise) -> None:
    # Given a petition with two signers, and an update whose link goes through a shortener
    mobilise = moderated
    petition_id = _petition(mobilise)
    update_id = _held(mobilise, petition_id)

    # Then it is held: nothing sent, not public, "in_review" for its starter, the window taken
    mobilise.run_queues()
    assert mobilise.outbox() == []
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"] == []
    assert _status(mobilise, petition_id, update_id) == "in_review"
    assert mobilise.publish(petition_id, title="Another").status == 429

    # And the operators see it, with why
    (listed,) = [
        held
        for held in _operator(mobilise, action="list")["held"]
        if held["update_id"] == update_id
    ]
    assert listed["petition_id"] == petition_id
    assert listed["reasons"] == ["url_shortener: bit.ly"]
    assert listed["held_at"] == "2026-11-26T09:00:00Z"

    # When two operators approve it at once
    answers = at_once(
        2,
        lambda _: _operator(
            mobilise, action="approve", petition_id=petition_id, update_id=update_id
        ),
    )
    mobilise.run_queues()

    # Then one approval released it, the other was refused, and each signer got it once
    assert sorted("error" in answer for answer in answers) == [False, True]
    (approved,) = [answer for answer in answers if "error" not in answer]
    assert approved["status"] == "published"
    assert _to_signers(mobilise) == SIGNERS
    assert _status(mobilise, petition_id, update_id) == "sent"
    (told,) = _told(mobilise)
    assert b"Subject: Your update was approved and sent: Sign in to vote\r\n" in told
    assert update_id not in {h["update_id"] for h in _operator(mobilise, action="list")["held"]}

    # And it kept its place in the window: the time it was published
    shown = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert shown["published_at"] == "2026-11-26T09:00:00Z"
    again = _operator(mobilise, action="approve", petition_id=petition_id, update_id=update_id)
    assert again["error"]["code"] == "conflict"
    mobilise.run_queues()
    assert _to_signers(mobilise) == SIGNERS
    assert len(_told(mobilise)) == 1


def test_a_rejected_update_sends_nothing_and_gives_the_window_back(moderated: Mobilise) -> None:
    # Given a held update
    mobilise = moderated
    petition_id = _petition(mobilise)
    update_id = _held(mobilise, petition_id)

    # When an operator rejects it
    answer = _operator(mobilise, action="reject", petition_id=petition_id, update_id=update_id)
    mobilise.run_queues()

    # Then nothing is sent, its starter sees "rejected", and no approval can send it later
    assert answer["status"] == "rejected"
    assert _to_signers(mobilise) == []
    (told,) = _told(mobilise)
    assert b"Subject: Your update was not sent: Sign in to vote\r\n" in told
    assert _status(mobilise, petition_id, update_id) == "rejected"
    late = _operator(mobilise, action="approve", petition_id=petition_id, update_id=update_id)
    assert late["error"]["code"] == "conflict"
    mobilise.run_queues()
    assert _to_signers(mobilise) == []
    assert len(_told(mobilise)) == 1

    # And the window is given back: a safe update goes out at once
    safe = mobilise.publish(petition_id, title="Thank you", body="No links this time.")
    assert safe.status == 201, safe.text
    assert safe.json()["status"] == "published"
    mobilise.run_queues()
    assert _to_signers(mobilise) == SIGNERS


def test_an_update_from_a_starters_first_day_is_held(moderated: Mobilise) -> None:
    mobilise = moderated
    petition_id = mobilise.create_petition()
    reply = mobilise.publish(petition_id, title="Day one", body="No links.")
    assert reply.json()["status"] == "in_review"
    (held,) = _operator(mobilise, action="list")["held"]
    assert held["reasons"] == ["first_day"]


def test_the_operators_command_refuses_what_it_cannot_do(moderated: Mobilise) -> None:
    mobilise = moderated
    petition_id = _petition(mobilise)
    unknown = _operator(
        mobilise, action="approve", petition_id=petition_id, update_id="01JD0000000000000000000000"
    )
    assert unknown["error"]["code"] == "not_found"
    unnamed = _operator(mobilise, action="reject")
    assert unnamed["error"]["code"] == "validation_error"


def test_a_risky_scheduled_update_is_held_for_review_when_due(moderated: Mobilise) -> None:
    # Given a risky update scheduled an hour ahead
    mobilise = moderated
    petition_id = _petition(mobilise)
    due = clock.isoformat(T0 + timedelta(days=2, hours=1))
    scheduled = mobilise.publish(petition_id, publish_at=due, **RISKY)
    assert scheduled.json()["status"] == "scheduled"
    update_id = scheduled.json()["update_id"]

    # When it is due and the schedule runs
    clock.freeze(T0 + timedelta(days=2, hours=1, minutes=1))
    ran = mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))
    mobilise.run_queues()

    # Then it is held for review, not sent, its window taken
    assert (ran["in_review"], ran["published"]) == (1, 0)
    assert _to_signers(mobilise) == []
    assert _status(mobilise, petition_id, update_id) == "in_review"
    assert mobilise.publish(petition_id, title="Another").status == 429
    held = _operator(mobilise, action="list")["held"]
    assert [h["update_id"] for h in held] == [update_id]

    # And once approved it goes out, once; the schedule does not publish it again
    assert (
        _operator(mobilise, action="approve", petition_id=petition_id, update_id=update_id)[
            "status"
        ]
        == "published"
    )
    ran = mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))
    mobilise.run_queues()
    assert (ran["in_review"], ran["published"]) == (0, 0)
    assert _to_signers(mobilise) == SIGNERS


def _newer_update_while_held(mobilise: Mobilise) -> tuple[str, str, datetime]:
    """An update held past 24 hours, and a newer one its starter published meanwhile (the
    window reopened): (petition, held update, the newer one's time)."""
    petition_id = _petition(mobilise)
    held = _held(mobilise, petition_id)
    newer_at = T0 + timedelta(days=3, hours=2)
    clock.freeze(newer_at)
    newer = mobilise.publish(petition_id, title="Council votes", body="No links.")
    assert newer.status == 201, newer.text
    assert newer.json()["status"] == "published"
    mobilise.run_queues()
    clock.freeze(newer_at + timedelta(hours=1))
    return petition_id, held, newer_at


def test_approving_an_update_held_past_a_newer_one_keeps_the_newer_window(
    moderated: Mobilise,
) -> None:
    # Given a held update, and a newer one published after the window reopened
    mobilise = moderated
    petition_id, held, _ = _newer_update_while_held(mobilise)

    # When an operator approves the held one
    approved = _operator(mobilise, action="approve", petition_id=petition_id, update_id=held)
    assert approved["status"] == "published", approved

    # Then the 24 hours still run from the newer update: no third update an hour later
    assert mobilise.publish(petition_id, title="A third", body="No links.").status == 429


def test_rejecting_an_update_held_past_a_newer_one_rejects_it_and_keeps_the_window(
    moderated: Mobilise,
) -> None:
    mobilise = moderated
    petition_id, held, _ = _newer_update_while_held(mobilise)

    rejected = _operator(mobilise, action="reject", petition_id=petition_id, update_id=held)

    assert rejected.get("status") == "rejected", rejected
    assert _status(mobilise, petition_id, held) == "rejected"
    assert mobilise.publish(petition_id, title="A third", body="No links.").status == 429


def test_a_pending_update_corrected_into_a_risky_one_is_held_when_its_grace_ends(
    moderated: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a safe update waiting its grace period
    monkeypatch.setenv("PUBLISH_GRACE_MINUTES", "5")
    config.get_settings.cache_clear()
    mobilise = moderated
    petition_id = _petition(mobilise)
    reply = mobilise.publish(petition_id, title="Sign in to vote", body="No links.")
    assert reply.json()["status"] == "pending", reply.text
    update_id = reply.json()["update_id"]

    # When its starter corrects it to a shortened link, and the grace period ends
    path = f"/petitions/{petition_id}/updates/{update_id}"
    corrected = mobilise.request("PATCH", path, body={"body": RISKY["body"]}, user="alice")
    assert corrected.status == 200, corrected.text
    clock.freeze(T0 + timedelta(days=2, minutes=6))
    mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))
    mobilise.run_queues()

    # Then it is held for review, not sent
    assert _to_signers(mobilise) == []
    assert _status(mobilise, petition_id, update_id) == "in_review"


def _risky_answer(mobilise: Mobilise) -> tuple[str, str]:
    """A decision-maker's answer with a shortened link (its address was the starter's to give):
    (petition, its update)."""
    from tests.integration.test_answers import ANSWER, _post, _sent_link

    petition_id = _petition(mobilise)
    path = _sent_link(mobilise, petition_id)
    assert _post(mobilise, path, {**ANSWER, "text": "Details: bit.ly/3xYz"}).status == 200
    mobilise.run_queues()
    (held,) = _operator(mobilise, action="list")["held"]
    assert (held["type"], held["reasons"]) == ("decision_maker_response", ["url_shortener: bit.ly"])
    update_id: str = held["update_id"]
    return petition_id, update_id


def _signers_sent(mobilise: Mobilise) -> list[str]:
    return [to for to in _to_signers(mobilise) if to in SIGNERS]


def test_a_risky_decision_makers_answer_is_held_then_approved_outside_the_window(
    moderated: Mobilise,
) -> None:
    # Given a decision-maker's answer held for review: no signer got it
    mobilise = moderated
    petition_id, update_id = _risky_answer(mobilise)
    assert _signers_sent(mobilise) == []
    assert _told(mobilise) == []  # not "on its way to your signers": it is not, yet

    # When an operator approves it
    approved = _operator(mobilise, action="approve", petition_id=petition_id, update_id=update_id)
    mobilise.run_queues()

    # Then each signer gets it once, and the starter's 24 hours are still free
    assert approved["status"] == "published", approved
    assert _signers_sent(mobilise) == SIGNERS
    (told,) = _told(mobilise)
    unfolded = told.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")  # RFC 5322 folding
    assert b"\r\nSubject: Your update was approved and sent: " in unfolded
    assert mobilise.publish(petition_id, title="Thanks", body="No links.").status == 201


def test_a_rejected_decision_makers_answer_reaches_no_signer(moderated: Mobilise) -> None:
    mobilise = moderated
    petition_id, update_id = _risky_answer(mobilise)

    rejected = _operator(mobilise, action="reject", petition_id=petition_id, update_id=update_id)
    mobilise.run_queues()

    assert rejected["status"] == "rejected", rejected
    assert _signers_sent(mobilise) == []
    assert _status(mobilise, petition_id, update_id) == "rejected"
