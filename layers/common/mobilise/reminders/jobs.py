"""Scheduled reminders: the starter's nudge, the event reminder, the meeting follow-up.

Each job finds its due work through the sparse ``outbox`` index (NUDGE petitions,
EVENT and MEETING updates: see :mod:`mobilise.table.models`), a page at a time, and
stops when the invocation has less than ``RESERVE_MS`` left: what it did not reach
is still due, so the next run does it.

Every email is recorded by a conditional write of a :class:`~mobilise.table.models.JobRecord`
keyed by (job, subject, period) *before* it is sent, so a run repeated, retried or
overlapping another sends nothing twice. The guarantee is at most once: an email
SES refuses for a passing reason (throttling, 5xx) has its record removed and is
tried again by the next run, but a crash between the record and the send loses
that one reminder. A reminder missed is better than a reminder sent twice.

- nudge (daily): subject the petition, period the due time of its NUDGE key; after
  a nudge the key moves ``NUDGE_EVERY`` on, so a petition gets at most one nudge
  in any 7 days.
- event reminder (hourly): subject the update, period the signer's email hash, one
  record per email: the records are also the checkpoint (RSVPs are read in hash
  order, so the greatest recorded hash is where the last run stopped).
- meeting follow-up (daily): subject the update, period the meeting's due time.

While SES has paused the account's sending, a run sends nothing and does not fail (its
schedule's next run tries again, as for any reminder not reached); one that meets the pause
stops there, sets the account's pause as a delivery does, and does not fail either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mobilise.core.observability import logger, metrics
from mobilise.delivery import pausing
from mobilise.delivery.ses import SendingPaused
from mobilise.reminders.events import event_reminders, meeting_followups
from mobilise.reminders.nudges import nudges
from mobilise.reminders.outgoing import Remaining, Run


def run(job: str, remaining_ms: Remaining) -> dict[str, Any]:
    """Run the job a schedule names: ``nudges``, ``event_reminders`` or ``meeting_followups``."""
    jobs: dict[str, Callable[[Remaining], Run]] = {
        "nudges": nudges,
        "event_reminders": event_reminders,
        "meeting_followups": meeting_followups,
    }
    if job not in jobs:
        raise ValueError(f"no reminder job named {job!r}; one of {sorted(jobs)}")
    if pausing.account_paused():
        logger.warning("reminders wait: the account's sending is paused", job=job)
        return {"job": job, "waiting": "account sending paused"}
    try:
        done = jobs[job](remaining_ms)
    except SendingPaused as refused:  # the reminder met it is no longer recorded: next run
        pausing.account_refused(refused.code)
        logger.warning("reminders stopped: the account's sending is paused", job=job)
        return {"job": job, "waiting": "account sending paused"}
    logger.info("reminders run", job=job, **done.report())
    metrics.add_metric(name="RemindersSent", unit="Count", value=done.sent)
    return {"job": job, **done.report()}
