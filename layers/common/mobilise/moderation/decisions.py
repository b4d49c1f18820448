"""The operators' decisions on held updates: listed, approved (released: sent exactly once,
in the place it took in the 24-hour window) or rejected (nothing sent, the window given
back). Invoked through the IAM-only moderation function, never over HTTP."""

from __future__ import annotations

from typing import Any

from mobilise.core import clock
from mobilise.core.errors import Conflict, DomainError, InvalidField
from mobilise.core.observability import logger, metrics
from mobilise.moderation import outcome
from mobilise.publishing import grace, releasing
from mobilise.table import items

DECIDED = {"approve": "approved", "reject": "rejected"}


#: The operators' commands on held updates (the moderation function takes these and
#: mobilise.delivery.operators.ACTIONS).
ACTIONS = ("list", "approve", "reject")


def command(
    action: str, petition_id: str | None, update_id: str | None, limit: int
) -> dict[str, Any]:
    """One operator's command; a refusal (no such update, not in review) is answered as
    ``{"error": ...}`` for the operator to read, not raised as the function's failure."""
    try:
        if action == "list":
            return listed(limit)
        return decide(action, petition_id, update_id)
    except DomainError as refused:
        return {"error": {"code": refused.code, "message": refused.message}}


def listed(limit: int) -> dict[str, Any]:
    """The held updates, longest held first, with why each is held."""
    return {
        "held": [
            {
                "petition_id": update.petition_id,
                "update_id": update.update_id,
                "type": update.type,
                "title": update.title,
                "body": update.body,
                "link": update.link,
                "details": update.fields or {},
                "reasons": update.hold_reasons or [],
                "held_at": clock.isoformat(update.published_at) if update.published_at else None,
            }
            for update in grace.in_review(limit)
        ]
    }


def decide(action: str, petition_id: str | None, update_id: str | None) -> dict[str, Any]:
    """Approve or reject one held update; a decision on one no longer in review is refused
    (:class:`Conflict`): a second approval sends nothing more."""
    if not petition_id or not update_id:
        raise InvalidField("update_id", "approve and reject name the petition_id and update_id")
    update = items.get_update(petition_id, update_id)
    if update.status != "in_review":
        raise Conflict("This update is not in review; it is " + update.status)
    petition = items.get_petition(petition_id)
    if action == "approve":
        releasing.release(petition.owner_id, petition, update)
    else:
        grace.reject(update)
    outcome.tell_starter(petition, update, DECIDED[action])
    logger.info("moderation decision", action=action, update_id=update_id)
    metrics.add_metric(name=f"Updates{DECIDED[action].capitalize()}", unit="Count", value=1)
    return {"petition_id": petition_id, "update_id": update_id, "status": update.status}
