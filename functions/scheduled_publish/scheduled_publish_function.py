"""Every minute: scheduled updates whose time has come are published, pending ones whose
grace period has ended go out."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.digests import due
from mobilise.publishing.scheduled import run

snapstart.before_snapshot("mobilise.emails.rendering", templates=True)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return run(context.get_remaining_time_in_millis) | due.enqueue(
        context.get_remaining_time_in_millis
    )


started()
