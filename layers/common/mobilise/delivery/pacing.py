"""Sending no faster than SES accepts, across every concurrent delivery invocation.

The account's maximum send rate (a setting, else what SES ``GetAccount`` says)
is shared by the delivery event source's ``MaximumConcurrency`` invocations:
each paces itself to ``rate / concurrency`` emails a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cache

from mobilise.core import aws
from mobilise.core.config import get_settings


class Pacer:
    """A token bucket of one: at most ``rate`` emails a second, each :meth:`wait` for as
    many as the request that follows sends (the next waits that much longer)."""

    def __init__(
        self,
        rate: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = monotonic()
        self._lock = threading.Lock()

    def wait(self, emails: int = 1) -> None:
        with self._lock:
            now = self._monotonic()
            start = max(self._next, now)
            self._next = start + self.interval * emails
        if start > now:
            self._sleep(start - now)  # pacing to the SES quota, not synchronisation


def account_send_rate() -> float:
    settings = get_settings()
    if settings.ses_max_send_rate:
        return settings.ses_max_send_rate
    return float(aws.sesv2().get_account()["SendQuota"]["MaxSendRate"])


@cache
def pacer() -> Pacer:
    """This invocation's share of the account's send rate."""
    return Pacer(account_send_rate() / get_settings().delivery_concurrency)
