"""Operators only (IAM, Lambda Invoke): export or erase what is held about an email address."""

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ConfigDict, EmailStr

from mobilise.core import snapstart
from mobilise.core.observability import logger, tracer
from mobilise.privacy import personal_data


class PrivacyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["export", "erase"]
    email: EmailStr


snapstart.before_snapshot("mobilise.emails.rendering")


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@event_parser(model=PrivacyRequest)
def handler(event: PrivacyRequest, context: LambdaContext) -> dict[str, Any]:
    if event.action == "export":
        return personal_data.export(event.email)
    return personal_data.erase(event.email)
