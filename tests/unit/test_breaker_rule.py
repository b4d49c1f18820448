"""The circuit breaker's rule: an update pauses once it sent ``breaker_min_sent`` emails and its
complaints, or its permanent bounces, are past their share of them (the defaults: 500, 0.1 %,
5 %)."""

from __future__ import annotations

import pytest

from mobilise.delivery import breaker

pytestmark = pytest.mark.usefixtures("offline")


@pytest.mark.parametrize(
    ("counters", "reason"),
    [
        ({"sent": 499, "complained": 400, "bounced": 400}, None),  # too few sent to judge
        ({"sent": 1000, "complained": 1, "bounced": 50}, None),  # at the rates, not past them
        ({"sent": 500, "complained": 1, "bounced": 0}, "complaints"),  # 0.2 %
        ({"sent": 1000, "complained": 2, "bounced": 0}, "complaints"),
        ({"sent": 1000, "complained": 0, "bounced": 51}, "bounces"),
        ({"sent": 1000, "complained": 2, "bounced": 51}, "complaints"),  # the first said
        ({"sent": 1000}, None),  # no event yet
    ],
)
def test_an_update_pauses_past_a_rate_of_enough_emails_sent(
    counters: dict[str, int], reason: str | None
) -> None:
    assert breaker.tripped(counters) == reason
