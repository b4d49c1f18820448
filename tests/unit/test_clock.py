"""The domain clock: the system clock in AWS, frozen and moved by tests and the local stack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mobilise.core import clock

PARIS_SUMMER = timezone(timedelta(hours=2))
MOMENT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
# How far the unfrozen clock may drift from the system clock while a test runs.
SLACK = timedelta(seconds=5)


def test_the_clock_follows_the_system_clock_in_utc_when_untouched() -> None:
    # Given a clock nobody has frozen or moved
    # When it is read
    before = datetime.now(UTC)
    seen = clock.now()
    after = datetime.now(UTC)

    # Then it tells the system time, aware and in UTC
    assert seen.utcoffset() == timedelta(0)
    assert before <= seen <= after


def test_a_frozen_clock_stands_still() -> None:
    # Given a clock frozen at a moment
    clock.freeze(MOMENT)

    # When it is read twice
    first, second = clock.now(), clock.now()

    # Then it tells that moment both times
    assert first == MOMENT
    assert second == MOMENT


def test_freezing_at_another_time_zone_gives_the_same_instant_in_utc() -> None:
    # Given a moment written in Paris summer time
    in_paris = datetime(2025, 6, 1, 14, 0, 0, tzinfo=PARIS_SUMMER)

    # When the clock is frozen at it
    clock.freeze(in_paris)

    # Then the clock tells the same instant, expressed in UTC
    assert clock.now() == MOMENT
    assert clock.now().utcoffset() == timedelta(0)


def test_freeze_refuses_a_naive_datetime() -> None:
    # Given a datetime without a time zone
    naive = datetime(2025, 6, 1, 12, 0, 0)

    # When the clock is frozen at it
    # Then it is refused rather than guessed, and the clock keeps running
    with pytest.raises(ValueError, match="aware"):
        clock.freeze(naive)
    assert abs(clock.now() - datetime.now(UTC)) <= SLACK


def test_advance_moves_a_frozen_clock_by_exactly_that_much() -> None:
    # Given a frozen clock
    clock.freeze(MOMENT)

    # When it is moved forward by a day
    moved = clock.advance(24 * 3600)

    # Then it returns and keeps the new time, still frozen there
    assert moved == MOMENT + timedelta(days=1)
    assert clock.now() == MOMENT + timedelta(days=1)


def test_advance_by_a_negative_number_moves_a_frozen_clock_back() -> None:
    # Given a frozen clock
    clock.freeze(MOMENT)

    # When it is moved by a negative number of seconds
    moved = clock.advance(-90)

    # Then it is earlier by that much
    assert moved == MOMENT - timedelta(seconds=90)


def test_advances_add_up_on_a_frozen_clock() -> None:
    # Given a frozen clock
    clock.freeze(MOMENT)

    # When it is moved twice
    clock.advance(1.5)
    clock.advance(0.5)

    # Then both moves count
    assert clock.now() == MOMENT + timedelta(seconds=2)


def test_advance_moves_a_running_clock_ahead_of_the_system_clock() -> None:
    # Given a clock that is not frozen
    # When it is moved forward by an hour
    moved = clock.advance(3600)

    # Then it runs an hour ahead of the system clock, and keeps running
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(hours=1) - SLACK <= ahead <= timedelta(hours=1) + SLACK
    assert moved - datetime.now(UTC) <= timedelta(hours=1) + SLACK
    assert clock.now() >= moved


def test_reset_brings_a_frozen_clock_back_to_the_system_clock() -> None:
    # Given a clock frozen in the past
    clock.freeze(datetime(2001, 1, 1, tzinfo=UTC))

    # When it is reset
    clock.reset()

    # Then it tells the system time again
    assert abs(clock.now() - datetime.now(UTC)) <= SLACK


def test_reset_forgets_an_advance_of_the_running_clock() -> None:
    # Given a running clock moved a year ahead
    clock.advance(365 * 24 * 3600)

    # When it is reset
    clock.reset()

    # Then it tells the system time again
    assert abs(clock.now() - datetime.now(UTC)) <= SLACK


def test_an_advance_made_before_freezing_does_not_move_the_frozen_time() -> None:
    # Given a running clock moved a day ahead
    clock.advance(24 * 3600)

    # When it is then frozen at a moment
    clock.freeze(MOMENT)

    # Then it tells exactly that moment
    assert clock.now() == MOMENT


def test_isoformat_is_utc_with_a_z_to_the_second() -> None:
    # Given a moment with microseconds, written in another time zone
    moment = datetime(2025, 1, 2, 5, 4, 5, 999_999, tzinfo=PARIS_SUMMER)

    # When it is formatted
    text = clock.isoformat(moment)

    # Then it is the UTC instant, to the second (truncated), with a Z
    assert text == "2025-01-02T03:04:05Z"


def test_isoformat_of_the_frozen_clock() -> None:
    # Given a frozen clock
    clock.freeze(MOMENT)

    # When its time is formatted
    text = clock.isoformat(clock.now())

    # Then it reads as the API shows times
    assert text == "2025-06-01T12:00:00Z"
