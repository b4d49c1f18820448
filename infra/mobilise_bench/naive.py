"""The naive design the request counts are compared with: a small, real implementation.

Fan-out sends one SQS message per recipient (``SendMessage``), and delivery reads
each recipient on its own: the real deliver function, handed messages of one
recipient each by an event source with SQS's default batch size (10). So per
recipient: one message sent, received and deleted, one signer read (and one
suppression read), one statistics write, and the same idempotent send as the
real design. Nothing else differs: same table, same queries, same email.
"""

from __future__ import annotations

import json
from typing import Any

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.delivery import store as delivery_store
from mobilise.delivery.messages import DeliveryMessage, FanoutMessage

#: The batch size of the naive delivery event source (SQS's default for Lambda).
NAIVE_DELIVERY_BATCH = 10


def fan_out(petition_id: str, update_id: str) -> int:
    """Every subscribed signer, one ``SendMessage`` each; returns how many were sent."""
    settings = get_settings()
    sqs = aws.sqs()
    sent = 0
    for shard in range(settings.signature_shards):
        cursor: dict[str, Any] | None = None
        while True:
            page, cursor = delivery_store.page_subscribers(
                petition_id, shard, cursor, settings.fanout_page_size
            )
            for signature in page:
                message = DeliveryMessage(
                    petition_id=petition_id,
                    update_id=update_id,
                    recipients=[signature.email_hash],
                )
                sqs.send_message(
                    QueueUrl=settings.delivery_queue_url, MessageBody=message.model_dump_json()
                )
                sent += 1
            if cursor is None:
                break
    return sent


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The naive fan-out function: one job a record, no checkpoints, no page markers."""
    for item in event["Records"]:
        job = FanoutMessage.model_validate(json.loads(item["body"]))
        fan_out(job.petition_id, job.update_id)
    return {"batchItemFailures": []}
