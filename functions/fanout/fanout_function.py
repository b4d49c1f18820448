"""Publish queue -> delivery messages of up to 50 recipients."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Json

from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.fanout import fan_out
from mobilise.delivery.messages import FanoutMessage


class FanoutRecord(BaseModel):
    """The parts of an SQS record used (see the deliver function's ``DeliveryRecord``)."""

    messageId: str  # SQS's name: the batch processor reports a failed record by it
    body: Json[FanoutMessage]


# Typed for Powertools' own models; it asks of one only ``model_validate`` and ``messageId``.
processor = BatchProcessor(event_type=EventType.SQS, model=FanoutRecord)  # type: ignore[arg-type]


def record_handler(record: FanoutRecord, lambda_context: LambdaContext) -> None:
    fan_out(record.body, lambda_context.get_remaining_time_in_millis)


snapstart.before_snapshot()


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
