"""When the work that follows an item falls due: the keys of the sparse ``outbox`` index.

An item carries ``outbox_pk`` (the kind of work) and ``outbox_sk`` (when, ISO 8601)
while that work is pending; see :mod:`mobilise.table.models`. The scheduled functions
query one kind up to now, do the work, and remove the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from mobilise.core.config import get_settings
from mobilise.table.models import EVENT, MEETING, NUDGE

EVENT_REMINDER_BEFORE = timedelta(hours=24)

Due = tuple[str, datetime]


def when(moment: datetime) -> str:
    """The sort key of a due time."""
    return moment.isoformat()


def after_publish(update_type: str, fields: Mapping[str, Any]) -> Due | None:
    """What a published update of this type leaves to do later, if anything: an event's
    reminder (24 hours before it starts), a meeting's follow-up (once its date has passed)."""
    if update_type == "event":
        return EVENT, datetime.fromisoformat(fields["starts_at"]) - EVENT_REMINDER_BEFORE
    meeting = update_type == "decision_maker_meeting" and fields.get("meeting_status") != "held"
    if meeting and fields.get("meeting_at"):
        return MEETING, datetime.fromisoformat(fields["meeting_at"])
    return None


def nudge(quiet_since: datetime) -> Due:
    """The starter of a petition quiet since ``quiet_since`` may be nudged from then on."""
    return NUDGE, quiet_since + timedelta(days=get_settings().nudge_after_days)
