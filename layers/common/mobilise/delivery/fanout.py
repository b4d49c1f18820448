"""Fan-out: from one published update to delivery messages of up to 100 recipients.

A new job becomes one message per signature shard, so the shards are read in
parallel. A shard is read page by page; before the Lambda runs out of time the
work left is checkpointed as a new publish-queue message carrying the cursor,
so memory stays flat whatever the number of signers.

The update goes ``sending`` when its fan-out starts; its recipients are counted by the page
markers, and final once every shard is read (``fanned_out_at``:
:mod:`mobilise.table.delivery_stats`), and it is ``sent`` when delivery has counted as many
(see :mod:`mobilise.delivery.sending`).

Pages are idempotent per (update, shard, cursor): a page already enqueued (the
job ran twice, or a failed run is retried from its checkpoint) is skipped.
Page boundaries can move if people sign between two runs; a recipient enqueued
twice is still emailed once (delivery is idempotent per update and signer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mobilise.core.config import get_settings
from mobilise.core.observability import logger
from mobilise.delivery import queues, store
from mobilise.delivery.messages import DeliveryMessage, FanoutMessage

Cursor = dict[str, Any] | None  # where a page of a shard starts (None: the shard's first)


def fan_out(job: FanoutMessage, remaining_ms: Callable[[], int]) -> None:
    if job.shard is None:
        _split(job)
    else:
        _read_shard(job, remaining_ms)


def _split(job: FanoutMessage) -> None:
    store.start_fanout(job.petition_id, job.update_id)
    shards = get_settings().signature_shards
    queues.to_publish(
        FanoutMessage(petition_id=job.petition_id, update_id=job.update_id, shard=shard)
        for shard in range(shards)
    )
    logger.info("fan-out started", update_id=job.update_id, shards=shards)


def _read_shard(job: FanoutMessage, remaining_ms: Callable[[], int]) -> None:
    assert job.shard is not None
    settings = get_settings()
    cursor = job.cursor
    packing = _Packing(job, settings.recipients_per_message)
    while True:
        if store.halted(job.petition_id, job.update_id):
            packing.skip(last=True)  # what waits is enqueued (and spared) and its pages counted
            # Imported here: only a stopped update needs it, and it brings the delivery
            # records (7 ms of every cold start).
            from mobilise.delivery import stopping

            return stopping.spare_shard(dataclasses.replace(job, cursor=cursor), remaining_ms)
        page, after = store.page_subscribers(
            job.petition_id, job.shard, cursor, settings.fanout_page_size
        )
        last = after is None or remaining_ms() < settings.fanout_reserve_ms
        hashes = [signature.email_hash for signature in page]
        blocked = store.page_left(job.update_id, job.shard, cursor, hashes)
        if blocked is None:
            packing.skip(last)
        else:
            wanted = [email_hash for email_hash in hashes if email_hash not in blocked]
            packing.add(cursor, wanted, last)
        cursor = after
        if cursor is None:
            _finish(job, job.shard)
            return
        if last:
            queues.to_publish([dataclasses.replace(job, cursor=cursor)])
            logger.info("shard checkpointed", update_id=job.update_id, shard=job.shard)
            return


@dataclass
class _Packing:
    """A shard's recipients in full delivery messages across its pages: a page's last, short
    message waits for the next page's recipients, so that one invocation's pages end with one
    short message, not one a page (each message costs the same bookkeeping, full or not:
    :mod:`mobilise.delivery.records`). A page is marked done (and counted) once each of its
    recipients is enqueued; pages whose recipients wait are marked later, and an invocation
    that dies before leaves them to its retry, which enqueues them again (delivery sends
    once). Nothing waits across invocations: a checkpoint carries a cursor only."""

    job: FanoutMessage
    size: int
    waiting: list[str] = field(default_factory=list)  # the short message's recipients
    unmarked: list[tuple[Cursor, int]] = field(default_factory=list)  # pages and their counts

    def add(self, page: Cursor, wanted: list[str], last: bool) -> None:
        """A page read: its recipients after what waits (every one enqueued, if this is the
        invocation's last page)."""
        self.unmarked.append((page, len(wanted)))
        self._enqueue(wanted, last)

    def skip(self, last: bool) -> None:
        """A page an earlier run enqueued and marked: nothing of it to enqueue."""
        self._enqueue([], last)

    def _enqueue(self, wanted: list[str], last: bool) -> None:
        """Enqueue the full messages of what waits and ``wanted``, then mark the pages none of
        whose recipients still wait."""
        recipients = self.waiting + wanted
        cut = len(recipients) if last else len(recipients) - len(recipients) % self.size
        queues.to_delivery(_deliveries(self.job, recipients[:cut], self.size))
        self.waiting = recipients[cut:]
        held, owed = 0, len(self.waiting)
        for _, count in reversed(self.unmarked):
            if owed <= 0:
                break
            held, owed = held + 1, owed - count
        done = self.unmarked[: len(self.unmarked) - held]
        self.unmarked = self.unmarked[len(self.unmarked) - held :]
        assert self.job.shard is not None
        for cursor, count in done:
            store.mark_page_done(
                self.job.petition_id, self.job.update_id, self.job.shard, cursor, count
            )


def _finish(job: FanoutMessage, shard: int) -> None:
    """A shard is fanned out; after the last, the update may be delivered already (its
    delivery messages can all be done before fan-out records its end)."""
    logger.info("shard fanned out", update_id=job.update_id, shard=shard)
    if store.finish_shard(job.petition_id, job.update_id, shard):
        logger.info("fan-out done", update_id=job.update_id)
        if store.finish_delivery(job.petition_id, job.update_id):
            logger.info("update delivered", petition_id=job.petition_id, update_id=job.update_id)


def _deliveries(job: FanoutMessage, hashes: list[str], size: int) -> Iterator[DeliveryMessage]:
    for start in range(0, len(hashes), size):
        yield DeliveryMessage(
            petition_id=job.petition_id,
            update_id=job.update_id,
            recipients=hashes[start : start + size],
        )
