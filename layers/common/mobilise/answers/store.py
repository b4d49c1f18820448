"""The answers' data: a sending under the rule of one a week, the answer written once with
its update and fan-out job (the 24-hour window of the starter untouched), its edits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from mobilise.answers.items import LastSending, Sending
from mobilise.core import clock
from mobilise.core.errors import AnswerClosed, Conflict, SendingTooSoon
from mobilise.table.conditions import failed_condition
from mobilise.table.models import FanoutJob, Update, bound, connection


def start_sending(sending: Sending, every: timedelta) -> None:
    """Store a new sending, if the petition's last one is at least ``every`` old: one
    transaction, the rule a condition on the petition's last sending (never a read first)."""
    bound()
    now = sending.sent_at
    last = LastSending(*LastSending.key(sending.petition_id))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(sending, condition=Sending.pk.does_not_exist())
            transaction.update(
                last,
                actions=[
                    LastSending.sending_id.set(sending.sending_id),
                    LastSending.sent_at.set(now),
                ],
                condition=LastSending.sent_at.does_not_exist()
                | (LastSending.sent_at <= now - every),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        old = failed_condition(error, 1)
        if not old:
            raise
        reopens = LastSending.from_raw_data(old).sent_at + every
        raise SendingTooSoon(reopens, _seconds_until(reopens)) from error


def _seconds_until(moment: datetime) -> int:
    return int((moment - clock.now()).total_seconds() + 0.999)


def forget_sending(sending: Sending) -> None:
    """Take back a sending whose email could not leave: the week is given back."""
    bound()
    with TransactWrite(connection=connection()) as transaction:
        transaction.delete(sending, condition=Sending.answered_at.does_not_exist())
        transaction.delete(
            LastSending(*LastSending.key(sending.petition_id)),
            condition=LastSending.sending_id == sending.sending_id,
        )


def last_sent_at(petition_id: str) -> datetime | None:
    bound()
    try:
        found: datetime = LastSending.get(*LastSending.key(petition_id)).sent_at
    except LastSending.DoesNotExist:
        return None
    return found


def get_sending(petition_id: str, sending_id: str) -> Sending | None:
    """The sending (consistent: an answer just written is read back as written)."""
    bound()
    try:
        return Sending.get(*Sending.key(petition_id, sending_id), consistent_read=True)
    except Sending.DoesNotExist:
        return None


def sendings(petition_id: str, limit: int) -> list[Sending]:
    """The petition's sendings, newest first."""
    bound()
    found = Sending.query(
        f"PET#{petition_id}",
        Sending.sk.startswith("DMS#"),
        scan_index_forward=False,
        limit=limit,
    )
    return list(found)


def latest_answer(petition_id: str) -> Sending | None:
    """The newest sending that was answered (a petition is sent once a week at most: the
    query reads a few items)."""
    bound()
    found = Sending.query(
        f"PET#{petition_id}",
        Sending.sk.startswith("DMS#"),
        filter_condition=Sending.answered_at.exists(),
        scan_index_forward=False,
    )
    return next(iter(found), None)


def _answer_actions(sending: Sending) -> list[Any]:
    return [
        Sending.stance.set(sending.stance),
        Sending.text.set(sending.text) if sending.text else Sending.text.remove(),
        Sending.name.set(sending.name),
        Sending.role.set(sending.role),
    ]


def first_answer(sending: Sending, update: Update, job: FanoutJob | None) -> None:
    """The answer, its update (published, outside the 24-hour window: the petition item is
    not written) and the update's fan-out job (none while it is held for review), in one
    transaction: once per sending."""
    bound()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                sending,
                actions=[
                    *_answer_actions(sending),
                    Sending.answered_at.set(sending.answered_at),
                    Sending.update_id.set(sending.update_id),
                ],
                condition=Sending.pk.exists() & Sending.answered_at.does_not_exist(),
            )
            transaction.save(update, condition=Update.pk.does_not_exist())
            if job is not None:
                transaction.save(job, condition=FanoutJob.pk.does_not_exist())
    except TransactWriteError as error:
        # PynamoDB sends the puts before the updates: the sending's condition comes after them.
        sending_entry = 1 if job is None else 2
        if failed_condition(error, sending_entry) is not None or _conflicted(error):
            raise Conflict("This link was answered at the same moment; open it again.") from error
        raise


def _conflicted(error: TransactWriteError) -> bool:
    """Cancelled for another transaction on the same items at that moment (DynamoDB)."""
    return any(
        reason is not None and reason.code == "TransactionConflict"
        for reason in error.cancellation_reasons
    )


def edit_answer(sending: Sending, answered_at: datetime, since: datetime, update: Update) -> None:
    """Change an answer and its update's page (no email): only while the answer is the one
    read and was first given after ``since``."""
    bound()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                sending,
                actions=[*_answer_actions(sending), Sending.edited_at.set(sending.edited_at)],
                condition=(Sending.answered_at == answered_at) & (Sending.answered_at > since),
            )
            transaction.update(
                update,
                actions=[
                    Update.title.set(update.title),
                    Update.body.set(update.body),
                    Update.fields.set(update.fields),
                    Update.edited_at.set(update.edited_at),
                ],
                condition=Update.pk.exists(),
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is not None:
            raise AnswerClosed() from error
        if _conflicted(error):
            raise Conflict(
                "This answer changed at the same moment; open the link again."
            ) from error
        raise
