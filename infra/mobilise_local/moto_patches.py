"""Make moto's DynamoDB answer one request at a time, as a linearizable server does.

moto's DynamoDB backend is not thread-safe: two concurrent TransactWriteItems
can crash it (``dictionary changed size during iteration`` while it snapshots a
table). DynamoDB itself applies each request atomically, so a lock around each
request is a faithful model: it serialises requests, never the steps of a
handler, and a read-then-write in our code would still lose a race against it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_applied = False


def serialise_dynamodb_requests() -> None:
    global _applied
    if _applied:
        return
    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self: DynamoHandler, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(self, *args, **kwargs)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _applied = True
