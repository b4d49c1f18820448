"""The starter's nudge: a petition quiet for a week gets, at most once in any 7 days, an
email with two or three ideas among the update types it has not used lately.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.core.observability import logger
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import published
from mobilise.reminders import store
from mobilise.reminders.outgoing import (
    Remaining,
    Run,
    each_due,
    once,
    render_reminder,
    send_reminder,
    unsubscribe_slot,
)
from mobilise.table import items
from mobilise.table.models import NUDGE, Petition

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


NUDGE_JOB = "nudge"


@dataclass(frozen=True)
class Suggestion:
    type: str
    text: str
    url: str


def form_url(petition_id: str, update_type: str) -> str:
    """The page where the starter writes an update of ``update_type``."""
    return links.compose_url(petition_id, update_type)


def suggestions(petition: Petition, recent_types: Iterable[str]) -> list[Suggestion]:
    """Two or three ideas among the update types the petition has not used lately."""
    used = set(recent_types)
    language = words(petition.language)
    return [
        Suggestion(kind, language.named("suggest", kind), form_url(petition.petition_id, kind))
        for kind in SUGGESTED
        if kind not in used
    ][:SUGGESTIONS]


def nudges(remaining_ms: Remaining) -> Run:
    """Nudge the starters of open petitions with signers that have been quiet too long."""
    return each_due(
        store.due_petitions,
        NUDGE,
        remaining_ms,
        lambda petition, due_at, now: _nudge(petition.petition_id, due_at, now),
    )


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
    recent = published.latest(petition_id, RECENT_UPDATES)
    ideas = suggestions(petition, (update.type for update in recent))
    rendered = nudge_email(petition, (now - quiet_since).days, ideas)
    sent = once(
        NUDGE_JOB,
        petition_id,
        due_at,
        lambda: send_reminder(
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
    slot = unsubscribe_slot()
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
    return render_reminder("nudge", petition.language, subject, slot, context)
