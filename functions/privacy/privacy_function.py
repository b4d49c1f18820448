"""Operators only (IAM, Lambda Invoke): export or erase what is held about an email address."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import operator_requests as request
from mobilise.core import snapstart
from mobilise.core.observability import logger, tracer
from mobilise.privacy import personal_data

snapstart.before_snapshot("mobilise.emails.rendering", templates=True)


# The request is checked by mobilise.core.operator_requests, neither Powertools'
# event_parser nor a pydantic model: some 10 and 50 ms of a cold start (issue 14).
@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``{"action": "export" | "erase", "email": address}``."""
    given = request.fields(event, ("action", "email"))
    action = request.choice(given, "action", ("export", "erase"))
    email = request.email_address(given, "email")
    if action == "export":
        return personal_data.export(email)
    return personal_data.erase(email)


started()
