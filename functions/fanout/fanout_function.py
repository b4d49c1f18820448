"""Publish queue -> delivery messages of up to 50 recipients."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.batches import BatchResponse, Record, each_record
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.fanout import fan_out
from mobilise.delivery.messages import FanoutMessage

snapstart.before_snapshot()


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    def record_handler(record: Record) -> None:
        """One job; a body that is no fan-out job fails its record (then the DLQ)."""
        fan_out(FanoutMessage.from_json(record["body"]), context.get_remaining_time_in_millis)

    return each_record(event, record_handler)


started()
