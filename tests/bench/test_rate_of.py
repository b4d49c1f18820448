"""The rate a run achieved, read from when SES accepted each email: one email a moment (each
SendEmail) or many at one moment (each SendBulkEmail)."""

from __future__ import annotations

from mobilise_bench.saturation import rate_of


def test_emails_accepted_one_at_a_time_give_their_pace() -> None:
    assert rate_of([0.0, 0.1, 0.2, 0.3, 0.4]) == 10.0


def test_emails_accepted_a_request_at_a_time_give_their_pace_not_more() -> None:
    # Five requests of 12 emails, 0.96 s apart: 12.5 emails a second (counting the last
    # request's twelve within the span would say 15.4)
    times = [round(0.96 * request, 2) for request in range(5) for _ in range(12)]
    assert round(rate_of(times), 6) == 12.5


def test_one_moment_or_none_gives_no_rate_rather_than_a_division_by_zero() -> None:
    assert rate_of([]) == 0.0
    assert rate_of([3.0]) == 0.0
    assert rate_of([3.0] * 12) == 0.0  # one request: the smoke run's fan-out's last emails
