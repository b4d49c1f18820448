"""Fixed-window rate limits kept in the table: one counter item per scope and window,
taken in one transaction with whatever else the request writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import RateLimited
from mobilise.table.conditions import condition_failed
from mobilise.table.models import RateWindow, bound, connection


def email_scope(email_hash: str) -> str:
    """The rate scope of the emails an address gets from signing, whatever the petition."""
    return f"EMAILS#{email_hash}"


def take_windows(windows: list[tuple[RateWindow, list[Any], Condition, int]]) -> None:
    """Count one hit in each of these windows, in one transaction."""
    if not windows:
        return
    with TransactWrite(connection=connection()) as transaction:
        for window, actions, condition, _ in windows:
            transaction.update(window, actions=actions, condition=condition)


def rate_windows(
    scope: str, limits: Iterable[tuple[int, int]]
) -> list[tuple[RateWindow, list[Any], Condition, int]]:
    """For each fixed window of ``(seconds, limit)``: its item, the counter increment, the
    condition that it is not full, and the seconds until it ends."""
    now = clock.now()
    epoch = int(now.timestamp())
    windows = []
    for seconds, limit in limits:
        start = epoch - epoch % seconds
        windows.append(
            (
                RateWindow(*RateWindow.key(scope, seconds, start)),
                [
                    RateWindow.hits.add(1),
                    RateWindow.expires_at.set(now + timedelta(seconds=seconds + 3600)),
                ],
                RateWindow.hits.does_not_exist() | (RateWindow.hits < limit),
                start + seconds - epoch,
            )
        )
    return windows


def take_rate(scope: str, limits: Iterable[tuple[int, int]]) -> None:
    """Count one request against fixed windows; :class:`RateLimited` with the wait if one
    is full. Each window is one conditional counter write."""
    bound()
    for window, actions, condition, retry_after in rate_windows(scope, limits):
        try:
            window.update(actions=actions, condition=condition)
        except UpdateError as error:
            if condition_failed(error):
                raise RateLimited(retry_after) from error
            raise


def give_rate_back(scope: str, limits: Iterable[tuple[int, int]]) -> None:
    """Take back the request :func:`take_rate` counted (it did nothing): the window's item is
    deleted if that request was its only one, else counts one less; a window that rolled over
    meanwhile is left as it is."""
    bound()
    for window, _, _, _ in rate_windows(scope, limits):
        try:
            window.delete(condition=RateWindow.hits == 1)
        except DeleteError as error:
            if not condition_failed(error):
                raise
            try:
                window.update(actions=[RateWindow.hits.add(-1)], condition=RateWindow.hits > 1)
            except UpdateError as other:
                if not condition_failed(other):
                    raise


def spend_once(scope: str, until: datetime) -> bool:
    """Record that ``scope`` (a solved proof of work) was used, unless it already was: one
    conditional write, so that of two requests that race with the same proof one wins.
    True the first time; the record lives an hour past ``until``, when the proof expires.
    """
    bound()
    record = RateWindow(*RateWindow.key(scope, 0, 0))
    try:
        record.update(
            actions=[RateWindow.hits.add(1), RateWindow.expires_at.set(until + timedelta(hours=1))],
            condition=RateWindow.hits.does_not_exist(),
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


#: A signer's count of responses to an update lives while the update's links work (90 days).
RESPONSE_COUNTER_LIFE = timedelta(days=91)


def response_counter(petition_id: str, update_id: str, email_hash: str) -> RateWindow:
    """How many responses one signer gave to one update: a counter named by the signer, kept
    while the links of the update can be followed, and erased with the signer's responses."""
    scope = f"RSP#{petition_id}#{update_id}#{email_hash}"
    return RateWindow(*RateWindow.key(scope, int(RESPONSE_COUNTER_LIFE.total_seconds()), 0))
