"""Delivery's data: the subscribers a fan-out pages through, the fan-out job and its page
markers, the end of a delivery, the statistics, unsubscriptions and suppressions (what became
of each delivery message's recipients: :mod:`mobilise.delivery.records`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import InvalidLink
from mobilise.table import counters
from mobilise.table.batch_reads import raw_items
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.delivery_counts import EVENT_NAMES, DeliveryCounts
from mobilise.table.delivery_stats import PageMarker, counted, earlier, fanned_out, shown
from mobilise.table.models import (
    OUTBOX,
    FanoutJob,
    FanoutPage,
    Signature,
    Suppression,
    Update,
    bound,
    connection,
    signature_partition,
)

PAGE_MARKER_DAYS = 30
#: How long a warm function trusts what it read of an update's status: one read serves the
#: stop check and the pause check (:mod:`mobilise.delivery.pausing`), so a stop or a pause
#: lets at most this long of one function's sending through. A stop is final; the pause
#: check reads a "paused" again each time.
STATUS_CHECK_SECONDS = 2
_statuses: dict[tuple[str, str], tuple[datetime, str | None]] = {}
_halted: set[tuple[str, str]] = set()


def delivery_status(
    petition_id: str, update_id: str, *, read_again: str | None = None
) -> str | None:
    """The update's ``status`` (sending, paused, stopped; None once it is gone), as the
    stop and pause checks read it: at most every ``STATUS_CHECK_SECONDS`` per warm function
    (one small read per delivery message at most), remembered for good once it is stopped;
    read again if what was read is ``read_again``."""
    key = (petition_id, update_id)
    if key in _halted:
        return "stopped"
    known = _statuses.get(key)
    if known is not None and known[0] > clock.now() and known[1] != read_again:
        return known[1]
    bound()
    try:
        status = Update.get(*Update.key(*key), attributes_to_get=["status"]).status
    except Update.DoesNotExist:
        status = None
    remember_status(petition_id, update_id, status)
    return status


def status_known(petition_id: str, update_id: str) -> bool:
    """Whether :func:`delivery_status` knows the status without reading it."""
    key = (petition_id, update_id)
    known = _statuses.get(key)
    return key in _halted or (known is not None and known[0] > clock.now())


def remember_status(petition_id: str, update_id: str, status: str | None) -> None:
    """What :func:`delivery_status` read, or a read of the same made with others."""
    key = (petition_id, update_id)
    if status == "stopped":
        _halted.add(key)
    else:
        if len(_statuses) > 256:  # a warm function goes through many updates: forget old ones
            _statuses.clear()
        _statuses[key] = (clock.now() + timedelta(seconds=STATUS_CHECK_SECONDS), status)


def halted(petition_id: str, update_id: str) -> bool:
    """Whether the update's starter stopped it (:func:`delivery_status`)."""
    return delivery_status(petition_id, update_id) == "stopped"


def recheck_status(petition_id: str, update_id: str) -> None:
    """Forget that the update was going on: the next :func:`delivery_status` reads it (a
    pause set or lifted here, or a pause's parking that found it changed)."""
    _statuses.pop((petition_id, update_id), None)


def forget_statuses() -> None:
    """Forget every status read but the stops (tests on a new moto)."""
    _statuses.clear()


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
        if not condition_failed(error):
            raise


def unsubscribe(petition_id: str, email_hash: str) -> bool:
    """Mark a signature unsubscribed, and count it out of the subscribers in the same
    transaction. True the first time, False when it already was.

    :class:`InvalidLink` if there is no such signature.
    """
    first = counters.mark(petition_id, email_hash, Signature.unsubscribed_at, clock.now())
    if first is None:
        raise InvalidLink()
    return first


def suppress(email_hash: str, reason: str) -> bool:
    """Put an address on the global suppression list, and mark each of its signatures
    suppressed (out of its petition's subscribers); True if it was not on the list.

    Its signatures are found through the ``by_email`` index, which follows the table by
    up to a second: a signature made in that second before the suppression may stay
    counted (delivery still skips it)."""
    bound()
    now = clock.now()
    item = Suppression(*Suppression.key(email_hash), reason=reason, suppressed_at=now)
    new = True
    try:
        item.save(condition=Suppression.pk.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise
        new = False  # its signatures are marked again all the same: a sweep cut short ends
    for key in Signature.by_email.query(email_hash):
        if key.pk.startswith("SIG#"):
            counters.mark(key.pk.split("#")[1], email_hash, Signature.suppressed_at, now)
    return new


def add_stats(petition_id: str, update_id: str, counts: Mapping[str, int]) -> dict[str, int]:
    """Add to an update's delivery counters (one write for a whole batch of SES events), and
    return every counter after the add."""
    bound()
    actions = [
        getattr(DeliveryCounts, name).add(value)
        for name, value in counts.items()
        if value and name in EVENT_NAMES
    ]
    item = DeliveryCounts(*DeliveryCounts.key(petition_id, update_id))
    if not actions:
        return counted(petition_id, update_id)
    item.update(actions=actions)  # its attributes as they are after the add
    return shown(item)


def start_fanout(petition_id: str, update_id: str) -> None:
    """The fan-out starts, in one transaction: its job queued -> sending (out of the outbox
    index), its update published -> sending. A job already started stays as it is."""
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
                actions=[Update.status.set("sending")],
                condition=Update.status == "published",
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is None:
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
        if not condition_failed(error):
            raise


def cursor_digest(cursor: dict[str, Any] | None) -> str:
    if cursor is None:
        return "start"
    canonical = json.dumps(cursor, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()[:32]


def page_left(
    update_id: str, shard: int, cursor: dict[str, Any] | None, email_hashes: list[str]
) -> set[str] | None:
    """None if fan-out already enqueued (or spared) the page of this shard that starts at
    ``cursor``; else which of its signers' addresses are suppressed. The page's marker and
    their suppression entries are read in one batch (one request for a page of 99)."""
    marker = FanoutPage.key(update_id, shard, cursor_digest(cursor))
    keys = [marker, *(Suppression.key(email_hash) for email_hash in email_hashes)]
    suppressed = set()
    for item in raw_items(keys, ["pk"]):
        partition = item["pk"]["S"]
        if partition == marker[0]:
            return None
        suppressed.add(partition.removeprefix("SUP#"))
    return suppressed


def mark_page_done(
    petition_id: str,
    update_id: str,
    shard: int,
    cursor: dict[str, Any] | None,
    count: int,
    *,
    spared: bool = False,
) -> None:
    """Record a page as enqueued, with how many recipients it counts: written once (a page
    enqueued twice, by a retried job, is counted once), and summed on the update's counters
    when fan-out ends (:mod:`mobilise.table.delivery_stats`). ``spared``: the page of a
    stopped update, enqueued nowhere: its recipients are counted spared, and settled."""
    bound()
    page = PageMarker(
        *FanoutPage.key(update_id, shard, cursor_digest(cursor)),
        recipients=count,
        spared=spared or None,
        expires_at=clock.now() + timedelta(days=PAGE_MARKER_DAYS),
    )
    try:
        page.save(condition=PageMarker.pk.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise


def finish_shard(petition_id: str, update_id: str, shard: int) -> bool:
    """Record a shard as fanned out (a set: idempotent). True once every shard is: the
    update's recipients are then final (the page markers' sums, set on its counters), and the
    update says so (``fanned_out_at``), with their number, which it shows."""
    bound()
    job = FanoutJob(*FanoutJob.key(petition_id, update_id))
    job.update(actions=[FanoutJob.shards_done.add({shard})])
    if len(job.shards_done or ()) < job.shards:
        return False
    recipients = fanned_out(petition_id, update_id)
    Update(*Update.key(petition_id, update_id)).update(
        actions=[
            Update.fanned_out_at.set(Update.fanned_out_at | clock.now()),
            Update.recipients.set(recipients),
        ],
        condition=Update.pk.exists(),
    )
    return True


def finish_delivery(petition_id: str, update_id: str) -> bool:
    """sending -> sent, with its job, once fan-out is over and every recipient it enqueued is
    settled: one transaction, conditional on the update's status and on its counters as read
    (``enqueued`` unchanged: settled only grows). Each delivery message and fan-out's last shard
    try it after their own write, so whichever comes last sees everything and succeeds;
    every other try changes nothing. True if this one did.

    The update is read first (consistently): while it is not fanned out (most tries during
    a fan-out) that read is all; the reads only filter, the conditions decide. An update
    that was sending when its counters moved to their own item has some settled on itself:
    they are added (they only grow, so what was read holds); if its fan-out ended before,
    its final recipients are on it too."""
    bound()
    key, key_of = Update.key(petition_id, update_id), (petition_id, update_id)
    attributes = ["status", "fanned_out_at", "recipients"]
    current = Update.get(*key, consistent_read=True, attributes_to_get=attributes)
    if current.status != "sending" or current.fanned_out_at is None:
        return False
    before = earlier(petition_id, update_id)
    try:
        counts = DeliveryCounts.get(*DeliveryCounts.key(*key_of), consistent_read=True)
    except DeliveryCounts.DoesNotExist:
        counts = DeliveryCounts(*DeliveryCounts.key(*key_of))
    enqueued = current.recipients if counts.enqueued is None else counts.enqueued
    settled = int(counts.settled or 0) + int(before.settled if before else 0)
    if enqueued is None or settled < enqueued:
        return False
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                Update(*key),
                actions=[Update.status.set("sent")],
                condition=(Update.status == "sending") & Update.fanned_out_at.exists(),
            )
            if counts.enqueued is not None:
                transaction.condition_check(
                    DeliveryCounts,
                    *DeliveryCounts.key(*key_of),
                    condition=DeliveryCounts.enqueued == counts.enqueued,
                )
            transaction.update(
                FanoutJob(*FanoutJob.key(petition_id, update_id)),
                actions=[FanoutJob.state.set("sent")],
                condition=FanoutJob.pk.exists(),
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is None and failed_condition(error, 1) is None:
            raise
        return False
    return True
