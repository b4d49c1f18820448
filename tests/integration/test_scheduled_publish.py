"""Scheduled updates: stored, moved, cancelled, and published by the 5-minute schedule when
due, under the 24-hour rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock
from mobilise.publishing import scheduled
from tests.integration.harness import Mobilise, at_once, event, running_on_moto

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
STARTER = "alice@example.test"  # the harness's authorizer gives alice this verified address


@pytest.fixture
def mobilise() -> Iterator[Mobilise]:
    """The schedule's rules are each petition's: these tests deliver a day's updates in one
    run, or one signer's two petitions' within the hour, which one update email a day per
    person would hold in a digest (tests/integration/test_daily_cap.py shows that)."""
    with running_on_moto(parameters={"SignerDailyCap": "false"}) as system:
        yield system


def _schedule(mobilise: Mobilise, petition_id: str, at: datetime, **body: Any) -> Any:
    return mobilise.publish(
        petition_id, title="Council votes tonight", publish_at=clock.isoformat(at), **body
    )


def _run(mobilise: Mobilise) -> dict[str, int]:
    result: dict[str, int] = mobilise.invoke(
        "ScheduledPublishFunction", event("scheduled_publish.json")
    )
    return result


def _item(mobilise: Mobilise, pk: str, sk: str) -> dict[str, Any]:
    (found,) = [item for item in mobilise.items() if item["pk"] == pk and item["sk"] == sk]
    return found


def _to(mobilise: Mobilise, address: str) -> list[dict[str, Any]]:
    return [message for message in mobilise.outbox() if message["to"] == [address]]


def _signed_petition(mobilise: Mobilise) -> str:
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "signer@example.org").status == 201
    return petition_id


def test_a_scheduled_update_waits_unseen_then_publishes_once_when_due(
    mobilise: Mobilise,
) -> None:
    # Given a petition with a signer, and an update scheduled two hours ahead
    clock.freeze(T0)
    petition_id = _signed_petition(mobilise)
    reply = _schedule(mobilise, petition_id, T0 + timedelta(hours=2))

    # Then it is stored as scheduled: no job, no email, the window untouched, not public
    assert reply.status == 201, reply.text
    shown = reply.json()
    update_id = shown["update_id"]
    assert (shown["status"], shown["published_at"]) == ("scheduled", None)
    assert shown["publish_at"] == "2026-11-24T11:00:00Z"
    assert shown["recipients"] == 1
    assert not [item for item in mobilise.items() if str(item["sk"]).startswith("JOB#")]
    petition = _item(mobilise, f"PET#{petition_id}", "PETITION")
    assert "last_update_at" not in petition
    assert petition["scheduled_update_id"] == update_id
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"] == []
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").status == 404
    mine = mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates", user="alice")
    assert [update["update_id"] for update in mine.json()["updates"]] == [update_id]
    assert mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates").status == 401

    # When the schedule runs before it is due
    clock.freeze(T0 + timedelta(hours=1, minutes=59))
    assert _run(mobilise)["published"] == 0

    # And runs twice once it is due
    clock.freeze(T0 + timedelta(hours=2, minutes=3))
    first, second = _run(mobilise), _run(mobilise)
    mobilise.run_queues()

    # Then it is published once, at the run's time, and its signer gets it once
    assert (first["published"], second["published"]) == (1, 0)
    page = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert (page["status"], page["published_at"]) == ("sent", "2026-11-24T11:03:00Z")
    assert [message["subject"] for message in _to(mobilise, "signer@example.org")] == [
        "Council votes tonight"
    ]
    # And the petition's window and schedule moved on
    petition = _item(mobilise, f"PET#{petition_id}", "PETITION")
    assert "scheduled_update_id" not in petition
    shown_petition = mobilise.request("GET", f"/petitions/{petition_id}").json()
    assert shown_petition["next_update_allowed_at"] == "2026-11-25T11:03:00Z"
    assert "outbox_pk" not in _item(mobilise, f"PET#{petition_id}", f"UPD#{update_id}")


def test_a_scheduled_update_held_by_the_24_hour_rule_tells_the_starter_once_then_goes_out(
    on_both: Mobilise,
) -> None:
    # Given an update scheduled for 11:00, and another published directly at 10:00
    mobilise = on_both
    clock.freeze(T0)
    petition_id = _signed_petition(mobilise)
    update_id = _schedule(mobilise, petition_id, T0 + timedelta(hours=2)).json()["update_id"]
    clock.freeze(T0 + timedelta(hours=1))
    assert mobilise.publish(petition_id, title="Breaking news").status == 201
    mobilise.run_queues()

    # When the schedule runs after 11:00, twice
    clock.freeze(T0 + timedelta(hours=2, minutes=1))
    first = _run(mobilise)
    clock.freeze(T0 + timedelta(hours=2, minutes=6))
    second = _run(mobilise)
    mobilise.run_queues()

    # Then it is held, still scheduled, and the starter is told once when it will go out
    assert (first["held"], first["published"]) == (1, 0)
    assert (second["held"], second["published"]) == (0, 0)
    (notice,) = _to(mobilise, STARTER)
    assert notice["subject"] == "Your scheduled update is waiting: Council votes tonight"
    assert "2026-11-25 10:00 UTC" in notice["text"]
    mine = mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates", user="alice")
    assert [update["status"] for update in mine.json()["updates"]] == ["scheduled"]
    assert [m["subject"] for m in _to(mobilise, "signer@example.org")] == ["Breaking news"]

    # When the window reopens and the schedule runs
    clock.freeze(T0 + timedelta(hours=25, minutes=2))
    reopened = _run(mobilise)
    mobilise.run_queues()

    # Then it goes out, once, and the starter is not told again
    assert reopened["published"] == 1
    assert [m["subject"] for m in _to(mobilise, "signer@example.org")] == [
        "Breaking news",
        "Council votes tonight",
    ]
    assert len(_to(mobilise, STARTER)) == 1
    page = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert page["status"] == "sent"


def test_two_runs_at_once_publish_once_or_tell_the_starter_once(mobilise: Mobilise) -> None:
    # Given two petitions with an update due: one free to go, one held by the 24-hour rule
    clock.freeze(T0)
    free = _signed_petition(mobilise)
    held = _signed_petition(mobilise)
    _schedule(mobilise, free, T0 + timedelta(hours=2))
    _schedule(mobilise, held, T0 + timedelta(hours=2))
    clock.freeze(T0 + timedelta(hours=1))
    assert mobilise.publish(held, title="Breaking news").status == 201
    clock.freeze(T0 + timedelta(hours=2, minutes=1))

    # When two runs of the schedule start at the same instant
    results = at_once(2, lambda _: _run(mobilise))
    mobilise.run_queues()

    # Then one update is published once, and the starter of the other is told once
    assert sum(result["published"] for result in results) == 1
    assert len(_to(mobilise, "signer@example.org")) == 2  # "Breaking news" and the free one
    assert len(_to(mobilise, STARTER)) == 1
    jobs = [item for item in mobilise.items() if str(item["sk"]).startswith("JOB#")]
    assert len(jobs) == 2


def test_a_time_before_the_window_reopens_is_refused_naming_publish_at(
    on_both: Mobilise,
) -> None:
    # Given a petition that published at 09:00
    mobilise = on_both
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    assert mobilise.publish(petition_id).status == 201
    before = mobilise.items()

    # When its starter schedules an update for 12:00
    refused = _schedule(mobilise, petition_id, T0 + timedelta(hours=3))

    # Then it is refused, naming publish_at and when the window reopens; nothing is stored
    assert refused.status == 422, refused.text
    message = refused.json()["error"]["message"]
    assert "publish_at" in message
    assert "2026-11-25T09:00:00Z" in message
    assert mobilise.items() == before
    # And from the second it reopens it is accepted
    assert _schedule(mobilise, petition_id, T0 + timedelta(hours=24)).status == 201


def test_a_petition_has_one_scheduled_update_at_a_time_until_it_is_cancelled(
    mobilise: Mobilise,
) -> None:
    # Given a scheduled update
    clock.freeze(T0)
    petition_id = _signed_petition(mobilise)
    update_id = _schedule(mobilise, petition_id, T0 + timedelta(hours=2)).json()["update_id"]

    # When a second one is scheduled
    second = _schedule(mobilise, petition_id, T0 + timedelta(hours=30))

    # Then it is refused
    assert second.status == 409, second.text

    # When the first is cancelled
    cancelled = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update_id}",
        {"status": "cancelled"},
        user="alice",
    )

    # Then it is out of the schedule, seen by its starter only, and never published
    assert cancelled.status == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    stored = _item(mobilise, f"PET#{petition_id}", f"UPD#{update_id}")
    assert "outbox_pk" not in stored
    assert "scheduled_update_id" not in _item(mobilise, f"PET#{petition_id}", "PETITION")
    clock.freeze(T0 + timedelta(hours=3))
    assert _run(mobilise)["published"] == 0
    mobilise.run_queues()
    assert mobilise.outbox() == []
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").status == 404
    mine = mobilise.request("GET", f"/petitions/{petition_id}/unpublished-updates", user="alice")
    assert [update["status"] for update in mine.json()["updates"]] == ["cancelled"]
    # And another can be scheduled; cancelling twice is refused
    assert _schedule(mobilise, petition_id, T0 + timedelta(hours=30)).status == 201
    again = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update_id}",
        {"status": "cancelled"},
        user="alice",
    )
    assert again.status == 409, again.text


def test_a_scheduled_update_can_be_edited_and_moved_under_the_same_rule(
    mobilise: Mobilise,
) -> None:
    # Given a petition that published at 09:00 and an update scheduled for the next day
    clock.freeze(T0)
    petition_id = _signed_petition(mobilise)
    assert mobilise.publish(petition_id, title="First").status == 201
    update_id = _schedule(mobilise, petition_id, T0 + timedelta(hours=26)).json()["update_id"]
    path = f"/petitions/{petition_id}/updates/{update_id}"

    # When it is moved before the window reopens
    early = mobilise.request("PATCH", path, {"publish_at": "2026-11-25T08:00:00Z"}, user="alice")

    # Then it is refused, naming publish_at
    assert early.status == 422, early.text
    assert "publish_at" in early.json()["error"]["message"]

    # When it is retitled and moved to 12:00 the next day
    moved = mobilise.request(
        "PATCH",
        path,
        {"title": "Council votes at noon", "publish_at": "2026-11-25T12:00:00Z"},
        user="alice",
    )

    # Then it stays scheduled, due at the new time
    assert moved.status == 200, moved.text
    assert (moved.json()["status"], moved.json()["publish_at"]) == (
        "scheduled",
        "2026-11-25T12:00:00Z",
    )
    stored = _item(mobilise, f"PET#{petition_id}", f"UPD#{update_id}")
    assert (stored["outbox_pk"], stored["outbox_sk"]) == ("SCHEDULED", "2026-11-25T12:00:00+00:00")
    # And it goes out at the new time, with the new title
    clock.freeze(datetime(2026, 11, 25, 11, 1, tzinfo=UTC))
    assert _run(mobilise)["published"] == 0
    clock.freeze(datetime(2026, 11, 25, 12, 1, tzinfo=UTC))
    assert _run(mobilise)["published"] == 1
    mobilise.run_queues()
    assert [m["subject"] for m in _to(mobilise, "signer@example.org")] == [
        "First",
        "Council votes at noon",
    ]


def test_a_run_stops_before_its_time_runs_out_and_the_next_one_continues(
    mobilise: Mobilise,
) -> None:
    # Given three petitions with an update due
    clock.freeze(T0)
    petitions = [mobilise.create_petition() for _ in range(3)]
    for petition_id in petitions:
        assert _schedule(mobilise, petition_id, T0 + timedelta(hours=1)).status == 201
    clock.freeze(T0 + timedelta(hours=1, minutes=1))
    left = iter([60_000, 60_000, 60_000, 1_000])  # time left, as the run asks for it

    # When a run has time for two of them only
    first = scheduled.run(lambda: next(left, 1_000), reserve_ms=10_000)

    # Then it publishes two, says it stopped, and the next run publishes the third
    assert (first["published"], first["stopped"]) == (2, 1)
    second = scheduled.run(lambda: 60_000)
    assert (second["published"], second["stopped"]) == (1, 0)
    shown = [
        mobilise.request("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
        for petition_id in petitions
    ]
    assert shown == ["2026-11-25T10:01:00Z"] * 3


def test_two_updates_scheduled_at_the_same_instant_leave_one_scheduled(
    on_both: Mobilise,
) -> None:
    # Given a petition and two threads ready to schedule an update on it at the same instant
    mobilise = on_both
    clock.freeze(T0)
    petition_id = mobilise.create_petition()

    # When both schedule
    hours = (2, 3)
    replies = at_once(
        2, lambda index: _schedule(mobilise, petition_id, T0 + timedelta(hours=hours[index]))
    )
    statuses = [reply.status for reply in replies]

    # Then one is scheduled and the other refused, and the petition names the one stored
    assert sorted(statuses) == [201, 409]
    stored = [item for item in mobilise.items() if str(item["sk"]).startswith("UPD#")]
    assert len(stored) == 1
    petition = _item(mobilise, f"PET#{petition_id}", "PETITION")
    assert petition["scheduled_update_id"] == stored[0]["update_id"]


def test_a_held_scheduled_update_takes_a_correction_and_still_waits_for_the_window(
    mobilise: Mobilise,
) -> None:
    # Given an update scheduled for 11:00 and held there by one published at 10:00
    clock.freeze(T0)
    petition_id = _signed_petition(mobilise)
    update_id = _schedule(mobilise, petition_id, T0 + timedelta(hours=2)).json()["update_id"]
    clock.freeze(T0 + timedelta(hours=1))
    assert mobilise.publish(petition_id, title="Breaking news").status == 201
    clock.freeze(T0 + timedelta(hours=2, minutes=1))
    assert _run(mobilise)["held"] == 1

    # When its starter corrects its title (its publish_at, past, left alone)
    path = f"/petitions/{petition_id}/updates/{update_id}"
    fixed = mobilise.request("PATCH", path, {"title": "Council votes on Thursday"}, user="alice")

    # Then the correction is taken, and the update still waits for the window, then goes out
    assert fixed.status == 200, fixed.text
    clock.freeze(T0 + timedelta(hours=2, minutes=6))
    assert _run(mobilise)["published"] == 0
    clock.freeze(T0 + timedelta(hours=25, minutes=2))
    assert _run(mobilise)["published"] == 1
    mobilise.run_queues()
    assert "Council votes on Thursday" in [
        m["subject"] for m in _to(mobilise, "signer@example.org")
    ]
