"""Before an update goes out and while it does: held for an operator's review or for its
grace period (the starter may cancel or correct it), given back when cancelled, and
stopped by its starter once it is going out.

A scheduled update goes out when due without a grace period (its starter could read,
correct and cancel it for as long as it waited), but through moderation all the same.
A decision-maker's answer goes out at once.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.errors import Conflict, NotOwner
from mobilise.core.observability import logger, metrics
from mobilise.moderation import rules
from mobilise.publishing import held, store
from mobilise.table import items
from mobilise.table.models import Petition, Update

#: Updates with no grace period (they go out at once, or through moderation if it is on).
UNHELD_TYPES = store.OUTSIDE_WINDOW
HISTORY_PAGE = 100


def hold(caller: str, petition: Petition, update: Update) -> bool:
    """Hold a new update, or a scheduled one now due, its 24-hour window taken: for review if
    moderation finds reasons, else (a new one) for the grace period if there is one. False:
    it goes out now."""
    settings = get_settings()
    if update.type in UNHELD_TYPES:
        return False
    reasons = _reasons(petition, update) if settings.moderation_enabled else []
    if reasons:
        update.hold_reasons = reasons
        held.hold(caller, update, petition, None)
        logger.info("update held for review", update_id=update.update_id, reasons=reasons)
        metrics.add_metric(name="UpdatesHeldForReview", unit="Count", value=1)
        return True
    if settings.publish_grace_minutes and update.status != "scheduled":
        release_at = clock.now() + timedelta(minutes=settings.publish_grace_minutes)
        held.hold(caller, update, petition, release_at)
        logger.info("update pending", update_id=update.update_id, release_at=release_at)
        return True
    return False


def answer_reasons(petition: Petition, update: Update) -> list[str]:
    """Why a decision-maker's answer must wait for a review (moderation on): its address was
    the starter's to give, so it is judged as the starter's updates are."""
    return _reasons(petition, update) if get_settings().moderation_enabled else []


def review_pending(petition: Petition, update: Update) -> bool:
    """At the end of its grace period, a pending update goes through moderation again: its
    starter may have corrected it into one that is held. True: held for review."""
    if update.type in UNHELD_TYPES or not get_settings().moderation_enabled:
        return False
    reasons = _reasons(petition, update)
    if reasons:
        held.to_review(update, reasons)
        logger.info("corrected update held for review", update_id=update.update_id)
        metrics.add_metric(name="UpdatesHeldForReview", unit="Count", value=1)
    return bool(reasons)


def _reasons(petition: Petition, update: Update) -> list[str]:
    settings = get_settings()
    own = {urlsplit(url).hostname or "" for url in (settings.site_url, settings.link("/"))}
    return rules.hold_reasons(petition, update, _history(petition.petition_id), clock.now(), own)


def _history(petition_id: str) -> list[Update]:
    """Every published update of the petition its starter wrote (a few hundred at most: one a
    day): a decision-maker's answer, which the starter's own address could have given, makes
    no domain known."""
    found: list[Update] = []
    after = None
    while True:
        page, after = store.list_updates(petition_id, HISTORY_PAGE, after)
        found += [update for update in page if update.type not in UNHELD_TYPES]
        if after is None:
            return found


def cancel(update: Update) -> None:
    """A pending update is cancelled: nothing sent, its petition's window given back."""
    if update.status != "pending":
        raise Conflict(
            "Only a scheduled or pending update can be cancelled; this one is " + update.status
        )
    held.give_back(update, "cancelled")
    logger.info("pending update cancelled", update_id=update.update_id)


def reject(update: Update) -> None:
    """An update held for review is rejected: nothing sent, its petition's window given back
    (the starter may publish a corrected update at once: it is reviewed in turn)."""
    if update.status != "in_review":
        raise Conflict("Only an update in review can be rejected; this one is " + update.status)
    if update.type in UNHELD_TYPES:  # it took no window: nothing to give back
        held.set_status(update, "in_review", "rejected")
        logger.info("update rejected", update_id=update.update_id)
        return
    held.give_back(update, "rejected")
    logger.info("update rejected", update_id=update.update_id)


def stop(caller: str, petition_id: str, update_id: str) -> Update:
    """The starter stops an update going out: no email after it (within a few seconds for
    the delivery functions to see it); the window stays used."""
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    update = items.get_update(petition_id, update_id)
    if update.status not in ("published", "sending"):
        raise Conflict("Only an update being sent can be stopped; this one is " + update.status)
    held.stop(update)
    logger.info("update stopped", petition_id=petition_id, update_id=update_id)
    metrics.add_metric(name="UpdatesStopped", unit="Count", value=1)
    return update


def in_review(limit: int) -> list[Update]:
    """The updates held for review, longest held first."""
    return [items.get_update(*key) for key in held.in_review(limit)]
