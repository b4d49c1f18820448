"""What a request to a button counts as (mobilise.engagement.clicks.judge): the rule, without
AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mobilise.engagement.clicks import BURST_WINDOW, SCANNER_WINDOW, judge

SENT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("method", ["HEAD", "head"])
@pytest.mark.parametrize("after", [timedelta(0), timedelta(days=3)])
def test_a_head_request_counts_as_nobody_whenever_it_comes(method: str, after: timedelta) -> None:
    assert judge(method, SENT + after, SENT) is None


@pytest.mark.parametrize(
    "after", [timedelta(0), SECOND, timedelta(seconds=5), SCANNER_WINDOW - SECOND]
)
def test_a_click_within_the_scanner_window_of_the_sending_is_a_machines(after: timedelta) -> None:
    assert judge("GET", SENT + after, SENT) == "machine"


def test_a_click_stamped_before_the_sending_is_a_machines_too() -> None:
    # A clock that disagrees by a second cannot make a scanner a person
    assert judge("GET", SENT - SECOND, SENT) == "machine"


@pytest.mark.parametrize("after", [SCANNER_WINDOW, SCANNER_WINDOW + SECOND, timedelta(days=30)])
def test_a_click_once_the_window_has_passed_is_a_persons(after: timedelta) -> None:
    assert judge("GET", SENT + after, SENT) == "person"


def test_a_click_when_the_sending_is_unknown_is_a_persons() -> None:
    assert judge("GET", SENT, None) == "person"


@pytest.mark.parametrize("gap", [timedelta(0), SECOND, BURST_WINDOW, -BURST_WINDOW])
def test_another_button_of_the_email_clicked_within_the_burst_window_makes_a_machine(
    gap: timedelta,
) -> None:
    # Given a recipient whose email went out an hour ago, who clicked another button
    clicked_at = SENT + timedelta(hours=1)

    # Then a click this close to it is a scanner walking the buttons
    assert judge("GET", clicked_at, SENT, [clicked_at - gap]) == "machine"


def test_another_button_clicked_longer_ago_leaves_a_person() -> None:
    clicked_at = SENT + timedelta(hours=1)
    earlier = [clicked_at - BURST_WINDOW - SECOND, clicked_at - timedelta(minutes=5)]
    assert judge("GET", clicked_at, SENT, earlier) == "person"


def test_the_windows_are_the_documented_ones() -> None:
    # The README and the stats' description say 30 seconds and 2 seconds
    assert (timedelta(seconds=30), timedelta(seconds=2)) == (SCANNER_WINDOW, BURST_WINDOW)
