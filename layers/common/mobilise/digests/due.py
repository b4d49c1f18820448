"""Every minute: one digest message per person whose waiting updates are due.

Due entries are read a page at a time from the sparse ``outbox`` index (kind ``DIGEST``, due
time up to now): never a scan. Each queued entry is listed again only if it is still there
:data:`mobilise.digests.store.REQUEUE` later (its message was lost, or its digest failed):
a person's digest is queued once, not every minute while the delivery queue is busy, and
never lost. The deliver function sends each person one digest whatever the number of
messages naming them (:mod:`mobilise.digests.sending`).
"""

from __future__ import annotations

from collections.abc import Callable

from mobilise.core import clock
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues
from mobilise.delivery.messages import DigestMessage
from mobilise.digests import store

PAGE = 100
RESERVE_MS = 10_000


def enqueue(remaining_ms: Callable[[], int], reserve_ms: int = RESERVE_MS) -> dict[str, int]:
    """Queue the digests that are due; how many (``digests``), and whether the run stopped
    short for lack of time (``digests_stopped``: the next run goes on)."""
    now = clock.now()
    cursor = None
    queued, stopped = 0, 0
    while True:
        if remaining_ms() < reserve_ms:
            stopped = 1
            break
        entries, cursor = store.due_entries(now, PAGE, cursor)
        people = list(dict.fromkeys(entry.email_hash for entry in entries))
        queues.to_delivery(DigestMessage(email_hash=person) for person in people)
        for entry in entries:
            store.queued(entry, now)
        queued += len(people)
        if cursor is None:
            break
    logger.info("digests queued", digests=queued, stopped=stopped)
    metrics.add_metric(name="DigestsQueued", unit="Count", value=queued)
    return {"digests": queued, "digests_stopped": stopped}
