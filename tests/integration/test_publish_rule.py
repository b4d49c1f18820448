"""The 24-hour rule: one conditional write, at the boundary and under a race."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mobilise.core import clock
from tests.integration.harness import Mobilise, at_once

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)


def _kinds(mobilise: Mobilise, prefix: str) -> list[dict[str, object]]:
    return [item for item in mobilise.items() if str(item["sk"]).startswith(prefix)]


def test_a_second_update_within_24_hours_is_refused_until_the_second_it_reopens(
    on_both: Mobilise,
) -> None:
    # Given a petition whose last update went out at T0
    mobilise = on_both
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    assert mobilise.publish(petition_id).status == 201

    # When the starter publishes 86,399 s later
    clock.freeze(T0 + timedelta(seconds=86_399))
    refused = mobilise.publish(petition_id, title="Too soon")

    # Then it is refused, with when to come back
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["next_update_allowed_at"] == "2026-11-25T09:00:00Z"
    assert refused.json()["error"]["code"] == "update_too_soon"

    # And at 86,400 s it is accepted
    clock.freeze(T0 + timedelta(seconds=86_400))
    assert mobilise.publish(petition_id, title="On time").status == 201
    assert len(_kinds(mobilise, "UPD#")) == 2


def test_the_petition_shows_when_the_next_update_is_allowed(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    assert (
        mobilise.request("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
        is None
    )

    mobilise.publish(petition_id)
    clock.freeze(T0 + timedelta(hours=3))

    shown = mobilise.request("GET", f"/petitions/{petition_id}").json()
    assert shown["next_update_allowed_at"] == "2026-11-25T09:00:00Z"


def test_the_retry_after_header_counts_the_seconds_left(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.publish(petition_id)

    clock.freeze(T0 + timedelta(hours=20))
    refused = mobilise.publish(petition_id)

    assert refused.headers["Retry-After"] == str(4 * 3600)


def test_sixteen_simultaneous_publishes_let_exactly_one_through(on_both: Mobilise) -> None:
    # Given a petition and 16 threads ready to publish on it at the same instant
    mobilise = on_both
    clock.freeze(T0)
    petition_id = mobilise.create_petition()

    # When they are released together (16 invocations in one process: they share the layer's
    # singletons, which is harmless here as every thread is the same caller on the same
    # petition; what races is what reaches DynamoDB)
    replies = at_once(16, lambda index: mobilise.publish(petition_id, title=f"Update {index}"))
    statuses = [reply.status for reply in replies]

    # Then one succeeds, fifteen are told to wait, one update and one job exist
    assert sorted(statuses) == [201] + [429] * 15
    assert len(_kinds(mobilise, "UPD#")) == 1
    assert len(_kinds(mobilise, "JOB#")) == 1


def test_someone_else_cannot_publish_on_a_petition(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = mobilise.create_petition(owner="alice")
    before = mobilise.items()

    reply = mobilise.publish(petition_id, owner="mallory")

    assert reply.status == 403
    assert reply.json()["error"]["code"] == "forbidden"
    assert mobilise.items() == before


def test_a_refused_publish_leaves_the_window_as_it_was(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    mobilise.publish(petition_id)
    clock.freeze(T0 + timedelta(hours=12))
    before = mobilise.items()

    assert mobilise.publish(petition_id).status == 429

    assert mobilise.items() == before
