"""The outbox sweeper: fan-out jobs that never reached the publish queue are sent again.

The publish transaction writes the job; the api function then sends it to the
queue. If that send failed (or the message was lost), the job is still
``queued`` in the table: every run sends again the jobs not started within
``SWEEP_AFTER``. A job sent twice is harmless: fan-out pages and deliveries are
idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from mobilise.core import clock
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues, store
from mobilise.delivery.messages import FanoutMessage

SWEEP_AFTER = timedelta(minutes=5)
BATCH = 100


def sweep() -> int:
    """Send again every job not started within five minutes; returns how many."""
    resent = 0
    while True:
        stale = store.stale_jobs(clock.now() - SWEEP_AFTER, BATCH)
        if not stale:
            break
        queues.to_publish(
            FanoutMessage(petition_id=job.petition_id, update_id=job.update_id) for job in stale
        )
        for job in stale:
            store.resent(job)
        resent += len(stale)
        if len(stale) < BATCH:
            break
    if resent:
        logger.warning("fan-out jobs sent again", count=resent)
        metrics.add_metric(name="FanoutJobsSwept", unit="Count", value=resent)
    return resent
