"""SQS batches with partial failures (``ReportBatchItemFailures``), answered as Powertools'
batch utility answers them: each record handled on its own, the failed ones reported by
their ``messageId`` so that SQS retries only them (then, past ``maxReceiveCount``, takes
them to the dead-letter queue), and an error raised when every record failed.

Written here rather than imported from Powertools: its batch package imports asyncio (for
its async processor) and every one of its event classes, some 25 ms of each queue
function's cold start (issue 14), for a loop of a few lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from mobilise.core.observability import logger

Record = Mapping[str, Any]


class ItemFailure(TypedDict):
    itemIdentifier: str


class BatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, as with Powertools, and SQS
    makes each record visible again after its visibility timeout. ``errors`` holds them."""

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        kinds = sorted({type(error).__name__ for error in errors})
        super().__init__(f"all {len(errors)} records failed ({', '.join(kinds)})")


def each_record(event: Mapping[str, Any], handle: Callable[[Record], None]) -> BatchResponse:
    """``handle`` each record of an SQS event; the records it raised for, reported failed."""
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("not an SQS event: it has no Records")
    failures: list[ItemFailure] = []
    errors: list[Exception] = []
    for record in records:
        try:
            handle(record)
        except Exception as error:
            message_id = record.get("messageId") if isinstance(record, Mapping) else None
            # The error's kind, not its text: a message may hold what a log must not.
            logger.warning("record failed", message_id=message_id, error=type(error).__name__)
            if not isinstance(message_id, str):  # not an SQS record: it cannot fail alone
                raise BatchFailed([error]) from error
            failures.append({"itemIdentifier": message_id})
            errors.append(error)
    if records and len(errors) == len(records):
        raise BatchFailed(errors) from errors[-1]
    return {"batchItemFailures": failures}
