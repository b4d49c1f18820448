"""Paused deliveries: an update's (its circuit breaker, :mod:`mobilise.delivery.breaker`) and
the whole account's (SES refused to send for it).

A pause keeps every message: a delivery message of a paused update, or one that comes while
the account is paused, records what it did, is parked (one item holding its body,
:class:`mobilise.table.pauses.ParkedMessage`) and is consumed. Parking is conditional on the
pause still being there, in one transaction, so that a message parked after a resume cannot
be: it is sent instead. Resuming re-enqueues the parked messages (their records make each
send only what was not sent); cancelling stops the update and settles its parked recipients
``spared``, as a stop does.

An update's pause is its status, ``sending -> paused``: one conditional write, which only
one invocation wins (that one alerts the operators and tells the starter). The account's
pause is one item, written once (one alarm), read by deliver at most every
:data:`ACCOUNT_CHECK_SECONDS` per warm function, removed by an operator's resume.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Literal

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import Conflict
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues, stopping, store
from mobilise.delivery.messages import DeliveryMessage
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.models import FanoutJob, Update, bound, connection
from mobilise.table.pauses import (
    AccountPause,
    ParkedMessage,
    PausedEntry,
    UpdatePause,
    parked_partition,
)

#: Why an update paused (the API and the starter's email say it in words).
REASONS = ("complaints", "bounces")
#: How long a warm function trusts what it read of the account's pause.
ACCOUNT_CHECK_SECONDS = 5
#: How long a warm function trusts that an update is not paused (a pause lets at most this
#: long of one function's sending through, as a stop does).
PAUSE_CHECK_SECONDS = 2
#: Parked messages a resume re-enqueues in one call (the operator's command says how many
#: are left; calling it again goes on).
DRAIN_LIMIT = 2000

Hold = Literal["update", "account"]
_running: dict[tuple[str, str], datetime] = {}
_account: dict[str, tuple[datetime, bool]] = {}


def reset() -> None:
    """Forget what was read of pauses, and the models' connections (a new moto)."""
    _running.clear()
    _account.clear()
    for model in (UpdatePause, ParkedMessage, PausedEntry, AccountPause):
        model._connection = None


# An update's pause -------------------------------------------------------------------------


def pause(petition_id: str, update_id: str, reason: str) -> bool:
    """sending -> paused, with why and when, and its fan-out job with it (the statistics'
    state); True for the one call that made the change, False if it was not being sent."""
    assert reason in REASONS
    bound()
    now = clock.now()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                UpdatePause(*UpdatePause.key(petition_id, update_id)),
                actions=[
                    UpdatePause.status.set("paused"),
                    UpdatePause.paused_reason.set(reason),
                    UpdatePause.paused_at.set(now),
                ],
                condition=UpdatePause.status == "sending",
            )
            transaction.update(
                FanoutJob(*FanoutJob.key(petition_id, update_id)),
                actions=[FanoutJob.state.set("paused")],
                condition=FanoutJob.pk.exists(),
            )
            transaction.save(
                PausedEntry(
                    *PausedEntry.key(petition_id, update_id),
                    petition_id=petition_id,
                    update_id=update_id,
                    paused_reason=reason,
                    paused_at=now,
                )
            )
    except TransactWriteError as error:  # PynamoDB sends puts, then updates: 1 is the update
        if failed_condition(error, 1) is None and failed_condition(error, 2) is None:
            raise
        return False
    _running.pop((petition_id, update_id), None)
    logger.info("update paused", petition_id=petition_id, update_id=update_id, reason=reason)
    metrics.add_metric(name="UpdatesPaused", unit="Count", value=1)
    return True


def paused(petition_id: str, update_id: str) -> bool:
    """Whether the update is paused: a "no" is trusted for ``PAUSE_CHECK_SECONDS`` per warm
    function, a "yes" is read again each time (parking checks it anyway)."""
    key = (petition_id, update_id)
    now = clock.now()
    if _running.get(key, now) > now:
        return False
    bound()
    try:
        status = UpdatePause.get(*UpdatePause.key(*key), attributes_to_get=["status"]).status
    except UpdatePause.DoesNotExist:
        status = None
    if status == "paused":
        return True
    if len(_running) > 256:  # a warm function goes through many updates: forget old ones
        _running.clear()
    _running[key] = now + timedelta(seconds=PAUSE_CHECK_SECONDS)
    return False


def resume(petition_id: str, update_id: str) -> dict[str, int | str]:
    """paused -> sending, then its parked messages re-enqueued. A resume already made (the
    command run again) goes on re-enqueueing what is left; anything else is refused."""
    bound()
    try:
        _move(
            petition_id, update_id, "paused", "sending", [UpdatePause.resumed_at.set(clock.now())]
        )
    except Conflict:
        if _status(petition_id, update_id) != "sending":
            raise
    requeued, left = drain(petition_id, update_id)
    store.finish_delivery(petition_id, update_id)  # every message settled while it was paused
    logger.info("update resumed", petition_id=petition_id, update_id=update_id, requeued=requeued)
    return {"status": "sending", "requeued": requeued, "parked_left": left}


def cancel(petition_id: str, update_id: str) -> dict[str, int | str]:
    """paused -> stopped: nobody it has not sent to yet is sent to; its parked recipients are
    settled ``spared`` as a stop's are (and fan-out's pages left are counted so)."""
    bound()
    try:
        _move(
            petition_id, update_id, "paused", "stopped", [UpdatePause.stopped_at.set(clock.now())]
        )
    except Conflict:
        if _status(petition_id, update_id) != "stopped":
            raise
    settled = 0
    for item in _parked(petition_id, update_id, DRAIN_LIMIT):
        stopping.spare(DeliveryMessage.model_validate_json(item.body))
        item.delete()
        settled += 1
    left = _count_parked(petition_id, update_id)
    logger.info("update cancelled", petition_id=petition_id, update_id=update_id, settled=settled)
    return {"status": "stopped", "settled": settled, "parked_left": left}


def _move(petition_id: str, update_id: str, was: str, to: str, extra: list[Action]) -> None:
    """The update's status and its job's state ``was`` -> ``to``, together; :class:`Conflict`
    if the update's status was not ``was``."""
    job_actions: list[Action] = [FanoutJob.state.set(to)]
    if to == "stopped":
        job_actions += [FanoutJob.outbox_pk.remove(), FanoutJob.outbox_sk.remove()]
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                UpdatePause(*UpdatePause.key(petition_id, update_id)),
                actions=[UpdatePause.status.set(to), *extra],
                condition=UpdatePause.status == was,
            )
            transaction.update(
                FanoutJob(*FanoutJob.key(petition_id, update_id)),
                actions=job_actions,
                condition=FanoutJob.pk.exists(),
            )
            transaction.delete(PausedEntry(*PausedEntry.key(petition_id, update_id)))
    except TransactWriteError as error:  # PynamoDB sends deletes, then updates: 1 is the update
        if failed_condition(error, 1) is None:
            raise
        raise Conflict(f"This update's delivery is not {was}; read it again.") from error
    _running.pop((petition_id, update_id), None)


def reason(update: Update) -> str | None:
    """Why a paused update paused (the API shows it; the update's model does not name it)."""
    bound()
    key = UpdatePause.key(update.petition_id, update.update_id)
    try:
        return UpdatePause.get(*key, attributes_to_get=["paused_reason"]).paused_reason
    except UpdatePause.DoesNotExist:
        return None


def _status(petition_id: str, update_id: str) -> str | None:
    try:
        found = UpdatePause.get(
            *UpdatePause.key(petition_id, update_id), consistent_read=True
        ).status
    except UpdatePause.DoesNotExist:
        return None
    return found


# Parked messages --------------------------------------------------------------------------


def park(message: DeliveryMessage, hold: Hold) -> bool:
    """Keep a delivery message while its update (``hold="update"``) or the account is
    paused; False if the pause was lifted meanwhile (the message is to be sent). Parking the
    same message twice keeps one item."""
    bound()
    digest = hashlib.sha256(",".join(sorted(message.recipients)).encode()).hexdigest()[:32]
    item = ParkedMessage(
        *ParkedMessage.key(message.petition_id, message.update_id, digest),
        petition_id=message.petition_id,
        update_id=message.update_id,
        body=message.model_dump_json(),
        parked_at=clock.now(),
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(item)
            if hold == "update":
                transaction.condition_check(
                    UpdatePause,
                    *UpdatePause.key(message.petition_id, message.update_id),
                    condition=UpdatePause.status == "paused",
                )
            else:
                transaction.update(
                    AccountPause(*AccountPause.key()),
                    actions=[
                        AccountPause.updates.add({f"{message.petition_id}#{message.update_id}"})
                    ],
                    condition=AccountPause.pk.exists(),
                )
    except TransactWriteError as error:
        # PynamoDB sends condition checks, then puts, then updates: the pause is the first
        # for an update's, the last for the account's
        if failed_condition(error, 0 if hold == "update" else 1) is None:
            raise
        _forget(hold, message)
        return False
    metrics.add_metric(name="MessagesParked", unit="Count", value=1)
    logger.info("delivery message parked", update_id=message.update_id, hold=hold)
    return True


def _forget(hold: Hold, message: DeliveryMessage) -> None:
    if hold == "account":
        _account.clear()
    else:
        _running.pop((message.petition_id, message.update_id), None)


def drain(petition_id: str, update_id: str) -> tuple[int, int]:
    """Re-enqueue an update's parked messages (each deleted once it is on the queue: one
    re-enqueued twice sends nothing twice); how many, and how many are left."""
    requeued = 0
    batch: list[ParkedMessage] = []
    for item in _parked(petition_id, update_id, DRAIN_LIMIT):
        batch.append(item)
        if len(batch) == 10:
            requeued += _requeue(batch)
            batch = []
    if batch:
        requeued += _requeue(batch)
    return requeued, _count_parked(petition_id, update_id)


def _requeue(batch: list[ParkedMessage]) -> int:
    queues.to_delivery(DeliveryMessage.model_validate_json(item.body) for item in batch)
    with ParkedMessage.batch_write() as deleting:
        for item in batch:
            deleting.delete(item)
    return len(batch)


def _parked(petition_id: str, update_id: str, limit: int) -> Iterator[ParkedMessage]:
    bound()
    return ParkedMessage.query(
        parked_partition(petition_id, update_id), consistent_read=True, limit=limit
    )


def _count_parked(petition_id: str, update_id: str) -> int:
    bound()
    return ParkedMessage.count(parked_partition(petition_id, update_id), consistent_read=True)


# The account's pause ----------------------------------------------------------------------


def pause_account(code: str) -> bool:
    """SES refused to send for the whole account: written once; True for the one call that
    wrote it (it alerts the operators)."""
    bound()
    item = AccountPause(*AccountPause.key(), code=code, paused_at=clock.now())
    try:
        item.save(condition=AccountPause.pk.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise
        return False
    _account["paused"] = (clock.now() + timedelta(seconds=ACCOUNT_CHECK_SECONDS), True)
    logger.warning("account sending paused", code=code)
    metrics.add_metric(name="AccountSendingPaused", unit="Count", value=1)
    return True


def account_paused() -> bool:
    """Whether the account's sending is paused, read at most every ``ACCOUNT_CHECK_SECONDS``
    per warm function (parking checks it again)."""
    now = clock.now()
    if (known := _account.get("paused")) is not None and known[0] > now:
        return known[1]
    bound()
    try:
        AccountPause.get(*AccountPause.key(), attributes_to_get=["pk"])
        found = True
    except AccountPause.DoesNotExist:
        found = False
    _account["paused"] = (now + timedelta(seconds=ACCOUNT_CHECK_SECONDS), found)
    return found


def resume_account() -> dict[str, int | str]:
    """The operator lifts the account's pause (once SES sends again): the pause removed, then
    the messages it parked re-enqueued, update by update. A message parked after the removal
    cannot be (its condition fails: it is sent), so the updates the removed item names are
    all there is. An update paused on its own stays paused: its own resume re-enqueues."""
    bound()
    try:
        response = AccountPause._get_connection().delete_item(
            *AccountPause.key(), condition=AccountPause.pk.exists(), return_values="ALL_OLD"
        )
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("The account's sending is not paused.") from error
        raise
    _account.clear()
    removed = AccountPause.from_raw_data(response["Attributes"])
    requeued = left = 0
    for named in sorted(removed.updates or ()):
        petition_id, update_id = named.split("#", 1)
        if _status(petition_id, update_id) == "paused":
            continue
        done, remaining = drain(petition_id, update_id)
        requeued, left = requeued + done, left + remaining
        store.finish_delivery(petition_id, update_id)
    logger.info("account sending resumed", requeued=requeued)
    return {"status": "sending", "requeued": requeued, "parked_left": left}


def listed(limit: int) -> list[PausedEntry]:
    """The updates paused now, by their ids (one query)."""
    bound()
    return list(PausedEntry.query("PAUSED", limit=limit))


def account_pause() -> AccountPause | None:
    bound()
    try:
        return AccountPause.get(*AccountPause.key(), consistent_read=True)
    except AccountPause.DoesNotExist:
        return None


def hold_of(petition_id: str, update_id: str) -> Hold | None:
    """Why a delivery message of this update is not to be sent now, if it is not."""
    if account_paused():
        return "account"
    if paused(petition_id, update_id):
        return "update"
    return None
