"""API Gateway (REST) -> the HTTP API of Mobilise."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.api import MODULES, resolve
from mobilise.core import snapstart
from mobilise.core.observability import logger, metrics, tracer

snapstart.before_snapshot(
    "mobilise.emails.rendering",
    "email_validator",
    "mobilise.engagement.ics",
    *(f"mobilise.api.{name}" for name in MODULES),  # a request includes its routes' module
    templates=True,
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(event, context)


started()
