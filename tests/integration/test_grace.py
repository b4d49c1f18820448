"""The grace period of a published update: it waits, its starter may cancel it (nothing sent,
the 24-hour window given back as it was) or correct it (the corrected text is what signers
get), and the every-minute schedule releases it once, when its grace ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock, config
from mobilise_local import outbox
from tests.integration.harness import Mobilise, at_once, event

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
SIGNERS = ["ada@example.org", "grace@example.org", "alan@example.org"]


@pytest.fixture
def graced(mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch) -> Mobilise:
    """The system with the template's default grace period, five minutes."""
    monkeypatch.setenv("PUBLISH_GRACE_MINUTES", "5")
    config.get_settings.cache_clear()
    return mobilise


def _petition(mobilise: Mobilise) -> str:
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS)
    return petition_id


def _release(mobilise: Mobilise) -> dict[str, int]:
    result: dict[str, int] = mobilise.invoke(
        "ScheduledPublishFunction", event("scheduled_publish.json")
    )
    mobilise.run_queues()
    return result


def _petition_item(mobilise: Mobilise, petition_id: str) -> dict[str, Any]:
    (found,) = [
        i for i in mobilise.items() if i["pk"] == f"PET#{petition_id}" and i["sk"] == "PETITION"
    ]
    return found


def _raw_emails(mobilise: Mobilise) -> list[bytes]:
    raws = [outbox.raw("eu-west-1", sent["message_id"]) for sent in mobilise.outbox()]
    return [raw for raw in raws if raw is not None]


def test_a_published_update_waits_its_grace_then_goes_out_once(graced: Mobilise) -> None:
    # Given a petition with three signers
    mobilise = graced
    petition_id = _petition(mobilise)

    # When its starter publishes
    reply = mobilise.publish(petition_id, title="We met the mayor")

    # Then the answer says it is pending and when it goes out; nothing is sent, the window
    # is taken (a second update is refused), and the public does not see it
    assert reply.status == 201, reply.text
    shown = reply.json()
    assert (shown["status"], shown["release_at"]) == ("pending", "2026-11-24T09:05:00Z")
    assert shown["published_at"] == "2026-11-24T09:00:00Z"
    mobilise.run_queues()
    assert mobilise.outbox() == []
    assert mobilise.publish(petition_id, title="Another").status == 429
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"] == []
    mine = mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates", user="alice")
    assert [u["status"] for u in mine.json()["updates"]] == ["pending"]

    # When the schedule runs before the grace ends, then twice after it
    clock.freeze(T0 + timedelta(minutes=4, seconds=59))
    assert _release(mobilise)["published"] == 0
    assert mobilise.outbox() == []
    clock.freeze(T0 + timedelta(minutes=5, seconds=30))
    first, second = _release(mobilise), _release(mobilise)

    # Then it went out once to each signer, keeping the window's time it took
    assert (first["published"], second["published"]) == (1, 0)
    assert sorted(to for sent in mobilise.outbox() for to in sent["to"]) == sorted(SIGNERS)
    update_id = shown["update_id"]
    got = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert (got["status"], got["published_at"]) == ("sent", "2026-11-24T09:00:00Z")
    assert (
        _petition_item(mobilise, petition_id)["last_update_at"] == "2026-11-24T09:00:00.000000+0000"
    )


def test_cancelled_in_its_grace_an_update_sends_nothing_and_gives_the_window_back(
    graced: Mobilise,
) -> None:
    # Given an update that went out a day and a half ago (its window: T0)
    mobilise = graced
    petition_id = _petition(mobilise)
    first = mobilise.publish(petition_id, title="The first one")
    clock.freeze(T0 + timedelta(minutes=6))
    _release(mobilise)
    assert len(mobilise.outbox()) == 3
    before = _petition_item(mobilise, petition_id)["last_update_at"]
    assert first.status == 201

    # When the starter publishes another, then cancels it within its grace
    clock.freeze(T0 + timedelta(hours=36))
    second = mobilise.publish(petition_id, title="A mistake")
    assert second.json()["status"] == "pending"
    update_id = second.json()["update_id"]
    assert _petition_item(mobilise, petition_id)["last_update_at"] != before
    clock.freeze(T0 + timedelta(hours=36, minutes=4))
    cancelled = mobilise.cancel(petition_id, update_id)

    # Then it is cancelled; no email of it ever leaves, even once its grace is over
    assert cancelled.status == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    clock.freeze(T0 + timedelta(hours=36, minutes=10))
    assert _release(mobilise)["published"] == 0
    assert len(mobilise.outbox()) == 3
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").status == 404

    # And the window is what it was before: T0's, open again, so a new update is accepted
    assert _petition_item(mobilise, petition_id)["last_update_at"] == before
    assert mobilise.publish(petition_id, title="The right one").status == 201

    # And a cancelled update cannot be cancelled again
    again = mobilise.cancel(petition_id, update_id)
    assert again.status == 409


def test_the_first_update_cancelled_leaves_the_petition_without_a_window(
    graced: Mobilise,
) -> None:
    # Given a petition that never sent an update, and a pending one
    mobilise = graced
    petition_id = _petition(mobilise)
    update_id = mobilise.publish(petition_id).json()["update_id"]

    # When it is cancelled
    reply = mobilise.cancel(petition_id, update_id)

    # Then the petition has no last update, as before
    assert reply.status == 200, reply.text
    assert "last_update_at" not in _petition_item(mobilise, petition_id)
    assert mobilise.cancel(petition_id, update_id, user="bob").status == 403


def test_corrected_in_its_grace_the_corrected_text_is_what_signers_get(
    graced: Mobilise,
) -> None:
    # Given a pending update with a typo, and a link the starter changes too
    mobilise = graced
    petition_id = _petition(mobilise)
    reply = mobilise.publish(
        petition_id,
        title="We met the mayer",
        body="She listend.",
        link="https://example.org/wrong",
    )
    update_id = reply.json()["update_id"]

    # When the starter corrects it before its grace ends (the buttons may change: unsent)
    fixed = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update_id}",
        {"title": "We met the mayor", "body": "She listened.", "link": "https://example.org/right"},
        user="alice",
    )
    assert fixed.status == 200, fixed.text
    assert (fixed.json()["status"], fixed.json()["release_at"]) == (
        "pending",
        "2026-11-24T09:05:00Z",
    )

    # And the grace ends
    clock.freeze(T0 + timedelta(minutes=5))
    assert _release(mobilise)["published"] == 1

    # Then every signer's email, as sent, carries the corrected text and not the typo
    raws = _raw_emails(mobilise)
    assert len(raws) == 3
    for raw in raws:
        assert b"Subject: We met the mayor\r\n" in raw or b"Subject: We met the mayor\n" in raw
        assert b"mayer" not in raw
        assert b"listend" not in raw


def test_a_scheduled_update_goes_out_when_due_without_a_grace_period(graced: Mobilise) -> None:
    # Given an update scheduled an hour ahead (reviewable for as long as it waited)
    mobilise = graced
    petition_id = _petition(mobilise)
    at = clock.isoformat(T0 + timedelta(hours=1))
    assert mobilise.publish(petition_id, publish_at=at).status == 201

    # When it is due
    clock.freeze(T0 + timedelta(hours=1, minutes=1))
    assert _release(mobilise)["published"] == 1

    # Then it went out at once
    assert len(mobilise.outbox()) == 3


def test_a_pending_update_cannot_be_stopped_only_cancelled(graced: Mobilise) -> None:
    mobilise = graced
    petition_id = _petition(mobilise)
    update_id = mobilise.publish(petition_id).json()["update_id"]
    stop = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/{update_id}/stop", user="alice"
    )
    assert stop.status == 409
    assert "pending" in stop.json()["error"]["message"]


def test_a_cancel_racing_the_release_either_wins_whole(graced: Mobilise) -> None:
    # Given a pending update whose grace has just ended
    mobilise = graced
    petition_id = _petition(mobilise)
    before = _petition_item(mobilise, petition_id).get("last_update_at")
    update_id = mobilise.publish(petition_id).json()["update_id"]
    clock.freeze(T0 + timedelta(minutes=5))

    # When its starter cancels it as the schedule releases it
    def act(index: int) -> Any:
        if index == 0:
            return mobilise.cancel(petition_id, update_id).status
        return mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))

    cancel, released = at_once(2, act)
    mobilise.run_queues()

    # Then one of them won, whole: cancelled with the window back and nothing sent, or sent
    # to everyone with the cancel refused
    if cancel == 200:
        assert released["published"] == 0
        assert mobilise.outbox() == []
        assert _petition_item(mobilise, petition_id).get("last_update_at") == before
    else:
        assert (cancel, released["published"]) == (409, 1)
        assert len(mobilise.outbox()) == 3
