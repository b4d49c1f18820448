"""Signatures of a closed petition expire: each gets ``expires_at`` (closing time plus
``signature_retention_days``), and DynamoDB's TTL deletes it after that.

Closing writes the petition into the ``outbox`` index (``RETENTION``); every sweep
pages through the signatures of the petitions found there, shard by shard, and
saves its cursor on the petition before it runs out of time, so any number of
signatures is expired over as many runs as it takes. Setting an expiry twice is
harmless: it is the same date. The petition's counts get the same expiry once its
signatures have it: the counts go with what they count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from mobilise.core.config import get_settings
from mobilise.core.observability import logger, metrics
from mobilise.privacy import store
from mobilise.table import items
from mobilise.table.models import Petition

PAGE = 100
PETITIONS_PER_RUN = 10


def run(time_left_ms: Callable[[], int], reserve_ms: int = 10_000) -> int:
    """Give expiries until the work is done or less than ``reserve_ms`` is left; how many."""
    expired = 0
    for due in store.petitions_to_expire(PETITIONS_PER_RUN):
        # The index holds keys only: the closing time and the cursor are on the item.
        done, count = _expire(items.get_petition(due.petition_id), time_left_ms, reserve_ms)
        expired += count
        if not done:
            break
    if expired:
        logger.info("signatures given their expiry", count=expired)
        metrics.add_metric(name="SignaturesExpiring", unit="Count", value=expired)
    return expired


def _expire(
    petition: Petition, time_left_ms: Callable[[], int], reserve_ms: int
) -> tuple[bool, int]:
    settings = get_settings()
    assert petition.closed_at is not None
    expires_at = petition.closed_at + timedelta(days=settings.signature_retention_days)
    position: dict[str, Any] = petition.retention_cursor or {"shard": 0, "key": None}
    shard, key = int(position["shard"]), position["key"]
    count = 0
    while shard < settings.signature_shards:
        if time_left_ms() < reserve_ms:
            store.retention_progress(petition.petition_id, {"shard": shard, "key": key})
            return False, count
        signatures, key = store.signatures_page(petition.petition_id, shard, key, PAGE)
        for signature in signatures:
            store.expire_signature(signature, expires_at)
        count += len(signatures)
        if key is None:
            shard += 1
    store.expire_counts(petition.petition_id, expires_at)
    store.retention_progress(petition.petition_id, None)
    return True, count
