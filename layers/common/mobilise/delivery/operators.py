"""The operators' commands on paused deliveries: what is paused, resume or cancel an update,
resume the account's sending. Invoked through the IAM-only moderation function
(``python infra/deliveries.py``), never over HTTP."""

from __future__ import annotations

from typing import Any

from mobilise.core import clock
from mobilise.core.errors import DomainError, InvalidField
from mobilise.core.observability import logger, metrics
from mobilise.delivery import pausing
from mobilise.table import items

ACTIONS = ("paused", "resume", "cancel", "resume_account")


def command(
    action: str, petition_id: str | None, update_id: str | None, limit: int
) -> dict[str, Any]:
    """One operator's command; a refusal (no such update, not paused) is answered as
    ``{"error": ...}`` for the operator to read, not raised as the function's failure."""
    try:
        if action == "paused":
            return paused(limit)
        if action == "resume_account":
            done = pausing.resume_account()
        else:
            done = on_update(action, petition_id, update_id)
    except DomainError as refused:
        return {"error": {"code": refused.code, "message": refused.message}}
    logger.info("delivery command", action=action, update_id=update_id)
    metrics.add_metric(name=f"Deliveries{action.title().replace('_', '')}", unit="Count", value=1)
    return done


def on_update(action: str, petition_id: str | None, update_id: str | None) -> dict[str, Any]:
    if not petition_id or not update_id:
        raise InvalidField("update_id", "resume and cancel name the petition_id and update_id")
    items.get_update(petition_id, update_id)  # no such update: NotFound
    done = (pausing.resume if action == "resume" else pausing.cancel)(petition_id, update_id)
    return {"petition_id": petition_id, "update_id": update_id, **done}


def paused(limit: int) -> dict[str, Any]:
    """The updates paused now, with why and since when, the account's pause if any, and the
    updates whose messages it parked that no ``resume_account`` re-enqueued yet."""
    account = pausing.account_pause()
    return {
        "account": None
        if account is None
        else {"code": account.code, "paused_at": clock.isoformat(account.paused_at)},
        "updates": [
            {
                "petition_id": entry.petition_id,
                "update_id": entry.update_id,
                "reason": entry.paused_reason,
                "paused_at": clock.isoformat(entry.paused_at),
            }
            for entry in pausing.listed(limit)
        ],
        "account_parked": [
            {"petition_id": entry.petition_id, "update_id": entry.update_id}
            for entry in pausing.account_parked(limit)
        ],
    }
