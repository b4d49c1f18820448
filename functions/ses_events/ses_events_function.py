"""SES events (SNS -> SQS) -> global suppressions, unsubscribes, update statistics."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.batches import BatchResponse
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.ses_events import apply_records

snapstart.before_snapshot()


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return apply_records(event)


started()
