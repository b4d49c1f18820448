"""Operators only (IAM, Lambda Invoke): list, approve or reject the updates held for review;
list, resume or cancel paused deliveries (mobilise.delivery.operators)."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import operator_requests as request
from mobilise.core import snapstart
from mobilise.core.observability import logger, tracer
from mobilise.delivery import operators
from mobilise.moderation import decisions

# An approval or a rejection emails the starter: the renderer goes into the snapshot.
snapstart.before_snapshot("mobilise.emails.rendering", templates=True)

ACTIONS = (*decisions.ACTIONS, *operators.ACTIONS)


# Checked by mobilise.core.operator_requests (see the privacy function).
@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``{"action": ..., "petition_id": ..., "update_id": ..., "limit": 1..100}``."""
    given = request.fields(event, ("action", "petition_id", "update_id", "limit"))
    action = request.choice(given, "action", ACTIONS)
    petition_id = request.optional_text(given, "petition_id", 64)
    update_id = request.optional_text(given, "update_id", 64)
    limit = request.whole_number(given, "limit", default=50, low=1, high=100)
    if action in operators.ACTIONS:
        return operators.command(action, petition_id, update_id, limit)
    return decisions.command(action, petition_id, update_id, limit)


started()
