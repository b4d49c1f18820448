"""Publish queue -> delivery messages of up to 50 recipients."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.fanout import fan_out
from mobilise.delivery.messages import FanoutMessage


class FanoutRecord(SqsRecordModel):
    body: Json[FanoutMessage]


processor = BatchProcessor(event_type=EventType.SQS, model=FanoutRecord)


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
