"""The SES stand-in's quota is the account's: worker processes draw on one token bucket, so
together they are granted no more than the rate (and the burst), as SES grants an account."""

from __future__ import annotations

import time
from typing import Any

from mobilise_bench.processes import SPAWN, SharedBucket, SharedQuota
from mobilise_bench.ses import BULK, SEND

RATE = 200.0
BURST = 20.0
SECONDS = 1.0
WORKERS = 3


def draw(bucket: SharedBucket, start: Any, index: int, window: Any, granted: Any) -> None:
    """Once every process is at ``start``, take tokens flat out for ``SECONDS``; count them,
    and note when this process began and stopped drawing."""
    start.wait(60)
    window[2 * index] = time.monotonic()
    until = window[2 * index] + SECONDS
    while time.monotonic() < until:
        if bucket.take():
            with granted.get_lock():
                granted.value += 1
    window[2 * index + 1] = time.monotonic()


def test_processes_drawing_on_one_bucket_are_granted_the_rate_in_all() -> None:
    bucket = SharedBucket(RATE, BURST)
    granted: Any = SPAWN.Value("i", 0)
    window: Any = SPAWN.Array("d", 2 * WORKERS)
    start = SPAWN.Barrier(WORKERS)
    workers = [
        SPAWN.Process(target=draw, args=(bucket, start, index, window, granted))
        for index in range(WORKERS)
    ]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert all(worker.exitcode == 0 for worker in workers)
    drawing = max(window[1::2]) - min(window[0::2])  # from the first start to the last stop
    # A bucket each would grant each process the burst and the rate: three times as much.
    assert granted.value <= BURST + RATE * drawing + 1
    assert granted.value >= RATE * SECONDS / 2  # and the quota is granted (a busy machine)
    assert drawing < WORKERS * SECONDS  # (so that a bucket each could be told apart)


def test_a_bulk_call_draws_its_entries_at_once_from_the_shared_bucket() -> None:
    # Given the account's bucket at 5 emails a second, a SendEmail bursting by 1 at most
    bucket = SharedBucket(5, 1)
    quota = SharedQuota(bucket)

    # Then a bulk call above a second's worth is refused whole, one of a second's worth taken
    assert not quota.take(6, BULK)
    assert quota.take(5, BULK)
    # and the emails, not the calls, are what the worker reports
    assert (quota.accepted, quota.throttled, quota.throttled_calls) == (5, 6, 1)
    assert not bucket.take(1, SEND)  # nothing left for a SendEmail
