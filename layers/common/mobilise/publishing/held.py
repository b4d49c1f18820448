"""The data of updates held before they go out (a grace period, a review) and of stopped
ones: the 24-hour window taken when held and given back when cancelled or rejected, each a
transaction with the petition's condition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import Conflict
from mobilise.publishing import store
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.models import (
    REVIEW,
    SCHEDULED,
    FanoutJob,
    Petition,
    Update,
    bound,
    connection,
)


def hold(caller: str, update: Update, petition: Petition, release_at: datetime | None) -> None:
    """Store a new update (or a scheduled one, due and unedited since it was read) as
    published but held: ``pending`` until ``release_at`` (due then as a scheduled update is),
    or ``in_review`` (``release_at`` None: listed for operators).

    The 24-hour window is taken now, under the rule, in the same transaction; the petition's
    ``last_update_at`` before it is kept on the update (the petition's condition says it is
    still the one read), so a cancel or a rejection can give the window back as it was."""
    bound()
    now = clock.now()
    previous, was = petition.last_update_at, update.status
    scheduled = was == "scheduled"
    condition = store.unchanged(update) if scheduled else Update.pk.does_not_exist()
    actions: list[Any] = [Petition.last_update_at.set(now)]
    if scheduled:
        actions.append(Petition.scheduled_update_id.remove())
    update.published_at = now
    update.previous_update_at = previous
    if release_at is None:
        update.status, update.outbox_pk, update.outbox_sk = "in_review", REVIEW, now.isoformat()
    else:
        update.status, update.release_at = "pending", release_at
        update.outbox_pk, update.outbox_sk = SCHEDULED, release_at.isoformat()
    same = (
        Petition.last_update_at.does_not_exist()
        if previous is None
        else Petition.last_update_at == previous
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=condition)
            transaction.update(
                Petition(*Petition.key(update.petition_id)),
                actions=actions,
                condition=(Petition.owner_id == caller)
                & (Petition.status == petition.status)
                & same
                & store.window_open_at(now),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        update.status, update.published_at = was, None
        if scheduled and failed_condition(error, 0) is not None:
            raise Conflict("The update changed while it was being published.") from error
        old = failed_condition(error, 1)
        if old is None:
            raise
        store.refused_publish(error, old, caller, petition.status)


def to_review(update: Update, reasons: list[str]) -> None:
    """A pending update, unedited since it was read, goes to review instead of out (corrected
    in its grace period into one moderation holds): the window it took is kept (its place)."""
    bound()
    now = clock.now()
    try:
        Update(*Update.key(update.petition_id, update.update_id)).update(
            actions=[
                Update.status.set("in_review"),
                Update.hold_reasons.set(reasons),
                Update.outbox_pk.set(REVIEW),
                Update.outbox_sk.set(now.isoformat()),
            ],
            condition=store.unchanged(update),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("The update changed while it was being published.") from error
        raise
    update.status, update.hold_reasons = "in_review", reasons


def give_back(update: Update, to: str) -> None:
    """A held update becomes ``to`` (cancelled, rejected): nothing was sent, and its
    petition's window is what it was before (if it is still the one this update took)."""
    bound()
    was = update.status
    update.status = to
    update.outbox_pk = update.outbox_sk = None
    previous: datetime | None = update.previous_update_at
    window: Any = (
        Petition.last_update_at.remove()
        if previous is None
        else Petition.last_update_at.set(previous)
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                Update(*Update.key(update.petition_id, update.update_id)),
                actions=[
                    Update.status.set(to),
                    Update.outbox_pk.remove(),
                    Update.outbox_sk.remove(),
                ],
                condition=Update.status == was,
            )
            transaction.update(
                Petition(*Petition.key(update.petition_id)),
                actions=[window],
                condition=Petition.last_update_at == update.published_at,
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is None and failed_condition(error, 1) is not None:
            set_status(update, was, to)  # a newer update took the window: nothing to give back
            return
        update.status = was
        if failed_condition(error, 0) is not None:
            raise Conflict("The update went out or changed meanwhile; read it again.") from error
        raise


def set_status(update: Update, was: str, to: str) -> None:
    """A held update becomes ``to``, the petition's window untouched: a newer update took it,
    or the update never took one (a decision-maker's answer)."""
    bound()
    try:
        Update(*Update.key(update.petition_id, update.update_id)).update(
            actions=[Update.status.set(to), Update.outbox_pk.remove(), Update.outbox_sk.remove()],
            condition=Update.status == was,
        )
    except UpdateError as error:
        update.status = was
        if condition_failed(error):
            raise Conflict("The update went out or changed meanwhile; read it again.") from error
        raise
    update.status, update.outbox_pk, update.outbox_sk = to, None, None


def stop(update: Update) -> None:
    """A published or sending update becomes ``stopped``, and its fan-out job with it (out of
    the sweeper's outbox): delivery spares whoever it has not sent to yet. An update stored
    without a job (none is ever deleted: one written by hand) is stopped alone."""
    bound()
    found = FanoutJob(*FanoutJob.key(update.petition_id, update.update_id))
    try:
        found.refresh(consistent_read=True)
        job: FanoutJob | None = found
    except FanoutJob.DoesNotExist:
        job = None
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                Update(*Update.key(update.petition_id, update.update_id)),
                actions=[Update.status.set("stopped"), Update.stopped_at.set(clock.now())],
                condition=Update.status.is_in("published", "sending"),
            )
            if job is not None:
                transaction.update(
                    job,
                    actions=[
                        FanoutJob.state.set("stopped"),
                        FanoutJob.outbox_pk.remove(),
                        FanoutJob.outbox_sk.remove(),
                    ],
                    condition=FanoutJob.pk.exists(),
                )
    except TransactWriteError as error:
        if failed_condition(error, 0) is not None:
            raise Conflict("Only an update being sent can be stopped; read it again.") from error
        raise
    update.status = "stopped"


def in_review(limit: int) -> list[tuple[str, str]]:
    """(petition, update) of the updates held for review, longest held first: the sparse
    ``outbox`` index, never a scan."""
    bound()
    return [
        (item.pk.removeprefix("PET#"), item.sk.removeprefix("UPD#"))
        for item in Update.due.query(REVIEW, limit=limit)
    ]
