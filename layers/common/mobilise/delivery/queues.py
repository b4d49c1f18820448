"""Sending to the publish and delivery queues."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.core.observability import logger
from mobilise.delivery.messages import FanoutMessage, QueueMessage

_BATCH = 10  # SendMessageBatch takes at most ten entries


class QueueSendFailed(Exception):
    """SQS accepted only part of a batch."""


def send(queue_url: str, messages: Iterable[QueueMessage]) -> int:
    """Send ``messages``, ten a request; returns how many were sent."""
    batch: list[QueueMessage] = []
    sent = 0
    for message in messages:
        batch.append(message)
        if len(batch) == _BATCH:
            sent += _send_batch(queue_url, batch)
            batch = []
    if batch:
        sent += _send_batch(queue_url, batch)
    return sent


def _send_batch(queue_url: str, batch: Sequence[QueueMessage]) -> int:
    response = aws.sqs().send_message_batch(
        QueueUrl=queue_url,
        Entries=[
            {"Id": str(index), "MessageBody": message.to_json()}
            for index, message in enumerate(batch)
        ],
    )
    if response.get("Failed"):
        codes = sorted({failure["Code"] for failure in response["Failed"]})
        raise QueueSendFailed(f"SQS refused {len(response['Failed'])} entries: {codes}")
    return len(batch)


def to_publish(messages: Iterable[QueueMessage]) -> int:
    return send(get_settings().publish_queue_url, messages)


def to_delivery(messages: Iterable[QueueMessage]) -> int:
    return send(get_settings().delivery_queue_url, messages)


def to_delivery_later(message: QueueMessage, delay_seconds: int) -> None:
    """One message to the delivery queue, hidden by SQS for ``delay_seconds`` (900 at most)."""
    aws.sqs().send_message(
        QueueUrl=get_settings().delivery_queue_url,
        MessageBody=message.to_json(),
        DelaySeconds=delay_seconds,
    )


def announce_fanout(petition_id: str, update_id: str) -> None:
    """Queue the fan-out of an update whose job is already in the table; if SQS fails, the
    sweeper sends the job again (logged here, never raised: the update is published)."""
    try:
        to_publish([FanoutMessage(petition_id=petition_id, update_id=update_id)])
    except Exception:
        logger.exception(
            "fan-out job not queued; it stays in the table",
            petition_id=petition_id,
            update_id=update_id,
        )
