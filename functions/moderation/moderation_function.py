"""Operators only (IAM, Lambda Invoke): list, approve or reject the updates held for review;
list, resume or cancel paused deliveries (mobilise.delivery.operators)."""

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from mobilise.core import snapstart
from mobilise.core.observability import logger, tracer
from mobilise.delivery import operators
from mobilise.moderation import decisions

# An approval or a rejection emails the starter: the renderer goes into the snapshot.
snapstart.before_snapshot("mobilise.emails.rendering", templates=True)


class ModerationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["list", "approve", "reject", "paused", "resume", "cancel", "resume_account"]
    petition_id: str | None = Field(default=None, max_length=64)
    update_id: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=100)


# Validated by its model, not Powertools' event_parser (see the privacy function).
@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ModerationRequest.model_validate(event)
    if request.action in operators.ACTIONS:
        return operators.command(
            request.action, request.petition_id, request.update_id, request.limit
        )
    return decisions.command(request.action, request.petition_id, request.update_id, request.limit)
