"""Records of scheduled jobs done once per subject and period (a nudge, an event
reminder, a scheduled publish), so that a retried run does not do them twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from mobilise.core import clock
from mobilise.table.conditions import condition_failed
from mobilise.table.models import JobRecord, bound

JOB_RECORD_DAYS = 90


def record_job(job: str, subject: str, period: str, expires_at: datetime | None = None) -> bool:
    """Record that ``job`` is done for ``subject`` in ``period``; False if it already was.
    The record is deleted (TTL) at ``expires_at``, by default ``JOB_RECORD_DAYS`` on."""
    bound()
    now = clock.now()
    record = JobRecord(
        *JobRecord.key(job, subject, period),
        done_at=now,
        expires_at=expires_at or now + timedelta(days=JOB_RECORD_DAYS),
    )
    try:
        record.save(condition=JobRecord.pk.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def forget_job(job: str, subject: str, period: str) -> None:
    """Remove a record whose work did not happen after all (the email was not accepted)."""
    bound()
    JobRecord(*JobRecord.key(job, subject, period)).delete()


def last_job_period(job: str, subject: str) -> str | None:
    """The greatest period recorded for ``job`` and ``subject``: where a run stopped."""
    bound()
    pk, _ = JobRecord.key(job, subject, "")
    for record in JobRecord.query(pk, scan_index_forward=False, limit=1):
        return record.sk
    return None
