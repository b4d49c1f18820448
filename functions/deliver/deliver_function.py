"""Delivery queue -> one email per recipient through SESv2 (updates and confirmations)."""

from mobilise.core.startup import started  # first: no collection until started()

# isort: split

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.core import snapstart
from mobilise.core.batches import BatchResponse, Record, each_record
from mobilise.core.observability import logger, metrics, tracer
from mobilise.delivery.messages import delivery_queue_message
from mobilise.delivery.sending import deliver

snapstart.before_snapshot(
    "mobilise.delivery.confirmations",  # a confirmation's first message imports them
    "mobilise.digests.sending",  # and a digest's
    # An update's email was rendered when it was released (mobilise.table.update_emails):
    # the renderer comes with a confirmation's, a digest's or an unstored update's first.
    "mobilise.emails.rendering",
    templates=True,
)


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    def record_handler(record: Record) -> None:
        """One message; a body that is no delivery message fails its record (then the DLQ)."""
        deliver(delivery_queue_message(record["body"]), context)

    return each_record(event, record_handler)


started()
