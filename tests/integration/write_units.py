"""DynamoDB write units as DynamoDB bills them: by the size of each item written.

The bench counts write units from the requests alone (``mobilise_bench.counting``), as if
every item were under 1 KB. DynamoDB bills a write one unit per KB of the larger of the item
before and after it (two per KB in a transaction, a condition check included): a counter
added on an update holding a 3 KB body costs 3 units, not 1. :func:`billed_writes` counts so,
at the same place as the bench (``botocore``'s ``_make_api_call``), reading each written item
before and after its request.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore.client
from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.exceptions import ClientError

_CLIENT: Any = botocore.client.BaseClient
_KB = 1024
_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")
_deserialize = TypeDeserializer().deserialize


def stored_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names and values, numbers in about half their
    digits, binary values in bytes (an item as boto3's resource layer gives it)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, Binary):
        return len(value.value)  # type: ignore[attr-defined]
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, Decimal | int | float):
        digits = len(str(value).strip("-").replace(".", "").strip("0")) or 1
        return min(21, (digits + 1) // 2 + 1)
    if isinstance(value, dict):
        return 3 + stored_size(value)
    return 3 + sum(_value_size(element) for element in value)  # list, set


@dataclass
class Billed:
    """What the counted writes cost: units by operation, and each item's size as written."""

    units: dict[str, float] = field(default_factory=dict)
    largest: dict[str, int] = field(default_factory=dict)  # sort key -> largest size written

    @property
    def total(self) -> float:
        return sum(self.units.values())


@contextmanager
def billed_writes() -> Iterator[Billed]:
    """Count the write units of every DynamoDB write made meanwhile (its own reads of the
    items are not counted, nor made through the patched method twice)."""
    original = _CLIENT._make_api_call
    billed = Billed()

    def size(client: Any, table: str, key: dict[str, Any]) -> int:
        found = original(
            client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}
        )
        item = {name: _deserialize(value) for name, value in found.get("Item", {}).items()}
        return stored_size(item)

    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if service != "dynamodb" or operation not in _WRITES:
            return original(client, operation, params)
        targets = _targets(operation, params)
        before = [size(client, table, key) for table, key, _ in targets]
        try:
            response = original(client, operation, params)
        except ClientError:
            count(operation, targets, before, before)  # a failed condition is billed too
            raise
        count(operation, targets, before, [size(client, table, key) for table, key, _ in targets])
        return response

    def count(operation: str, targets: list[Any], before: list[int], after: list[int]) -> None:
        units = 0.0
        for (_, key, factor), old, new in zip(targets, before, after, strict=True):
            units += factor * max(1, math.ceil(max(old, new) / _KB))
            sort_key = str(_deserialize(key["sk"]))
            billed.largest[sort_key] = max(billed.largest.get(sort_key, 0), old, new)
        billed.units[operation] = billed.units.get(operation, 0.0) + units

    _CLIENT._make_api_call = call
    try:
        yield billed
    finally:
        _CLIENT._make_api_call = original


def _targets(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
    """(table, key, units per KB) of each item a write request writes."""
    if operation != "TransactWriteItems":
        return [(params["TableName"], _key(params), 1)]
    found = []
    for entry in params["TransactItems"]:
        ((_, request),) = entry.items()
        found.append((request["TableName"], _key(request), 2))
    return found


def _key(request: dict[str, Any]) -> dict[str, Any]:
    if "Key" in request:
        return dict(request["Key"])
    return {name: request["Item"][name] for name in ("pk", "sk")}
