"""Operators only (IAM, Lambda Invoke): export or erase what is held about an email address."""

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, EmailStr

from mobilise.core import snapstart
from mobilise.core.observability import logger, tracer
from mobilise.privacy import personal_data


class PrivacyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["export", "erase"]
    email: EmailStr


snapstart.before_snapshot("mobilise.emails.rendering", templates=True)


# The request is validated by its model, not Powertools' event_parser: its package is some
# 10 ms of a cold start (issue 14).
@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = PrivacyRequest.model_validate(event)
    if request.action == "export":
        return personal_data.export(request.email)
    return personal_data.erase(request.email)
