"""Data access: the single DynamoDB table, through PynamoDB (the items are in :mod:`models`).

Every write that can race is conditional. Conditions that fail become the
named domain errors of :mod:`mobilise.core.errors` here, and nowhere else.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple, NoReturn, cast

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.errors import (
    AlreadySigned,
    Conflict,
    DomainError,
    InvalidField,
    InvalidLink,
    NotFound,
    NotOwner,
    RateLimited,
    UpdateTooSoon,
)
from mobilise.table.models import (
    NUDGE,
    OUTBOX,
    RETENTION,
    SCHEDULED,
    STAT_NAMES,
    UPDATE_INTERVAL,
    ClickCount,
    Clicker,
    DeliveryBatch,
    FanoutJob,
    FanoutPage,
    JobRecord,
    Petition,
    Photo,
    RateWindow,
    Response,
    Rsvp,
    Signature,
    Suppression,
    Update,
    bound,
    connection,
    signature_partition,
)

CONSENT_VERSION = "2026-11-updates-v1"
PAGE_MARKER_DAYS = 30
_CONDITION_FAILED = "ConditionalCheckFailed"
_CONDITION_FAILED_EXCEPTION = "ConditionalCheckFailedException"


def _failed(error: TransactWriteError, index: int) -> dict[str, Any] | None:
    """The old item of transaction entry ``index`` if its condition failed, else ``None``."""
    reasons = error.cancellation_reasons
    if index < len(reasons) and (reason := reasons[index]) and reason.code == _CONDITION_FAILED:
        return reason.raw_item or {}
    return None


def _condition_failed(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == _CONDITION_FAILED_EXCEPTION


# Petitions ----------------------------------------------------------------------------------


def create_petition(petition: Petition) -> Petition:
    bound()
    petition.save(condition=Petition.pk.does_not_exist())
    return petition


def get_petition(petition_id: str) -> Petition:
    bound()
    try:
        return Petition.get(*Petition.key(petition_id))
    except Petition.DoesNotExist:
        raise NotFound("There is no petition with this id.") from None


def close_petition(caller: str, petition_id: str) -> Petition:
    """Close a petition to signatures, once; its signatures then get their expiry (see
    :mod:`mobilise.privacy.retention`), found through the ``outbox`` index. Closing again is a
    no-op.
    The petition as it is afterwards (the update's ALL_NEW values)."""
    bound()
    now = clock.now()
    petition = Petition(*Petition.key(petition_id))
    try:
        petition.update(
            actions=[
                Petition.status.set("closed"),
                Petition.closed_at.set(now),
                Petition.outbox_pk.set(RETENTION),
                Petition.outbox_sk.set(now.isoformat()),
            ],
            condition=(Petition.owner_id == caller) & (Petition.status != "closed"),
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise
        current = get_petition(petition_id)
        if current.owner_id != caller:
            raise NotOwner() from error
        return current
    return petition


def petitions_to_expire(limit: int) -> list[Petition]:
    """Closed petitions whose signatures do not all carry their expiry yet."""
    bound()
    due = Petition.due.query(RETENTION, Petition.outbox_sk <= clock.now().isoformat(), limit=limit)
    return [cast(Petition, petition) for petition in due]


def signatures_page(
    petition_id: str, shard: int, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[Signature], dict[str, Any] | None]:
    """One page of a shard's signatures (all of them), and the cursor after it."""
    bound()
    results = Signature.query(
        signature_partition(petition_id, shard), last_evaluated_key=cursor, limit=limit
    )
    return list(results), results.last_evaluated_key


def expire_signature(signature: Signature, expires_at: datetime) -> None:
    """Give a signature its expiry; one erased meanwhile stays erased."""
    bound()
    try:
        signature.update(
            actions=[Signature.expires_at.set(expires_at)], condition=Signature.pk.exists()
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise


def retention_progress(petition_id: str, cursor: dict[str, Any] | None) -> None:
    """Where the expiry of a petition's signatures got to; ``None``: done (out of the index)."""
    bound()
    petition = Petition(*Petition.key(petition_id))
    actions: list[Action]
    if cursor is None:
        actions = [
            Petition.retention_cursor.remove(),
            Petition.outbox_pk.remove(),
            Petition.outbox_sk.remove(),
        ]
    else:
        actions = [Petition.retention_cursor.set(cursor)]
    petition.update(actions=actions, condition=Petition.status == "closed")


# Signatures ---------------------------------------------------------------------------------


def add_signature(
    signature: Signature,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> bool:
    """Store a signature and count it, once per mailbox (see :func:`crypto.mailbox`), within
    the rate ``limits`` of ``rate_scope``: one transaction, so a refused signature writes
    nothing at all. A signature born confirmed (no double opt-in) counts as confirmed too.

    ``email_limits`` (none when no email follows) cap the emails the address gets from
    signing, counted under its hash in the same transaction. True: an email may be sent;
    False: the cap is reached, and the signature is stored all the same, without an email.
    """
    bound()
    try:
        _add_signature(signature, rate_scope, limits, email_limits)
    except _EmailCapReached:
        _add_signature(signature, rate_scope, limits, [])
        return False
    return bool(email_limits)


class _EmailCapReached(Exception):
    """The address had all the emails it may get from signing for now."""


def _add_signature(
    signature: Signature,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> None:
    petition = Petition(*Petition.key(signature.petition_id))
    windows = _rate_windows(rate_scope, limits)
    capped = _rate_windows(email_scope(signature.email_hash), email_limits)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(signature, condition=Signature.pk.does_not_exist())
            transaction.update(
                petition,
                actions=counted(signature, 1),
                condition=Petition.pk.exists() & (Petition.status == "open"),
                return_values="ALL_OLD",
            )
            for window, actions, condition, _ in windows + capped:
                transaction.update(window, actions=actions, condition=condition)
    except TransactWriteError as error:
        old = _failed(error, 1)  # first: a closed petition answers alike, signed or not
        if old is not None:
            if old:
                raise NotFound("This petition is no longer open for signatures.") from error
            raise NotFound("There is no petition with this id.") from error
        if _failed(error, 0) is not None:
            raise AlreadySigned() from error
        for index, (_, _, _, retry_after) in enumerate(windows, start=2):
            if _failed(error, index) is not None:
                raise RateLimited(retry_after) from error
        first_cap = 2 + len(windows)
        if any(_failed(error, first_cap + index) is not None for index in range(len(capped))):
            raise _EmailCapReached() from error
        raise


def counted(signature: Signature, by: int) -> list[Action]:
    """The petition's counters a signature is counted in, moved ``by`` (1 when it is added,
    -1 when it is erased): every signature, and the confirmed ones (the public count; a
    later confirmation is counted by :func:`confirm`)."""
    counts: list[Action] = [Petition.signer_count.add(by)]
    if signature.confirmed_at is not None:
        counts.append(Petition.confirmed_count.add(by))
    return counts


def email_scope(email_hash: str) -> str:
    """The rate scope of the emails an address gets from signing, whatever the petition."""
    return f"EMAILS#{email_hash}"


def forget_email_windows(email_hash: str) -> None:
    """Delete an address's counters of emails from signing (its erasure)."""
    bound()
    for window in RateWindow.query(f"RATE#{email_scope(email_hash)}"):
        window.delete()


def signed_again(
    email_hash: str,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> bool:
    """Count a signature of an address that had signed against the client's rate ``limits``
    (:class:`RateLimited`) and, in the same transaction, against the address's
    ``email_limits``. True: an email may follow; False: none (no limits, or the cap)."""
    bound()
    windows = _rate_windows(rate_scope, limits)
    capped = _rate_windows(email_scope(email_hash), email_limits)
    try:
        _take(windows + capped)
    except TransactWriteError as error:
        for index, (_, _, _, retry_after) in enumerate(windows):
            if _failed(error, index) is not None:
                raise RateLimited(retry_after) from error
        if all(_failed(error, len(windows) + index) is None for index in range(len(capped))):
            raise
        _take(windows)
        return False
    return bool(email_limits)


def _take(windows: list[tuple[RateWindow, list[Any], Condition, int]]) -> None:
    """Count one hit in each of these windows, in one transaction."""
    if not windows:
        return
    with TransactWrite(connection=connection()) as transaction:
        for window, actions, condition, _ in windows:
            transaction.update(window, actions=actions, condition=condition)


def get_signature(petition_id: str, email_hash: str) -> Signature:
    bound()
    try:
        return Signature.get(*Signature.key(petition_id, email_hash))
    except Signature.DoesNotExist:
        raise NotFound("There is no such signature.") from None


def recipients(petition_id: str, email_hashes: list[str]) -> tuple[dict[str, Signature], set[str]]:
    """The signatures of these hashes, and which of them are suppressed: two BatchGetItem
    requests (signatures, suppressions) for a delivery message of up to 50."""
    bound()
    signatures = {
        signature.email_hash: signature
        for signature in Signature.batch_get(
            [Signature.key(petition_id, email_hash) for email_hash in email_hashes]
        )
    }
    return signatures, suppressed(list(signatures))


def suppressed(email_hashes: list[str]) -> set[str]:
    """Which of these addresses are on the global suppression list."""
    bound()
    found = Suppression.batch_get([Suppression.key(email_hash) for email_hash in email_hashes])
    return {item.pk.removeprefix("SUP#") for item in found}


def page_subscribers(
    petition_id: str, shard: int, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[Signature], dict[str, Any] | None]:
    """One page of a shard's signers who receive updates, and the cursor after it."""
    bound()
    results = Signature.query(
        signature_partition(petition_id, shard),
        filter_condition=(Signature.wants_updates == True)  # noqa: E712 (a DynamoDB condition)
        & Signature.confirmed_at.exists()
        & Signature.unsubscribed_at.does_not_exist(),
        last_evaluated_key=cursor,
        limit=limit,
    )
    page = list(results)
    return page, results.last_evaluated_key


def confirmation_requested(petition_id: str, email_hash: str, requested_at: str) -> None:
    """Note that a confirmation email was asked for again (erasure finds its record by it)."""
    bound()
    signature = Signature(*Signature.key(petition_id, email_hash))
    try:
        signature.update(
            actions=[Signature.confirmations_requested.add({requested_at})],
            condition=Signature.pk.exists(),
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise


def confirm(petition_id: str, email_hash: str) -> bool:
    """Mark a signature confirmed (double opt-in) and count it on its petition, in one
    transaction: only the first confirmation counts. True the first time, False when it
    already was; :class:`InvalidLink` if there is no such signature."""
    bound()
    signature = Signature(*Signature.key(petition_id, email_hash))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                signature,
                actions=[Signature.confirmed_at.set(clock.now())],
                condition=Signature.pk.exists() & Signature.confirmed_at.does_not_exist(),
            )
            transaction.update(
                Petition(*Petition.key(petition_id)),
                actions=[Petition.confirmed_count.add(1)],
                condition=Petition.pk.exists(),
            )
    except TransactWriteError as error:
        if _failed(error, 0) is None and _failed(error, 1) is None:
            raise
        try:
            get_signature(petition_id, email_hash)
        except NotFound:
            raise InvalidLink() from error
        return False  # it already was
    return True


def unsubscribe(petition_id: str, email_hash: str) -> bool:
    """Mark a signature unsubscribed. True the first time, False when it already was.

    :class:`InvalidLink` if there is no such signature.
    """
    bound()
    signature = Signature(*Signature.key(petition_id, email_hash))
    try:
        signature.update(
            actions=[Signature.unsubscribed_at.set(clock.now())],
            condition=Signature.pk.exists() & Signature.unsubscribed_at.does_not_exist(),
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise
        try:
            get_signature(petition_id, email_hash)
        except NotFound:
            raise InvalidLink() from error
        return False  # it already was
    return True


def suppress(email_hash: str, reason: str) -> bool:
    """Put an address on the global suppression list; True if it was not on it."""
    bound()
    item = Suppression(*Suppression.key(email_hash), reason=reason, suppressed_at=clock.now())
    try:
        item.save(condition=Suppression.pk.does_not_exist())
    except PutError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def _rate_windows(
    scope: str, limits: Iterable[tuple[int, int]]
) -> list[tuple[RateWindow, list[Any], Condition, int]]:
    """For each fixed window of ``(seconds, limit)``: its item, the counter increment, the
    condition that it is not full, and the seconds until it ends."""
    now = clock.now()
    epoch = int(now.timestamp())
    windows = []
    for seconds, limit in limits:
        start = epoch - epoch % seconds
        windows.append(
            (
                RateWindow(*RateWindow.key(scope, seconds, start)),
                [
                    RateWindow.hits.add(1),
                    RateWindow.expires_at.set(now + timedelta(seconds=seconds + 3600)),
                ],
                RateWindow.hits.does_not_exist() | (RateWindow.hits < limit),
                start + seconds - epoch,
            )
        )
    return windows


def take_rate(scope: str, limits: Iterable[tuple[int, int]]) -> None:
    """Count one request against fixed windows; :class:`RateLimited` with the wait if one
    is full. Each window is one conditional counter write."""
    bound()
    for window, actions, condition, retry_after in _rate_windows(scope, limits):
        try:
            window.update(actions=actions, condition=condition)
        except UpdateError as error:
            if _condition_failed(error):
                raise RateLimited(retry_after) from error
            raise


# Updates ------------------------------------------------------------------------------------


def get_update(petition_id: str, update_id: str) -> Update:
    bound()
    try:
        return Update.get(*Update.key(petition_id, update_id))
    except Update.DoesNotExist:
        raise NotFound("There is no update with this id on this petition.") from None


def list_updates(
    petition_id: str, limit: int, after: str | None
) -> tuple[list[Update], str | None]:
    """Published updates newest first; ``after`` is the last update id of the previous page."""
    return _list(petition_id, limit, after, ~Update.status.is_in("scheduled", "cancelled"))


def _list(
    petition_id: str, limit: int, after: str | None, only: Condition
) -> tuple[list[Update], str | None]:
    bound()
    start = None
    if after is not None:
        pk, sk = Update.key(petition_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Update.query(
        f"PET#{petition_id}",
        Update.sk.startswith("UPD#"),
        filter_condition=only,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    page = list(results)
    return page, (page[-1].update_id if page and results.last_evaluated_key else None)


def add_stats(petition_id: str, update_id: str, counts: Mapping[str, int]) -> None:
    """Add to an update's delivery counters: one write for a whole batch."""
    bound()
    actions = [
        getattr(Update, name).add(value)
        for name, value in counts.items()
        if value and name in STAT_NAMES
    ]
    if actions:
        Update(*Update.key(petition_id, update_id)).update(
            actions=actions, condition=Update.status.is_in(*CLICKABLE)
        )


# Fan-out ------------------------------------------------------------------------------------


def get_job(petition_id: str, update_id: str) -> FanoutJob:
    bound()
    try:
        return FanoutJob.get(*FanoutJob.key(petition_id, update_id))
    except FanoutJob.DoesNotExist:
        raise NotFound("There is no delivery for this update.") from None


def start_fanout(petition_id: str, update_id: str) -> None:
    """The fan-out starts, in one transaction: its job queued -> sending (out of the outbox
    index), its update published -> sending with its counters at zero. A job already started
    stays as it is."""
    bound()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                FanoutJob(*FanoutJob.key(petition_id, update_id)),
                actions=[
                    FanoutJob.state.set("sending"),
                    FanoutJob.outbox_pk.remove(),
                    FanoutJob.outbox_sk.remove(),
                ],
                condition=FanoutJob.state == "queued",
            )
            transaction.update(
                Update(*Update.key(petition_id, update_id)),
                actions=[
                    Update.status.set("sending"),
                    Update.recipients.set(Update.recipients | 0),
                    Update.settled.set(Update.settled | 0),
                ],
                condition=Update.status == "published",
            )
    except TransactWriteError as error:
        if _failed(error, 0) is None:
            raise


def stale_jobs(older_than: datetime, limit: int) -> list[FanoutJob]:
    """Jobs still queued that were last sent to the queue before ``older_than``."""
    bound()
    return list(
        FanoutJob.outbox.query(OUTBOX, FanoutJob.outbox_sk <= older_than.isoformat(), limit=limit)
    )


def resent(job: FanoutJob) -> None:
    """Note that a job was sent to the queue again (it leaves the sweep for a while)."""
    bound()
    try:
        job.update(
            actions=[FanoutJob.outbox_sk.set(clock.now().isoformat())],
            condition=FanoutJob.state == "queued",
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise


def cursor_digest(cursor: dict[str, Any] | None) -> str:
    if cursor is None:
        return "start"
    canonical = json.dumps(cursor, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()[:32]


def page_done(update_id: str, shard: int, cursor: dict[str, Any] | None) -> bool:
    """Whether fan-out already enqueued the page of this shard that starts at ``cursor``."""
    bound()
    try:
        FanoutPage.get(*FanoutPage.key(update_id, shard, cursor_digest(cursor)))
    except FanoutPage.DoesNotExist:
        return False
    return True


def mark_page_done(
    petition_id: str, update_id: str, shard: int, cursor: dict[str, Any] | None, count: int
) -> None:
    """Record a page as enqueued and count its recipients on the update, atomically,
    so a page enqueued twice (a retried job) is counted once."""
    bound()
    page = FanoutPage(
        *FanoutPage.key(update_id, shard, cursor_digest(cursor)),
        recipients=count,
        expires_at=clock.now() + timedelta(days=PAGE_MARKER_DAYS),
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(page, condition=FanoutPage.pk.does_not_exist())
            if count:
                transaction.update(
                    Update(*Update.key(petition_id, update_id)),
                    actions=[Update.recipients.add(count)],
                )
    except TransactWriteError as error:
        if _failed(error, 0) is None:
            raise


def finish_shard(petition_id: str, update_id: str, shard: int) -> bool:
    """Record a shard as fanned out (a set: idempotent). True once every shard is: the
    update's ``recipients`` is then final, and says so (``fanned_out_at``)."""
    bound()
    job = FanoutJob(*FanoutJob.key(petition_id, update_id))
    job.update(actions=[FanoutJob.shards_done.add({shard})])
    if len(job.shards_done or ()) < job.shards:
        return False
    Update(*Update.key(petition_id, update_id)).update(
        actions=[Update.fanned_out_at.set(Update.fanned_out_at | clock.now())],
        condition=Update.pk.exists(),
    )
    return True


# Delivery -----------------------------------------------------------------------------------

#: What delivery counts of each recipient of a delivery message.
OUTCOMES = ("sent", "failed", "skipped")


def settle_batch(
    petition_id: str, update_id: str, digest: str, outcomes: Mapping[str, int]
) -> bool:
    """Count what became of a delivery message's recipients on its update (``outcomes``, and
    all of them as ``settled``), once per message however often SQS hands it in: its marker
    and the counters in one transaction. False when it was counted already."""
    bound()
    size = sum(outcomes.values())
    marker = DeliveryBatch(
        *DeliveryBatch.key(update_id, digest),
        recipients=size,
        expires_at=clock.now() + timedelta(days=PAGE_MARKER_DAYS),
    )
    actions = [Update.settled.add(size)] + [
        getattr(Update, name).add(count)
        for name, count in outcomes.items()
        if count and name in OUTCOMES
    ]
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(marker, condition=DeliveryBatch.pk.does_not_exist())
            transaction.update(
                Update(*Update.key(petition_id, update_id)),
                actions=actions,
                condition=Update.status.is_in(*CLICKABLE),
            )
    except TransactWriteError as error:
        if _failed(error, 0) is None:
            raise
        return False
    return True


def finish_delivery(petition_id: str, update_id: str) -> bool:
    """sending -> sent, with its job, once fan-out is over and every recipient it enqueued is
    settled: one transaction, conditional on the update's own counters. Each delivery
    message and fan-out's last shard try it after their own write, so whichever comes last
    sees everything and succeeds; every other try changes nothing. True if this one did.

    A consistent read first spares the transaction while delivery is plainly not over
    (most tries): it only filters, the condition decides."""
    bound()
    key = Update.key(petition_id, update_id)
    attributes = ["status", "fanned_out_at", "settled", "recipients"]
    current = Update.get(*key, consistent_read=True, attributes_to_get=attributes)
    if not _delivered(current):
        return False
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                Update(*key),
                actions=[Update.status.set("sent")],
                condition=(Update.status == "sending")
                & Update.fanned_out_at.exists()
                & (Update.settled >= Update.recipients),
            )
            transaction.update(
                FanoutJob(*FanoutJob.key(petition_id, update_id)),
                actions=[FanoutJob.state.set("sent")],
                condition=FanoutJob.pk.exists(),
            )
    except TransactWriteError as error:
        if _failed(error, 0) is None:
            raise
        return False
    return True


def _delivered(update: Update) -> bool:
    """What :func:`finish_delivery`'s condition says, on an update as read."""
    return (
        update.status == "sending"
        and update.fanned_out_at is not None
        and (update.settled or 0) >= (update.recipients or 0)
    )


# Clicks -------------------------------------------------------------------------------------

#: The statuses of an update whose email went out: only their buttons are counted.
CLICKABLE = ("published", "sending", "sent")


class Clicks(NamedTuple):
    """The clicks on one button: a person's, and a machine's
    (:func:`mobilise.engagement.clicks.judge`)."""

    people: int
    machines: int


def count_click(
    petition_id: str,
    update_id: str,
    action: str,
    email_hash: str | None = None,
    *,
    machine: bool = False,
) -> None:
    """Count a click on ``action`` of an update that went out: ``ADD clicks 1`` (or
    ``machine_clicks``) on its counter, in one write conditional on the update still being
    one that went out.

    ``email_hash``: also record who clicked (only while ``per_person_clicks`` is on).
    :class:`InvalidLink` when the update is not (or no longer) one that went out.
    """
    bound()
    counter = ClickCount(*ClickCount.key(petition_id, update_id, action))
    tally = ClickCount.machine_clicks if machine else ClickCount.clicks
    for attempt in itertools.count(1):
        try:
            _count_click(counter, tally, petition_id, update_id, action, email_hash)
            return
        except TransactWriteError as error:
            if _failed(error, 0) is not None:
                raise InvalidLink() from error
            if not _conflicted(error) or attempt == CLICK_ATTEMPTS:
                raise
            # Delivery counts its sends on the update item in transactions of its own; a
            # click that meets one is cancelled as a whole and can simply be made again.
            time.sleep(random.uniform(0, 0.02 * attempt))  # noqa: S311 (jitter, not secrecy)


#: A click cancelled by a conflicting transaction on its update is made again, this often.
CLICK_ATTEMPTS = 3


def _conflicted(error: TransactWriteError) -> bool:
    return any(
        reason and reason.code == "TransactionConflict" for reason in error.cancellation_reasons
    )


def _count_click(
    counter: ClickCount,
    tally: Any,
    petition_id: str,
    update_id: str,
    action: str,
    email_hash: str | None,
) -> None:
    """The one transaction of a click: the update still one that went out, its counter, and
    who clicked if ``email_hash``."""
    with TransactWrite(connection=connection()) as transaction:
        transaction.condition_check(
            Update,
            *Update.key(petition_id, update_id),
            condition=Update.status.is_in(*CLICKABLE),
        )
        transaction.update(counter, actions=[tally.add(1)])
        if email_hash is not None:
            clicker = Clicker(*Clicker.key(petition_id, update_id, action, email_hash))
            transaction.update(
                clicker,
                actions=[
                    Clicker.petition_id.set(petition_id),
                    Clicker.update_id.set(update_id),
                    Clicker.action.set(action),
                    Clicker.email_key.set(email_hash),
                    Clicker.clicks.add(1),
                    Clicker.last_clicked_at.set(clock.now()),
                ],
            )


def last_clicks(
    petition_id: str, update_id: str, email_hash: str, actions: Iterable[str]
) -> list[datetime]:
    """When one signer last clicked each of ``actions`` of an update's email (recorded only
    while ``per_person_clicks`` is on): one BatchGet."""
    bound()
    keys = [Clicker.key(petition_id, update_id, action, email_hash) for action in actions]
    return [
        clicker.last_clicked_at
        for clicker in Clicker.batch_get(keys)
        if clicker.last_clicked_at is not None
    ]


def click_counts(petition_id: str, update_id: str) -> dict[str, Clicks]:
    """Clicks per action of an update's email: one Query of its counters."""
    bound()
    prefix = f"CLK#{update_id}#"
    return {
        counter.sk.removeprefix(prefix): Clicks(
            int(counter.clicks or 0), int(counter.machine_clicks or 0)
        )
        for counter in ClickCount.query(f"PET#{petition_id}", ClickCount.sk.startswith(prefix))
    }


# Reminders ----------------------------------------------------------------------------------

JOB_RECORD_DAYS = 90


def due_petitions(
    kind: str, now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[Petition], dict[str, Any] | None]:
    """One page of the petitions whose work of ``kind`` is due by ``now`` (the sparse
    ``outbox`` index: keys and ids only), and the cursor after it."""
    bound()
    results = Petition.due.query(
        kind, Petition.outbox_sk <= now.isoformat(), limit=limit, last_evaluated_key=cursor
    )
    return cast(list[Petition], list(results)), results.last_evaluated_key


def due_updates(
    kind: str, now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[Update], dict[str, Any] | None]:
    """One page of the updates whose work of ``kind`` is due by ``now``, and the cursor."""
    bound()
    results = Update.due.query(
        kind, Update.outbox_sk <= now.isoformat(), limit=limit, last_evaluated_key=cursor
    )
    return cast(list[Update], list(results)), results.last_evaluated_key


def move_due(item: Petition | Update, was: str, to: datetime | None) -> bool:
    """Move the due time of ``item``'s pending work to ``to``, or remove it (``None``), if it
    is still ``was``: work the publisher moved meanwhile stays where it put it."""
    bound()
    model = type(item)
    actions: list[Action] = (
        [model.outbox_pk.remove(), model.outbox_sk.remove()]
        if to is None
        else [model.outbox_sk.set(to.isoformat())]
    )
    condition = model.outbox_sk == was
    if item.outbox_pk is not None:  # and still the same kind of work (a closing replaces it)
        condition &= model.outbox_pk == item.outbox_pk
    try:
        model(item.pk, item.sk).update(actions=actions, condition=condition)
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def record_job(job: str, subject: str, period: str, expires_at: datetime | None = None) -> bool:
    """Record that ``job`` is done for ``subject`` in ``period``; False if it already was.
    The record is deleted (TTL) at ``expires_at``, by default ``JOB_RECORD_DAYS`` on."""
    bound()
    now = clock.now()
    record = JobRecord(
        *JobRecord.key(job, subject, period),
        done_at=now,
        expires_at=expires_at or now + timedelta(days=JOB_RECORD_DAYS),
    )
    try:
        record.save(condition=JobRecord.pk.does_not_exist())
    except PutError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def forget_job(job: str, subject: str, period: str) -> None:
    """Remove a record whose work did not happen after all (the email was not accepted)."""
    bound()
    JobRecord(*JobRecord.key(job, subject, period)).delete()


def last_job_period(job: str, subject: str) -> str | None:
    """The greatest period recorded for ``job`` and ``subject``: where a run stopped."""
    bound()
    pk, _ = JobRecord.key(job, subject, "")
    for record in JobRecord.query(pk, scan_index_forward=False, limit=1):
        return record.sk
    return None


def page_rsvps(
    petition_id: str, update_id: str, answer: str, after: str | None, limit: int
) -> tuple[list[str], str | None]:
    """The email hashes of one page of an event's RSVPs with ``answer``, in hash order,
    starting after the hash ``after``; and the hash to continue after, or None at the end."""
    bound()
    prefix = f"RSVP#{update_id}#"
    start = None
    if after is not None:
        pk, sk = Rsvp.key(petition_id, update_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Rsvp.query(
        f"PET#{petition_id}",
        Rsvp.sk.startswith(prefix),
        filter_condition=Rsvp.answer == answer,
        limit=limit,
        last_evaluated_key=start,
    )
    hashes = [rsvp.sk.removeprefix(prefix) for rsvp in results]
    last = results.last_evaluated_key
    return hashes, (str(last["sk"]["S"]).removeprefix(prefix) if last else None)


def later_updates(petition_id: str, update_id: str) -> Iterator[Update]:
    """The petition's updates published after ``update_id`` (ids sort by time), oldest first."""
    bound()
    return iter(
        Update.query(
            f"PET#{petition_id}",
            Update.sk.between(f"UPD#{update_id}", "UPD#~"),
            filter_condition=Update.update_id != update_id,
        )
    )


def switch_nudges_off(petition_id: str) -> None:
    """The starter wants no more reminders for this petition; :class:`NotFound` if none.
    A due nudge leaves the index; other due work of the petition (the retention of a
    closed petition's signatures) stays."""
    bound()
    petition = Petition(*Petition.key(petition_id))
    try:
        petition.update(actions=[Petition.nudges_off.set(True)], condition=Petition.pk.exists())
    except UpdateError as error:
        if _condition_failed(error):
            raise NotFound("There is no petition with this id.") from error
        raise
    try:
        petition.update(
            actions=[Petition.outbox_pk.remove(), Petition.outbox_sk.remove()],
            condition=Petition.outbox_pk == NUDGE,
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise


# Photos -------------------------------------------------------------------------------------


def add_photo(photo: Photo) -> Photo:
    """Record a granted upload (a new id: never overwrites)."""
    bound()
    photo.save(condition=Photo.pk.does_not_exist())
    return photo


def find_photo(petition_id: str, photo_id: str) -> Photo | None:
    """The photo granted to this petition under this id, if there is one."""
    bound()
    try:
        return Photo.get(*Photo.key(petition_id, photo_id))
    except Photo.DoesNotExist:
        return None


def set_photo_type(petition_id: str, photo_id: str, content_type: str) -> None:
    """Record the type a photo was found to be when an update published it."""
    bound()
    Photo(*Photo.key(petition_id, photo_id)).update(
        actions=[Photo.content_type.set(content_type)], condition=Photo.pk.exists()
    )


# Responses and RSVPs ------------------------------------------------------------------------


class TooManyResponses(DomainError):
    code = "too_many_responses"

    def __init__(self, limit: int) -> None:
        super().__init__(f"You can answer this update {limit} times at most.")


def _response_counter(petition_id: str, update_id: str, email_hash: str) -> RateWindow:
    """How many responses one signer gave to one update: a counter named by the signer, kept
    while the links of the update can be followed, and erased with the signer's responses."""
    scope = f"RSP#{petition_id}#{update_id}#{email_hash}"
    return RateWindow(*RateWindow.key(scope, int(RESPONSE_COUNTER_LIFE.total_seconds()), 0))


def add_response(response: Response, limit: int) -> None:
    """Store a signer's response, if their signature still exists and they gave fewer than
    ``limit`` to this update: one transaction (the counter is a conditional write)."""
    bound()
    assert response.email_key is not None
    counter = _response_counter(response.petition_id, response.update_id, response.email_key)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(response, condition=Response.pk.does_not_exist())
            transaction.update(
                counter,
                actions=[
                    RateWindow.hits.add(1),
                    RateWindow.expires_at.set(clock.now() + RESPONSE_COUNTER_LIFE),
                ],
                condition=RateWindow.hits.does_not_exist() | (RateWindow.hits < limit),
            )
            transaction.condition_check(
                Signature,
                *Signature.key(response.petition_id, response.email_key),
                condition=Signature.pk.exists(),
            )
    except TransactWriteError as error:  # entries in the order DynamoDB gets them:
        if _failed(error, 0) is not None:  # condition checks, deletes, puts, updates
            raise InvalidLink() from error  # the signature was erased meanwhile
        if _failed(error, 2) is not None:
            raise TooManyResponses(limit) from error
        raise


def list_responses(
    petition_id: str, update_id: str, limit: int, after: str | None
) -> tuple[list[Response], str | None]:
    """An update's responses newest first; ``after`` is the last response id of the previous
    page."""
    bound()
    start = None
    if after is not None:
        pk, sk = Response.key(petition_id, update_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Response.query(
        f"PET#{petition_id}",
        Response.sk.startswith(f"RSP#{update_id}#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    page = list(results)
    return page, (page[-1].response_id if page and results.last_evaluated_key else None)


def all_responses(petition_id: str, update_id: str) -> Iterator[Response]:
    """Every response to an update, oldest first, read a page at a time."""
    bound()
    yield from Response.query(
        f"PET#{petition_id}", Response.sk.startswith(f"RSP#{update_id}#"), page_size=500
    )


def get_rsvp(petition_id: str, update_id: str, email_hash: str) -> Rsvp | None:
    bound()
    try:
        return Rsvp.get(*Rsvp.key(petition_id, update_id, email_hash), consistent_read=True)
    except Rsvp.DoesNotExist:
        return None


def answer_rsvp(petition_id: str, update_id: str, email_hash: str, answer: str) -> None:
    """Store a signer's answer to an event and move the event's counts with it, in one
    transaction conditional on the answer it replaces: the same answer twice counts once, a
    changed answer moves one from a count to the other, and two answers at once cannot both
    count (the one that loses reads again and tries once more)."""
    bound()
    for _ in range(RSVP_ATTEMPTS):
        previous = get_rsvp(petition_id, update_id, email_hash)
        if previous is not None and previous.answer == answer:
            return
        rsvp = Rsvp(
            *Rsvp.key(petition_id, update_id, email_hash),
            petition_id=petition_id,
            update_id=update_id,
            answer=answer,
            email_key=email_hash,
            answered_at=clock.now(),
        )
        counts: list[Any] = [_RSVP_COUNTS[answer].add(1)]
        if previous is not None:
            counts.append(_RSVP_COUNTS[previous.answer].add(-1))
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(
                    rsvp,
                    condition=Rsvp.pk.does_not_exist()
                    if previous is None
                    else Rsvp.answer == previous.answer,
                )
                transaction.update(
                    Update(*Update.key(petition_id, update_id)),
                    actions=counts,
                    condition=Update.pk.exists() & (Update.type == "event"),
                )
                transaction.condition_check(
                    Signature,
                    *Signature.key(petition_id, email_hash),
                    condition=Signature.pk.exists(),
                )
        except TransactWriteError as error:  # order: condition check, put, update
            if _failed(error, 0) is not None or _failed(error, 2) is not None:
                raise InvalidLink() from error  # no signature, or no event
            if _failed(error, 1) is None:
                raise
            continue  # another answer came first: read it and try again
        return
    raise RsvpConflict()


class RsvpConflict(DomainError):
    code = "conflict"

    def __init__(self) -> None:
        super().__init__("Your answer changed at the same time elsewhere; send it again.")


def rsvp_yes_page(
    petition_id: str, update_id: str, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[str], dict[str, Any] | None]:
    """The email hashes of up to ``limit`` of an event's "yes" answers, and the cursor after
    them (``None`` at the end; the last page may be empty)."""
    bound()
    results = Rsvp.query(
        f"PET#{petition_id}",
        Rsvp.sk.startswith(f"RSVP#{update_id}#"),
        filter_condition=Rsvp.answer == "yes",
        last_evaluated_key=cursor,
        limit=limit,
    )
    hashes = [rsvp.sk.rsplit("#", 1)[1] for rsvp in results]
    return hashes, results.last_evaluated_key


def by_email(email_hash: str) -> list[tuple[str, str]]:
    """The keys of every item that holds a trace of this address (the ``by_email`` index)."""
    bound()
    return [(item.pk, item.sk) for item in Signature.by_email.query(email_hash)]


def erase_response(response: Response) -> None:
    """Delete a response, and the counter of its signer's responses to that update."""
    bound()
    assert response.email_key is not None
    counter = _response_counter(response.petition_id, response.update_id, response.email_key)
    with TransactWrite(connection=connection()) as transaction:
        transaction.delete(response)
        transaction.delete(counter)


def erase_rsvp(rsvp: Rsvp) -> None:
    """Delete an answer and take it off its event's count; if the answer changed meanwhile,
    read it again."""
    bound()
    for _ in range(RSVP_ATTEMPTS):
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.delete(rsvp, condition=Rsvp.answer == rsvp.answer)
                transaction.update(
                    Update(*Update.key(rsvp.petition_id, rsvp.update_id)),
                    actions=[_RSVP_COUNTS[rsvp.answer].add(-1)],
                    condition=Update.pk.exists(),
                )
        except TransactWriteError as error:
            if _failed(error, 1) is not None:  # the event is gone: the answer goes alone
                rsvp.delete()
                return
            if _failed(error, 0) is None:
                raise
            found = get_rsvp(rsvp.petition_id, rsvp.update_id, rsvp.sk.rsplit("#", 1)[1])
            if found is None:
                return
            rsvp = found
            continue
        return
    raise RsvpConflict()


def forget_owner_email(petition_id: str) -> None:
    """Take a starter's address off a petition; the petition stays."""
    bound()
    Petition(*Petition.key(petition_id)).update(
        actions=[Petition.owner_email.remove(), Petition.owner_email_key.remove()],
        condition=Petition.pk.exists(),
    )


RESPONSE_COUNTER_LIFE = timedelta(days=91)  # the links of an update work 90 days
RSVP_ATTEMPTS = 3
_RSVP_COUNTS = {"yes": Update.rsvp_yes, "no": Update.rsvp_no}


# Publishing: direct and scheduled publishes, schedules, edits, cancellations ------------------


def count_subscribers(petition_id: str) -> int:
    """How many signers receive updates (the fan-out's filter): one Select=COUNT query per
    shard. Suppressed addresses are not subtracted: the delivery statistics are exact."""
    bound()
    return sum(
        Signature.count(
            signature_partition(petition_id, shard),
            filter_condition=(Signature.wants_updates == True)  # noqa: E712
            & Signature.confirmed_at.exists()
            & Signature.unsubscribed_at.does_not_exist(),
        )
        for shard in range(get_settings().signature_shards)
    )


def publish_update(
    caller: str,
    update: Update,
    *,
    nudge: tuple[str, datetime] | None = None,
    victory: bool = False,
    status: str = "open",
) -> FanoutJob:
    """Store a published update and its fan-out job, if the 24-hour rule allows it.

    One transaction for a direct publish and a scheduled one: the update (new, or still
    ``scheduled`` and unedited since it was read), its fan-out job, and the petition's
    ``last_update_at`` under the rule, with its next nudge, its status for a victory and,
    for a scheduled update, the end of its schedule. The rule is one conditional write
    on the petition: never a read followed by a write.

    ``status`` is the petition's status the caller read (and chose ``nudge`` and
    ``victory`` by): the write is conditional on it, so that a petition closed meanwhile
    keeps its status and its due retention work.
    """
    bound()
    now = clock.now()
    scheduled = update.status == "scheduled"
    condition = Update.pk.does_not_exist()
    if scheduled:
        condition = (Update.status == "scheduled") & (
            Update.edited_at.does_not_exist()
            if update.edited_at is None
            else Update.edited_at == update.edited_at
        )
    update.status = "published"
    update.published_at = now
    job = FanoutJob(
        *FanoutJob.key(update.petition_id, update.update_id),
        update_id=update.update_id,
        petition_id=update.petition_id,
        shards=get_settings().signature_shards,
        created_at=now,
        outbox_pk=OUTBOX,
        outbox_sk=now.isoformat(),
    )
    actions: list[Any] = [Petition.last_update_at.set(now)]
    if nudge is not None:
        actions += [Petition.outbox_pk.set(nudge[0]), Petition.outbox_sk.set(nudge[1].isoformat())]
    if victory:
        actions.append(Petition.status.set("victory"))
    if scheduled:
        actions.append(Petition.scheduled_update_id.remove())
    petition = Petition(*Petition.key(update.petition_id))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=condition)
            transaction.save(job, condition=FanoutJob.pk.does_not_exist())
            transaction.update(
                petition,
                actions=actions,
                condition=(Petition.owner_id == caller)
                & (Petition.status == status)
                & (
                    Petition.last_update_at.does_not_exist()
                    | (Petition.last_update_at <= now - UPDATE_INTERVAL)
                ),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        if scheduled:
            update.status, update.published_at = "scheduled", None
        if scheduled and _failed(error, 0) is not None:
            raise Conflict("The scheduled update changed while it was being published.") from error
        old = _failed(error, 2)
        if old is None:
            raise
        if not old:
            raise NotFound("There is no petition with this id.") from error
        refused = Petition.from_raw_data(old)
        if refused.owner_id != caller:
            raise NotOwner() from error
        if refused.status != status:
            raise Conflict(
                "The petition changed while the update was published; try again."
            ) from error
        assert refused.last_update_at is not None  # the only other way the condition fails
        raise UpdateTooSoon(refused.last_update_at + UPDATE_INTERVAL) from error
    return job


def schedule_update(caller: str, update: Update) -> None:
    """Store a scheduled update: one per petition at a time, and not due before the 24-hour
    window reopens (both conditions on the petition, in the same transaction)."""
    bound()
    assert update.publish_at is not None
    publish_at: datetime = update.publish_at
    update.status = "scheduled"
    update.outbox_pk, update.outbox_sk = SCHEDULED, publish_at.isoformat()
    petition = Petition(*Petition.key(update.petition_id))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=Update.pk.does_not_exist())
            transaction.update(
                petition,
                actions=[Petition.scheduled_update_id.set(update.update_id)],
                condition=(Petition.owner_id == caller)
                & Petition.scheduled_update_id.does_not_exist()
                & _window_open_at(publish_at),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        old = _failed(error, 1)
        if old is None:
            raise
        _refused_schedule(error, old, caller, publish_at)


def _window_open_at(moment: datetime) -> Condition:
    condition: Condition = Petition.last_update_at.does_not_exist() | (
        Petition.last_update_at <= moment - UPDATE_INTERVAL
    )
    return condition


def _refused_schedule(
    error: Exception, old: dict[str, Any], caller: str, publish_at: datetime
) -> NoReturn:
    if not old:
        raise NotFound("There is no petition with this id.") from error
    refused = Petition.from_raw_data(old)
    if refused.owner_id != caller:
        raise NotOwner() from error
    if refused.scheduled_update_id is not None and refused.scheduled_update_id != "":
        raise Conflict(
            "This petition already has a scheduled update: cancel or move it first."
        ) from error
    assert refused.last_update_at is not None
    raise publish_too_early(refused.last_update_at + UPDATE_INTERVAL) from error


def publish_too_early(reopens: datetime) -> InvalidField:
    return InvalidField(
        "publish_at",
        "must not be before the 24-hour window reopens, at "
        + reopens.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def edit_update(update: Update, expected_status: str, moved: bool = False) -> None:
    """Save an edited update (its page; never an email), if its status is still the one read.

    A scheduled update ``moved`` to another ``publish_at`` keeps its petition's 24-hour rule:
    the petition's window must be open at the new time (a condition check on the petition).
    One not moved keeps its due time (a held one: when the window reopens).
    """
    bound()
    condition = Update.status == expected_status
    if expected_status != "scheduled":
        # Only the page's attributes: the delivery counters go on being added meanwhile.
        actions: list[Any] = [
            Update.title.set(update.title),
            Update.body.set(update.body),
            Update.link.set(update.link) if update.link else Update.link.remove(),
            Update.fields.set(update.fields),
            Update.edited_at.set(update.edited_at),
        ]
        due_kind: str | None = update.outbox_pk
        due_at: str | None = update.outbox_sk
        if due_kind and due_at:
            actions += [Update.outbox_pk.set(due_kind), Update.outbox_sk.set(due_at)]
        else:  # nothing (any longer) to follow: no reminder or follow-up to come
            actions += [Update.outbox_pk.remove(), Update.outbox_sk.remove()]
        try:
            update.update(actions=actions, condition=condition)
        except UpdateError as error:
            if _condition_failed(error):
                raise Conflict("The update changed meanwhile; read it again.") from error
            raise
        return
    assert update.publish_at is not None
    publish_at: datetime = update.publish_at
    if not moved:
        try:
            update.save(condition=condition)
        except PutError as error:
            if _condition_failed(error):
                raise Conflict("The update changed meanwhile; read it again.") from error
            raise
        return
    update.outbox_pk, update.outbox_sk = SCHEDULED, publish_at.isoformat()
    try:
        with TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends condition checks first: entry 0 is the petition's, 1 the update.
            transaction.condition_check(
                Petition,
                Petition.key(update.petition_id)[0],
                Petition.key(update.petition_id)[1],
                condition=_window_open_at(publish_at),
            )
            transaction.save(update, condition=condition)
    except TransactWriteError as error:
        if _failed(error, 1) is not None:
            raise Conflict("The update changed meanwhile; read it again.") from error
        if _failed(error, 0) is None:
            raise
        petition = get_petition(update.petition_id)
        assert petition.last_update_at is not None
        raise publish_too_early(petition.last_update_at + UPDATE_INTERVAL) from error


def cancel_update(update: Update) -> None:
    """A scheduled update becomes cancelled: out of the schedule, its petition free to
    schedule another."""
    bound()
    update.status = "cancelled"
    update.outbox_pk = update.outbox_sk = None
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=Update.status == "scheduled")
            transaction.update(
                Petition(*Petition.key(update.petition_id)),
                actions=[Petition.scheduled_update_id.remove()],
                condition=Petition.scheduled_update_id == update.update_id,
            )
    except TransactWriteError as error:
        if _failed(error, 0) is not None or _failed(error, 1) is not None:
            raise Conflict("Only a scheduled update can be cancelled.") from error
        raise


def due_scheduled(
    now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """(petition, update) of scheduled updates due by ``now``, a page from the sparse
    ``outbox`` index (never a scan), and the cursor after it."""
    bound()
    results = Update.due.query(
        SCHEDULED,
        Update.outbox_sk <= now.isoformat(),
        limit=limit,
        last_evaluated_key=cursor,
    )
    page = [(item.pk.removeprefix("PET#"), item.sk.removeprefix("UPD#")) for item in results]
    return page, results.last_evaluated_key


def postpone(update: Update, until: datetime) -> bool:
    """A scheduled update refused by the 24-hour rule is due again when the window reopens."""
    bound()
    try:
        update.update(
            actions=[Update.outbox_sk.set(until.isoformat())],
            condition=(Update.status == "scheduled") & (Update.outbox_pk == SCHEDULED),
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def list_unpublished(
    petition_id: str, limit: int, after: str | None
) -> tuple[list[Update], str | None]:
    """Scheduled and cancelled updates, newest first (their starter's view)."""
    return _list(petition_id, limit, after, Update.status.is_in("scheduled", "cancelled"))
