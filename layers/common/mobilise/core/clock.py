"""The one clock the domain reads.

In AWS it is the system clock. Tests freeze it and the local stack moves it
(``POST /_local/clock``); both go through :func:`advance` and :func:`freeze`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta()
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    with _lock:
        if _frozen is not None:
            return _frozen
        return datetime.now(UTC) + _offset


def advance(seconds: float) -> datetime:
    """Move the clock forward (or back, with a negative number) and return the new time."""
    global _offset, _frozen
    with _lock:
        delta = timedelta(seconds=seconds)
        if _frozen is not None:
            _frozen += delta
        else:
            _offset += delta
    return now()


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (aware) until :func:`reset`."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    with _lock:
        _frozen = at.astimezone(UTC)


def reset() -> None:
    """Back to the system clock."""
    global _offset, _frozen
    with _lock:
        _offset = timedelta()
        _frozen = None


def isoformat(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second, as the API shows times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
