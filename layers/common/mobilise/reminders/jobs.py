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
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from mobilise.core import clock, links
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.core.observability import logger, metrics
from mobilise.delivery import ses
from mobilise.delivery.pacing import pacer
from mobilise.delivery.ses import SesUnavailable
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import actions, updates
from mobilise.reminders import store
from mobilise.table import items, job_records
from mobilise.table.models import EMAILED, EVENT, MEETING, NUDGE, Petition, Signature, Update

Remaining = Callable[[], int]

#: A run stops taking new work when its invocation has less time left than this.
RESERVE_MS = 15_000
T = TypeVar("T")
PAGE = 25
#: At most one nudge per petition in any 7 days (the issue's rule, not a setting).
NUDGE_EVERY = timedelta(days=7)
#: A petition that may not be nudged today (no signer yet, an update scheduled) is looked
#: at again this much later.
LOOK_AGAIN = timedelta(days=1)
#: How many of the newest updates count as "used lately" for the suggestions.
RECENT_UPDATES = 5
#: The update types a nudge may suggest, the most useful first.
SUGGESTED = (
    "press",
    "ask_testimony",
    "call_to_action",
    "event",
    "decision_maker_meeting",
    "ask_advice",
    "news",
)
SUGGESTIONS = 3
#: The event reminders' records (one per signer) are deleted this long after the event.
RECORDS_AFTER_EVENT = timedelta(days=2)

NUDGE_JOB = "nudge"
EVENT_JOB = "event-reminder"
MEETING_JOB = "meeting-followup"


@dataclass
class Run:
    """What one run did."""

    sent: int = 0
    skipped: int = 0
    finished: bool = True

    def report(self) -> dict[str, Any]:
        return {"sent": self.sent, "skipped": self.skipped, "finished": self.finished}


def run(job: str, remaining_ms: Remaining) -> dict[str, Any]:
    """Run the job a schedule names: ``nudges``, ``event_reminders`` or ``meeting_followups``."""
    jobs: dict[str, Callable[[Remaining], Run]] = {
        "nudges": nudges,
        "event_reminders": event_reminders,
        "meeting_followups": meeting_followups,
    }
    if job not in jobs:
        raise ValueError(f"no reminder job named {job!r}; one of {sorted(jobs)}")
    done = jobs[job](remaining_ms)
    logger.info("reminders run", job=job, **done.report())
    metrics.add_metric(name="RemindersSent", unit="Count", value=done.sent)
    return {"job": job, **done.report()}


# The nudge ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    type: str
    text: str
    url: str


def form_url(petition_id: str, update_type: str) -> str:
    """The page where the starter writes an update of ``update_type``."""
    site = get_settings().site_url.rstrip("/")
    return f"{site}/petitions/{petition_id}/updates/new?type={update_type}"


def suggestions(petition: Petition, recent_types: Iterable[str]) -> list[Suggestion]:
    """Two or three ideas among the update types the petition has not used lately."""
    used = set(recent_types)
    language = words(petition.language)
    return [
        Suggestion(kind, language.named("suggest", kind), form_url(petition.petition_id, kind))
        for kind in SUGGESTED
        if kind not in used
    ][:SUGGESTIONS]


def _pages(
    fetch: Callable[[str, datetime, int, dict[str, Any] | None], tuple[list[T], Any]],
    kind: str,
    now: datetime,
) -> Iterator[tuple[list[T], bool]]:
    """The pages of the work of ``kind`` due by ``now`` (the sparse ``outbox`` index), each
    with whether more follow."""
    cursor: dict[str, Any] | None = None
    while True:
        due, cursor = fetch(kind, now, PAGE, cursor)
        yield due, cursor is not None
        if cursor is None:
            return


def nudges(remaining_ms: Remaining) -> Run:
    """Nudge the starters of open petitions with signers that have been quiet too long."""
    done = Run()
    now = clock.now()
    for due, more in _pages(store.due_petitions, NUDGE, now):
        for item in due:
            assert item.outbox_sk is not None  # the index holds only items with its keys
            if _nudge(item.petition_id, item.outbox_sk, now):
                done.sent += 1
            else:
                done.skipped += 1
        if more and remaining_ms() < RESERVE_MS:
            done.finished = False
            return done
    return done


def _nudge(petition_id: str, due_at: str, now: datetime) -> bool:
    """Nudge one petition's starter if it is time; move or remove its NUDGE key."""
    try:
        petition = items.get_petition(petition_id)
    except NotFound:
        return False
    if petition.status != "open" or petition.nudges_off or not petition.owner_email:
        store.move_due(petition, due_at, None)  # no nudge can ever come
        return False
    quiet_since: datetime = petition.last_update_at or petition.created_at
    ready = quiet_since + timedelta(days=get_settings().nudge_after_days)
    if ready > now:  # an update went out since the key was set
        store.move_due(petition, due_at, ready)
        return False
    waiting = not petition.signer_count or petition.scheduled_update_id is not None
    if waiting or petition.next_update_allowed_at is not None:
        store.move_due(petition, due_at, now + LOOK_AGAIN)
        return False
    recent = updates.latest(petition_id, RECENT_UPDATES)
    ideas = suggestions(petition, (update.type for update in recent))
    rendered = nudge_email(petition, (now - quiet_since).days, ideas)
    sent = _once(
        NUDGE_JOB,
        petition_id,
        due_at,
        lambda: _send(
            petition.owner_email or "",
            rendered,
            links.nudges_off_url(petition_id),
            {"petition_id": petition_id, "reminder": NUDGE_JOB},
        ),
    )
    store.move_due(petition, due_at, now + NUDGE_EVERY)
    if sent:
        logger.info("starter nudged", petition_id=petition_id, suggested=[i.type for i in ideas])
    return sent


def nudge_email(petition: Petition, days: int, ideas: list[Suggestion]) -> rendering.Rendered:
    """The nudge of ``petition``'s starter: quiet for ``days``, with ``ideas``."""
    slot = _slot()
    context = {
        "petition_title": petition.title,
        "days": days,
        "count": int(petition.signer_count or 0),
        "suggestions": ideas,
        "unsubscribe_url": slot,
    }
    language = petition.language
    subject = words(language).ngettext(
        "nudge_subject",
        "nudge_subject",
        int(petition.signer_count or 0),
        days=words(language).ngettext("days", "days", days),
        title=petition.title,
    )
    return _rendered("nudge", petition.language, subject, slot, context)


# The event reminder ---------------------------------------------------------------------------


def event_reminders(remaining_ms: Remaining) -> Run:
    """Remind the signers who said yes to an event, about 24 hours before it starts."""
    done = Run()
    now = clock.now()
    for due, more in _pages(store.due_updates, EVENT, now):
        for item in due:
            assert item.outbox_sk is not None
            if not _remind_event(item, item.outbox_sk, now, remaining_ms, done):
                done.finished = False
                return done
        if more and remaining_ms() < RESERVE_MS:
            done.finished = False
            return done
    return done


def _remind_event(
    item: Update, due_at: str, now: datetime, remaining_ms: Remaining, done: Run
) -> bool:
    """Remind one event's yes-sayers, page by page; False if it stopped for time."""
    try:
        petition = items.get_petition(item.petition_id)
        update = items.get_update(item.petition_id, item.update_id)
    except NotFound:
        return True
    fields = update.fields or {}
    starts_at = datetime.fromisoformat(fields["starts_at"])
    if update.status not in EMAILED or starts_at <= now:  # cancelled, or too late
        store.move_due(update, due_at, None)
        return True
    after = job_records.last_job_period(EVENT_JOB, update.update_id)
    rendered: dict[str, rendering.Rendered] = {}
    while True:
        if remaining_ms() < RESERVE_MS:
            return False
        hashes, after_page = store.page_rsvps(
            petition.petition_id, update.update_id, "yes", after, PAGE
        )
        signatures, suppressed = (
            items.recipients(petition.petition_id, hashes) if hashes else ({}, set())
        )
        for email_hash in hashes:
            signature = signatures.get(email_hash)
            if signature is None or not signature.receives_updates or email_hash in suppressed:
                done.skipped += 1
                continue
            if _remind_signer(petition, update, signature, rendered):
                done.sent += 1
        if after_page is None:
            store.move_due(update, due_at, None)
            logger.info("event reminders sent", update_id=update.update_id)
            return True
        after = after_page


def _remind_signer(
    petition: Petition,
    update: Update,
    signature: Signature,
    rendered: dict[str, rendering.Rendered],
) -> bool:
    language = signature.language or petition.language
    if language not in rendered:
        rendered[language] = event_email(petition, update, language)
    signer = links.SignerRef(petition.petition_id, signature.email_hash, update.update_id)
    starts_at = datetime.fromisoformat((update.fields or {})["starts_at"])
    return _once(
        EVENT_JOB,
        update.update_id,
        signature.email_hash,
        lambda: _send(
            signature.email,
            rendered[language],
            links.unsubscribe_url(signer),
            {"petition_id": petition.petition_id, "update_id": update.update_id},
        ),
        # Named by the signer's hash: kept no longer than the event needs them.
        expires_at=starts_at + RECORDS_AFTER_EVENT,
    )


def event_email(petition: Petition, update: Update, language: str) -> rendering.Rendered:
    fields = update.fields or {}
    slot = _slot()
    context = {
        "petition_title": petition.title,
        "title": update.title,
        "when": local_time(fields["starts_at"], fields.get("time_zone")),
        "place": fields.get("place"),
        "online_url": fields.get("online_url"),
        "calendar_url": actions.calendar_url(petition.petition_id, update.update_id),
        "unsubscribe_url": slot,
    }
    subject = words(language).gettext("event_subject", title=update.title)
    return _rendered("event_reminder", language, subject, slot, context)


# The meeting follow-up ------------------------------------------------------------------------


def meeting_followups(remaining_ms: Remaining) -> Run:
    """Remind starters to tell signers how a meeting with the decision-maker went."""
    done = Run()
    now = clock.now()
    for due, more in _pages(store.due_updates, MEETING, now):
        for item in due:
            assert item.outbox_sk is not None
            if _follow_up(item, item.outbox_sk):
                done.sent += 1
            else:
                done.skipped += 1
        if more and remaining_ms() < RESERVE_MS:
            done.finished = False
            return done
    return done


def reported_held(petition_id: str, update_id: str) -> bool:
    """Whether an update published after ``update_id`` reports a meeting held."""
    return any(
        later.type == "decision_maker_meeting"
        and (later.fields or {}).get("meeting_status") == "held"
        for later in store.later_updates(petition_id, update_id)
    )


def _follow_up(item: Update, due_at: str) -> bool:
    try:
        petition = items.get_petition(item.petition_id)
        update = items.get_update(item.petition_id, item.update_id)
    except NotFound:
        return False
    fields = update.fields or {}
    unwanted = petition.nudges_off or not petition.owner_email or petition.status == "closed"
    if (
        unwanted
        or update.status not in EMAILED
        or fields.get("meeting_status") == "held"
        or reported_held(petition.petition_id, update.update_id)
    ):
        store.move_due(update, due_at, None)
        return False
    rendered = meeting_email(petition, update)
    sent = _once(
        MEETING_JOB,
        update.update_id,
        due_at,
        lambda: _send(
            petition.owner_email or "",
            rendered,
            links.nudges_off_url(petition.petition_id),
            {"petition_id": petition.petition_id, "update_id": update.update_id},
        ),
    )
    store.move_due(update, due_at, None)
    return sent


def meeting_email(petition: Petition, update: Update) -> rendering.Rendered:
    """The starter's follow-up of the meeting ``update`` announced."""
    fields = update.fields or {}
    slot = _slot()
    context = {
        "petition_title": petition.title,
        "decision_maker": (petition.decision_maker or {}).get("name", ""),
        "when": local_time(fields["meeting_at"], fields.get("time_zone")),
        "form_url": form_url(petition.petition_id, "decision_maker_meeting"),
        "unsubscribe_url": slot,
    }
    subject = words(petition.language).gettext("meeting_subject", title=petition.title)
    return _rendered("meeting_followup", petition.language, subject, slot, context)


# Sending --------------------------------------------------------------------------------------


def local_time(moment: str, time_zone: str | None) -> str:
    """A stored UTC time as the people there read it: ``2026-12-05 14:00 (Europe/Paris)``."""
    zone = time_zone or "UTC"
    there = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone))
    return f"{there:%Y-%m-%d %H:%M} ({zone})"


def _slot() -> str:
    return f"{rendering.UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"


def _rendered(
    template: str, language: str, subject: str, slot: str, context: dict[str, Any]
) -> rendering.Rendered:
    return rendering.Rendered(
        subject=rendering.one_line(subject),
        html=rendering.render(f"{template}.html", language, **context),
        text=rendering.render(f"{template}.txt", language, **context),
        slot=slot,
    )


def _once(
    job: str,
    subject: str,
    period: str,
    send: Callable[[], bool],
    expires_at: datetime | None = None,
) -> bool:
    """Send, if (job, subject, period) was never recorded; the record is written first."""
    if not job_records.record_job(job, subject, period, expires_at):
        return False
    try:
        return send()
    except SesUnavailable:
        job_records.forget_job(job, subject, period)  # the next run tries again
        raise


def _send(to: str, rendered: rendering.Rendered, off_url: str, tags: dict[str, str]) -> bool:
    """One email through SESv2; False if it cannot be built or SES refused it for good (it is
    not tried again)."""
    settings = get_settings()
    try:
        raw = rendering.addressed(
            rendered,
            sender=settings.sender_address,
            to=to,
            links=rendering.RecipientLinks(unsubscribe=off_url),
        )
    except Exception as error:  # an address no email can carry costs no one else theirs
        # The error's class only: its message may quote the address.
        logger.warning(
            "reminder not built", petition_id=tags["petition_id"], error=type(error).__name__
        )
        metrics.add_metric(name="EmailsNotBuilt", unit="Count", value=1)
        return False
    pacer().wait()
    try:
        ses.send(to, raw, tags)
    except ClientError as error:
        code = ses.refused(error)
        logger.warning("reminder refused by SES", code=code, petition_id=tags["petition_id"])
        return False
    return True
