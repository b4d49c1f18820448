"""Parked delivery messages: kept, one item each, while their update or the account is paused
(:mod:`mobilise.delivery.pausing`), re-enqueued as they came when it resumes.

Parking is conditional on the pause, in the same transaction: once a resume has lifted it,
no message can be parked any more (it is sent instead), so what a resume reads after lifting
the pause is everything there is to re-enqueue. A message handed in twice is parked once
(named by its recipients); one re-enqueued twice sends nothing twice (its records).

A parked body names its recipients by their email hashes: erasure does not find it; the
signature erased meanwhile, the re-enqueued message skips its recipient.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues
from mobilise.delivery.messages import DeliveryMessage
from mobilise.table.conditions import failed_condition
from mobilise.table.models import bound, connection
from mobilise.table.pauses import (
    AccountParked,
    AccountPause,
    ParkedMessage,
    UpdatePause,
    parked_partition,
)

#: Parked messages a resume re-enqueues in one call (the operator's command says how many
#: are left; calling it again goes on).
DRAIN_LIMIT = 2000

Hold = Literal["update", "account"]


def park(message: DeliveryMessage, hold: Hold) -> bool:
    """Keep a delivery message while its update (``hold="update"``) or the account is
    paused; False if the pause was lifted meanwhile (the message is to be sent)."""
    bound()
    digest = hashlib.sha256(",".join(sorted(message.recipients)).encode()).hexdigest()[:32]
    item = ParkedMessage(
        *ParkedMessage.key(message.petition_id, message.update_id, digest),
        petition_id=message.petition_id,
        update_id=message.update_id,
        body=message.to_json(),
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
            else:  # the update listed for the account's resume, which re-enqueues from it
                transaction.condition_check(
                    AccountPause, *AccountPause.key(), condition=AccountPause.pk.exists()
                )
                transaction.save(_account_entry(message))
    except TransactWriteError as error:  # PynamoDB sends condition checks first: the pause's
        if failed_condition(error, 0) is None:
            raise
        return False
    metrics.add_metric(name="MessagesParked", unit="Count", value=1)
    logger.info("delivery message parked", update_id=message.update_id, hold=hold)
    return True


def _account_entry(message: DeliveryMessage) -> AccountParked:
    return AccountParked(
        *AccountParked.key(message.petition_id, message.update_id),
        petition_id=message.petition_id,
        update_id=message.update_id,
        parked_at=clock.now(),
    )


def account_parked(limit: int | None = None) -> list[AccountParked]:
    """The updates with messages parked for the account's pause and not yet re-enqueued."""
    bound()
    return list(AccountParked.query("ACCOUNT_PARKED", consistent_read=True, limit=limit))


def drain(petition_id: str, update_id: str) -> tuple[int, int]:
    """Re-enqueue an update's parked messages (each deleted once it is on the queue); how
    many, and how many are left."""
    requeued = 0
    batch: list[ParkedMessage] = []
    for item in parked(petition_id, update_id):
        batch.append(item)
        if len(batch) == 10:  # SendMessageBatch's most
            requeued += _requeue(batch)
            batch = []
    if batch:
        requeued += _requeue(batch)
    return requeued, count(petition_id, update_id)


def _requeue(batch: list[ParkedMessage]) -> int:
    queues.to_delivery(message_of(item) for item in batch)
    with ParkedMessage.batch_write() as deleting:
        for item in batch:
            deleting.delete(item)
    return len(batch)


def parked(petition_id: str, update_id: str) -> Iterator[ParkedMessage]:
    """An update's parked messages (up to ``DRAIN_LIMIT``), read consistently."""
    bound()
    return ParkedMessage.query(
        parked_partition(petition_id, update_id), consistent_read=True, limit=DRAIN_LIMIT
    )


def message_of(item: ParkedMessage) -> DeliveryMessage:
    return DeliveryMessage.from_json(item.body)


def count(petition_id: str, update_id: str) -> int:
    bound()
    return ParkedMessage.count(parked_partition(petition_id, update_id), consistent_read=True)
