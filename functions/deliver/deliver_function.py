"""Delivery queue -> one email per recipient through SESv2 (updates and confirmations)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Json

import mobilise.emails.rendering  # noqa: F401  (every event renders: loaded at init, as it is used)
from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.messages import DeliveryQueueMessage
from mobilise.delivery.sending import IDEMPOTENCY, deliver


class DeliveryRecord(BaseModel):
    """The parts of an SQS record used: not Powertools' parser, whose package is some 10 ms of
    a cold start (issue 14)."""

    messageId: str  # SQS's name: the batch processor reports a failed record by it
    body: Json[DeliveryQueueMessage]


# Typed for Powertools' own models; it asks of one only ``model_validate`` and ``messageId``.
processor = BatchProcessor(event_type=EventType.SQS, model=DeliveryRecord)  # type: ignore[arg-type]


def record_handler(record: DeliveryRecord) -> None:
    deliver(record.body)


snapstart.before_snapshot(templates=True)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    IDEMPOTENCY.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
