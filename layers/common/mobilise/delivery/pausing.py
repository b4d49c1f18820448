"""Paused deliveries: an update's (its circuit breaker, :mod:`mobilise.delivery.breaker`) and
the whole account's (SES refused to send for it).

A pause keeps every message: a delivery message of a paused update, or one that comes while
the account is paused, records what it did, is parked (:mod:`mobilise.delivery.parking`) and
is consumed. Resuming re-enqueues the parked messages (their records make each send only
what was not sent); cancelling stops the update and settles its parked recipients
``spared``, as a stop does.

An update's pause is its status, ``sending -> paused``: one conditional write, which only
one invocation wins (that one alerts the operators and tells the starter). The account's
pause is one item, written once (one alarm), read by deliver at most every
:data:`ACCOUNT_CHECK_SECONDS` per warm function, removed by an operator's resume.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import Conflict
from mobilise.core.observability import logger, metrics
from mobilise.delivery import alarms, parking, queues, stopping, store
from mobilise.delivery.messages import ConfirmationMessage, DeliveryMessage
from mobilise.delivery.parking import Hold
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.models import FanoutJob, Update, bound, connection
from mobilise.table.pauses import (
    AccountParked,
    AccountPause,
    ParkedMessage,
    PausedEntry,
    UpdatePause,
)

#: Why an update paused (the API and the starter's email say it in words).
REASONS = ("complaints", "bounces")
#: How long a warm function trusts what it read of the account's pause.
ACCOUNT_CHECK_SECONDS = 5
_account: dict[str, tuple[datetime, bool]] = {}
#: How long a confirmation waits while the account's sending is paused before it is tried
#: again: SQS's longest delay. It goes round the queue until an operator resumes (then at most
#: this long after), never to the dead-letter queue, whose five receives a pause of days would
#: use up. (An update's messages are parked instead; digests wait in their entries.)
ACCOUNT_WAIT_SECONDS = 900


def reset() -> None:
    """Forget what was read of pauses, and the models' connections (a new moto)."""
    store.forget_statuses()
    _account.clear()
    for model in (UpdatePause, ParkedMessage, PausedEntry, AccountPause, AccountParked):
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
    store.recheck_status(petition_id, update_id)
    logger.info("update paused", petition_id=petition_id, update_id=update_id, reason=reason)
    metrics.add_metric(name="UpdatesPaused", unit="Count", value=1)
    return True


def paused(petition_id: str, update_id: str) -> bool:
    """Whether the update is paused: a "no" is trusted for ``STATUS_CHECK_SECONDS`` per warm
    function (a pause lets at most this long of one function's sending through, as a stop
    does), a "yes" is read again each time (parking checks it anyway). The read is the stop
    check's (:func:`mobilise.delivery.store.delivery_status`)."""
    return store.delivery_status(petition_id, update_id, read_again="paused") == "paused"


def resume(petition_id: str, update_id: str) -> dict[str, int | str]:
    """paused -> sending, then its parked messages re-enqueued. A resume already made that
    left parked messages (cut short, run again) goes on with them; anything else is refused."""
    bound()
    try:
        _move(
            petition_id, update_id, "paused", "sending", [UpdatePause.resumed_at.set(clock.now())]
        )
    except Conflict:
        if not _unfinished(petition_id, update_id, "sending"):
            raise
    requeued, left = parking.drain(petition_id, update_id)
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
        if not _unfinished(petition_id, update_id, "stopped"):
            raise
    settled = 0
    for item in parking.parked(petition_id, update_id):
        stopping.spare(parking.message_of(item))
        item.delete()
        settled += 1
    left = parking.count(petition_id, update_id)
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
    store.recheck_status(petition_id, update_id)


def reason(update: Update) -> str | None:
    """Why a paused update paused (the API shows it; the update's model does not name it)."""
    bound()
    key = UpdatePause.key(update.petition_id, update.update_id)
    try:
        return UpdatePause.get(*key, attributes_to_get=["paused_reason"]).paused_reason
    except UpdatePause.DoesNotExist:
        return None


def _unfinished(petition_id: str, update_id: str, status: str) -> bool:
    """Whether a resume or cancel already made left parked messages (the command cut short,
    run again, goes on with them)."""
    return _status(petition_id, update_id) == status and parking.count(petition_id, update_id) > 0


def _status(petition_id: str, update_id: str) -> str | None:
    try:
        found = UpdatePause.get(
            *UpdatePause.key(petition_id, update_id), consistent_read=True
        ).status
    except UpdatePause.DoesNotExist:
        return None
    return found


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
    if account_known():
        return _account["paused"][1]
    bound()
    try:
        AccountPause.get(*AccountPause.key(), attributes_to_get=["pk"])
        found = True
    except AccountPause.DoesNotExist:
        found = False
    remember_account(found)
    return found


def account_known() -> bool:
    """Whether :func:`account_paused` knows the answer without reading it."""
    known = _account.get("paused")
    return known is not None and known[0] > clock.now()


def remember_account(paused: bool) -> None:
    """What :func:`account_paused` read, or a read of the same made with others."""
    _account["paused"] = (clock.now() + timedelta(seconds=ACCOUNT_CHECK_SECONDS), paused)


def resume_account() -> dict[str, Any]:
    """The operator lifts the account's pause (once SES sends again): the pause removed
    first (a message parked after cannot be: its condition fails, it is sent), then the
    messages it parked re-enqueued, update by update, from the list their parking wrote. An
    update leaves the list once none of its messages is left parked, so a resume cut short
    (``DRAIN_LIMIT``), run again, goes on with the rest though the pause is gone. An update
    paused on its own stays paused: its own resume re-enqueues."""
    bound()
    lifted = _lift_account_pause()
    listed_now = parking.account_parked()
    if not lifted and not listed_now:
        raise Conflict("The account's sending is not paused.")
    requeued = left = 0
    updates_left = []
    for entry in listed_now:
        done, remaining = _resume_parked(entry.petition_id, entry.update_id)
        requeued, left = requeued + done, left + remaining
        if remaining:
            updates_left.append({"petition_id": entry.petition_id, "update_id": entry.update_id})
        else:
            entry.delete()
    logger.info("account sending resumed", requeued=requeued, parked_left=left)
    return {
        "status": "sending",
        "requeued": requeued,
        "parked_left": left,
        "updates_left": updates_left,
    }


def _lift_account_pause() -> bool:
    """Remove the account's pause; False if there was none (a resume run again)."""
    try:
        AccountPause(*AccountPause.key()).delete(condition=AccountPause.pk.exists())
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    finally:
        _account.clear()
    return True


def _resume_parked(petition_id: str, update_id: str) -> tuple[int, int]:
    """Re-enqueue what the account's pause parked of an update, unless it is paused on its
    own (its resume or cancel deals with all its parked messages); how many, how many left."""
    if _status(petition_id, update_id) == "paused":
        return 0, 0
    done, remaining = parking.drain(petition_id, update_id)
    store.finish_delivery(petition_id, update_id)
    return done, remaining


def listed(limit: int) -> list[PausedEntry]:
    """The updates paused now, by their ids (one query)."""
    bound()
    return list(PausedEntry.query("PAUSED", limit=limit))


def account_parked(limit: int) -> list[AccountParked]:
    """The updates whose messages the account's pause parked and no resume re-enqueued yet
    (left by a resume cut short: ``resume-account`` again goes on with them)."""
    return parking.account_parked(limit)


def account_pause() -> AccountPause | None:
    bound()
    try:
        return AccountPause.get(*AccountPause.key(), consistent_read=True)
    except AccountPause.DoesNotExist:
        return None


def held(message: DeliveryMessage) -> bool:
    """Whether a delivery message is kept back by a pause: then parked, to be consumed. One
    whose pause was lifted meanwhile (its parking refused) is sent, unless it was lifted by
    a cancel: what was read of the update is forgotten, so the stop check reads it again."""
    hold = hold_of(message.petition_id, message.update_id)
    if hold is None:
        return False
    if parking.park(message, hold):
        return True
    _account.clear()
    store.recheck_status(message.petition_id, message.update_id)
    return False


def refused(message: DeliveryMessage, code: str) -> None:
    """SES refused to send for the whole account during a message (what it did recorded):
    the account's pause is set (the operators alerted, once) and the message parked. Raises
    if the pause was lifted meanwhile: the SQS record is then tried again, and sends."""
    account_refused(code)
    if not parking.park(message, "account"):
        raise RuntimeError("the account's pause was lifted while a message was parked")


def wait_out(message: ConfirmationMessage) -> None:
    """Send a confirmation round again, ``ACCOUNT_WAIT_SECONDS`` later: the account's sending
    is paused (its record then succeeds: nobody failed, nothing in the dead-letter queue)."""
    queues.to_delivery_later(message, ACCOUNT_WAIT_SECONDS)
    logger.info("confirmation waits out the account's pause", petition_id=message.petition_id)


def account_refused(code: str) -> None:
    """SES refused to send for the whole account: its pause is set, the operators alerted
    once (by whichever sender saw it first)."""
    if pause_account(code):
        alarms.alarm("account sending paused", {"code": code})


def hold_of(petition_id: str, update_id: str) -> Hold | None:
    """Why a delivery message of this update is not to be sent now, if it is not."""
    if account_paused():
        return "account"
    if paused(petition_id, update_id):
        return "update"
    return None
