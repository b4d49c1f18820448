"""What a failed DynamoDB condition looks like, read once: a transaction entry's
cancellation reason, a single write's error code.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

_CONDITION_FAILED = "ConditionalCheckFailed"
_CONDITION_FAILED_EXCEPTION = "ConditionalCheckFailedException"


def failed_condition(error: TransactWriteError, index: int) -> dict[str, Any] | None:
    """The old item of transaction entry ``index`` if its condition failed, else ``None``."""
    reasons = error.cancellation_reasons
    if index < len(reasons) and (reason := reasons[index]) and reason.code == _CONDITION_FAILED:
        return reason.raw_item or {}
    return None


def condition_failed(error: PutError | UpdateError | DeleteError) -> bool:
    return error.cause_response_code == _CONDITION_FAILED_EXCEPTION
