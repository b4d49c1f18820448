"""The event reminder (to the signers who said they are coming) and the meeting follow-up
(to the starter, asking how the meeting with the decision-maker went).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mobilise.core import clock, links
from mobilise.core.errors import NotFound
from mobilise.core.observability import logger
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import actions
from mobilise.reminders import store
from mobilise.reminders.nudges import form_url
from mobilise.reminders.outgoing import (
    PAGE,
    RESERVE_MS,
    Remaining,
    Run,
    due_pages,
    each_due,
    local_time,
    once,
    render_reminder,
    send_reminder,
    unsubscribe_slot,
)
from mobilise.table import items, job_records
from mobilise.table.models import EMAILED, EVENT, MEETING, Petition, Signature, Update

#: The event reminders' records (one per signer) are deleted this long after the event.
RECORDS_AFTER_EVENT = timedelta(days=2)
EVENT_JOB = "event-reminder"


MEETING_JOB = "meeting-followup"


def event_reminders(remaining_ms: Remaining) -> Run:
    """Remind the signers who said yes to an event, about 24 hours before it starts."""
    done = Run()
    now = clock.now()
    for due, more in due_pages(store.due_updates, EVENT, now):
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
    return once(
        EVENT_JOB,
        update.update_id,
        signature.email_hash,
        lambda: send_reminder(
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
    slot = unsubscribe_slot()
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
    return render_reminder("event_reminder", language, subject, slot, context)


def meeting_followups(remaining_ms: Remaining) -> Run:
    """Remind starters to tell signers how a meeting with the decision-maker went."""
    return each_due(
        store.due_updates,
        MEETING,
        remaining_ms,
        lambda update, due_at, _: _follow_up(update, due_at),
    )


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
    sent = once(
        MEETING_JOB,
        update.update_id,
        due_at,
        lambda: send_reminder(
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
    slot = unsubscribe_slot()
    context = {
        "petition_title": petition.title,
        "decision_maker": (petition.decision_maker or {}).get("name", ""),
        "when": local_time(fields["meeting_at"], fields.get("time_zone")),
        "form_url": form_url(petition.petition_id, "decision_maker_meeting"),
        "unsubscribe_url": slot,
    }
    subject = words(petition.language).gettext("meeting_subject", title=petition.title)
    return render_reminder("meeting_followup", petition.language, subject, slot, context)
