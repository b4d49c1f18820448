"""A stopped update's delivery: whoever was not sent to yet is spared, and counted so.

The stop is read at the top of each delivery message and of each page fan-out reads
(:func:`mobilise.delivery.store.halted`). A delivery message of a stopped update settles
its recipients not yet dealt with as ``spared``, under its record, and is consumed. Fan-out
goes on reading the shard's pages without enqueuing them, so that ``recipients`` is
everyone the update was for and ``spared`` everyone stopped: once over, sent + failed +
skipped + spared + digested = recipients.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable

from mobilise.core.config import get_settings
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues, records, store
from mobilise.delivery.messages import DeliveryMessage, FanoutMessage


def spare(message: DeliveryMessage) -> None:
    """Settle a delivery message of a stopped update: nobody left in it is sent to."""
    for shard, hashes in records.by_shard(message.recipients).items():
        held = records.claim(message.petition_id, message.update_id, shard, hashes)
        if held is None:
            continue  # settled already
        spared = {
            records.key(email_hash): "spared"
            for email_hash in hashes
            if records.key(email_hash) not in held.recorded
        }
        counts = Counter({**held.recorded, **spared}.values())
        if records.settle(held, spared, counts):
            metrics.add_metric(name="EmailsSpared", unit="Count", value=len(spared))


def spare_shard(job: FanoutMessage, remaining_ms: Callable[[], int]) -> None:
    """Count the rest of a stopped update's shard as spared, from ``job.cursor``: its pages
    are read (to know how many they hold) and enqueued nowhere; checkpointed as fan-out is."""
    assert job.shard is not None
    settings = get_settings()
    cursor = job.cursor
    while True:
        page, after = store.page_subscribers(
            job.petition_id, job.shard, cursor, settings.fanout_page_size
        )
        hashes = [signature.email_hash for signature in page]
        blocked = store.page_left(job.update_id, job.shard, cursor, hashes) if page else None
        if blocked is not None:
            count = len(set(hashes) - blocked)
            store.mark_page_done(
                job.petition_id, job.update_id, job.shard, cursor, count, spared=True
            )
        if after is None:
            store.finish_shard(job.petition_id, job.update_id, job.shard)
            logger.info("stopped shard counted", update_id=job.update_id, shard=job.shard)
            return
        cursor = after
        if remaining_ms() < settings.fanout_reserve_ms:
            queues.to_publish([dataclasses.replace(job, cursor=cursor)])
            return
