"""Every 5 minutes: fan-out jobs that never reached the publish queue are sent again, and
the signatures of closed petitions get their expiry."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.sweeper import sweep
from mobilise.privacy import retention

snapstart.before_snapshot()


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    resent = sweep()
    return {"resent": resent, "expiring": retention.run(context.get_remaining_time_in_millis)}


started()
