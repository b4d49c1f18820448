"""Reading items of the table by key, 100 keys a BatchGetItem request, the keys DynamoDB
leaves unprocessed (past a partition's throughput) asked again after a growing wait.

PynamoDB's ``Model.batch_get`` asks for them again at once, and for as long as any are left:
against a throttled partition, a loop of requests that makes it worse and may never end.
Every batch read of Mobilise's goes through here instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from time import sleep
from typing import Any, TypeVar

from pynamodb.constants import BATCH_GET_PAGE_LIMIT
from pynamodb.models import Model

from mobilise.table.models import Signature, bound

#: Asking again for the keys DynamoDB left unprocessed, as AWS advises: after an exponential
#: wait with jitter (half to all of 0.05 s, doubling each time), for as long as each answer
#: leaves fewer keys; after ``UNPROCESSED_TRIES`` answers in a row that processed none, the
#: read fails (3.2 to 6.4 s of waits: inside any caller's timeout).
UNPROCESSED_WAIT = 0.05
UNPROCESSED_TRIES = 8

Item = TypeVar("Item", bound=Model)


class ReadThrottled(Exception):
    """DynamoDB left keys unprocessed after every try: the caller's work is tried again later
    (a queue's record is retried through SQS; a request answers 500 and may be made again)."""


def raw_items(
    keys: Iterable[tuple[str, str]],
    attributes: list[str] | None = None,
    *,
    consistent: bool = False,
) -> Iterator[dict[str, Any]]:
    """The items of these keys (pk, sk) that exist, whatever their kind, raw; only
    ``attributes`` of each if named. A key named twice is asked once."""
    bound()
    connection = Signature._get_connection()  # one table: any model's connection reads it
    unique = list(dict.fromkeys(keys))  # a request naming a key twice is refused
    for start in range(0, len(unique), BATCH_GET_PAGE_LIMIT):
        wanted: Any = [
            {"pk": {"S": pk}, "sk": {"S": sk}}
            for pk, sk in unique[start : start + BATCH_GET_PAGE_LIMIT]
        ]
        waits = 0  # the waits since an answer last processed a key
        while wanted:
            if waits:
                ceiling = UNPROCESSED_WAIT * 2 ** (waits - 1)
                sleep(ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 (jitter)
            answer = connection.batch_get_item(
                wanted, consistent_read=consistent, attributes_to_get=attributes
            )
            yield from answer["Responses"].get(Signature.Meta.table_name, [])
            left = answer.get("UnprocessedKeys", {}).get(Signature.Meta.table_name, {}).get("Keys")
            if left and len(left) == len(wanted):
                waits += 1
                if waits == UNPROCESSED_TRIES:
                    raise ReadThrottled(f"{len(left)} keys left unprocessed {waits} times")
            elif left:
                waits = 1  # progress: wait the shortest again
            wanted = left


def batch_get(
    model: type[Item], keys: Iterable[tuple[str, str]], *, consistent: bool = False
) -> list[Item]:
    """The items of ``model`` at these keys that exist (``Model.batch_get``, waiting as
    :func:`raw_items` does)."""
    return [model.from_raw_data(item) for item in raw_items(keys, consistent=consistent)]
