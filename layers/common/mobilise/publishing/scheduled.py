"""Scheduled publishes: every minute, the updates whose ``publish_at`` has come go out, and
the pending ones whose grace period has ended (``release_at``: due under the same kind).

Due updates are read a page at a time from the sparse ``outbox`` index (kind
``SCHEDULED``, due time up to now): never a scan. Each is published through the
same conditional transaction as a direct publish (:func:`mobilise.publishing.releasing.release`).
One refused by the 24-hour rule stays scheduled, due again when the window reopens,
and its starter is told once: a conditional :class:`~mobilise.table.models.JobRecord`
keyed (job, update, time the window reopens) stands between a run and the email,
so a second run, or a schedule that fires twice, tells nobody again. A run stops
while it still has ``RESERVE_MS`` of its time; the next run continues.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from mobilise.core import clock
from mobilise.core.errors import Conflict, NotFound, NotOwner, UpdateTooSoon
from mobilise.core.observability import logger, metrics
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import grace, releasing, store
from mobilise.table import items, job_records
from mobilise.table.models import SCHEDULED, Petition, Update

JOB = "scheduled-held"
PAGE = 25
RESERVE_MS = 10_000
NOTICE_KEPT = timedelta(days=30)


def run(remaining_ms: Callable[[], int], reserve_ms: int = RESERVE_MS) -> dict[str, int]:
    """Publish what is due; returns how many were published, held for review (moderation),
    held (24-hour rule), skipped
    (changed or gone meanwhile), failed (the starter could not be told: tried again next
    run), and whether the run stopped short of the end for lack of time (``stopped``)."""
    tally: Counter[str] = Counter()
    now = clock.now()
    cursor = None
    while not tally["stopped"]:
        if remaining_ms() < reserve_ms:
            tally["stopped"] = 1
            break
        due, cursor = store.due_scheduled(now, PAGE, cursor)
        for petition_id, update_id in due:
            if remaining_ms() < reserve_ms:
                tally["stopped"] = 1
                break
            tally[_publish(petition_id, update_id)] += 1
        if cursor is None:
            break
    names = ("published", "in_review", "held", "skipped", "failed", "stopped")
    counts = {name: tally[name] for name in names}
    logger.info("scheduled publishes", extra=counts)
    metrics.add_metric(name="ScheduledPublished", unit="Count", value=tally["published"])
    return counts


def _publish(petition_id: str, update_id: str) -> str:
    try:
        update = items.get_update(petition_id, update_id)
        petition = items.get_petition(petition_id)
    except NotFound:
        return "skipped"
    if update.status not in ("scheduled", "pending") or update.outbox_pk != SCHEDULED:
        return "skipped"
    try:
        if update.status == "scheduled" and grace.hold(petition.owner_id, petition, update):
            return "in_review"
        if update.status == "pending" and grace.review_pending(petition, update):
            return "in_review"
        releasing.release(petition.owner_id, petition, update)
    except UpdateTooSoon as refused:
        reopens = refused.next_update_allowed_at
        try:
            _tell_starter(petition, update, reopens)
        except Exception:  # SES refused or failed: it stays due, and the next run tries again
            logger.exception("starter not told", petition_id=petition_id, update_id=update_id)
            return "failed"
        store.postpone(update, reopens)
        logger.info("scheduled update held", petition_id=petition_id, update_id=update_id)
        return "held"
    except (Conflict, NotFound, NotOwner):
        logger.info("scheduled update changed meanwhile", petition_id=petition_id)
        return "skipped"
    return "published"


def _tell_starter(petition: Petition, update: Update, reopens: datetime) -> None:
    """Email the starter that the update waits, once per (update, reopening)."""
    period = reopens.isoformat()
    if not job_records.record_job(JOB, update.update_id, period, clock.now() + NOTICE_KEPT):
        return
    try:
        releasing.notify_starter(petition, _notice(petition, update, reopens), JOB)
    except Exception:
        job_records.forget_job(JOB, update.update_id, period)  # the next run tells them
        raise


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _notice(petition: Petition, update: Update, reopens: datetime) -> rendering.Rendered:
    language = petition.language
    context = {
        "title": rendering.one_line(update.title),
        "petition_title": rendering.one_line(petition.title),
        "due": _when(update.publish_at or clock.now()),
        "reopens": _when(reopens),
    }
    subject = words(language).gettext("held_subject", title=context["title"])
    return rendering.Rendered(
        subject=rendering.one_line(subject),
        html=rendering.render("scheduled_held.html", language, **context),
        text=rendering.render("scheduled_held.txt", language, **context),
        slot=rendering.UNSUBSCRIBE_SLOT,  # no per-recipient link in it
    )
