"""A petition's published updates as the rest of Mobilise reads them (its page, the
decision-maker's email, the starter's nudges): a read of the publishing store, without what
releases an update (its renderer, its queues, its stored emails), which its page does not need.
"""

from __future__ import annotations

from mobilise.publishing import store
from mobilise.table.models import Update


def latest(petition_id: str, limit: int) -> list[Update]:
    """The petition's latest published updates, newest first."""
    updates, _ = store.list_updates(petition_id, limit, None)
    return updates
