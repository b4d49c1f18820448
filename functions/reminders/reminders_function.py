"""Scheduled reminders: starters' nudges (daily), event reminders (hourly), meeting
follow-ups (daily). Each schedule names its job in its input: ``{"job": "nudges"}``."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer
from mobilise.reminders.jobs import run

snapstart.before_snapshot("mobilise.emails.rendering", templates=True)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run(str(event.get("job", "")), context.get_remaining_time_in_millis)


started()
