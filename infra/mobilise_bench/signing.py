"""Benchmark: one petition offered 2,000 signatures a second (issue 14), and how often that
writes each item of the table.

In this process on moto (or DynamoDB Local), through the api function's handler with
the proxy event API Gateway would send. The signatures are offered on a *simulated*
timeline: the clock the domain reads (:mod:`mobilise.core.clock`) is set to the moment
each request would arrive at the offered rate, so the items each second writes are the
ones 2,000 signatures a second write, whatever this machine's own speed. Each signer
signs from an address of their own and, with ``confirm``, confirms in the second after
(as many confirmations a second as signatures, once the wave is going).

Every DynamoDB write the requests make is seen at botocore's one door
(``BaseClient._make_api_call``, as :mod:`mobilise_bench.counting` explains): each
``PutItem``, ``UpdateItem``, ``DeleteItem``, each item of a ``BatchWriteItem`` and each
Put, Update and Delete of a ``TransactWriteItems``, by its key and simulated second. A
transaction's ``ConditionCheck`` is counted apart: it writes nothing but is billed and
throttled like a write of its item.

The handler call alone is timed (``perf_counter``, wall time): the signing path's own
latency in this process, one request at a time, with moto's emulation included.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client

from mobilise.core import clock, crypto, links
from mobilise.core.links import SignerRef
from mobilise_bench.figures import distribution
from mobilise_bench.system import STARTER, System, on_moto

_CLIENT_CLASS: Any = botocore.client.BaseClient
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TARGET_ITEM_WRITES_PER_S = 200
_WRITES = {"PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}


class WriteLog:
    """Writes by (pk, sk) and simulated second, and condition checks likewise."""

    def __init__(self) -> None:
        self.writes: Counter[tuple[int, str, str]] = Counter()
        self.checks: Counter[tuple[int, str, str]] = Counter()
        self._lock = threading.Lock()

    def note(self, operation: str, params: dict[str, Any]) -> None:
        second = int((clock.now() - T0).total_seconds())
        with self._lock:
            if operation in _WRITES:
                self.writes[(second, *_key(params[_WRITES[operation]]))] += 1
            elif operation == "BatchWriteItem":
                for requests in params["RequestItems"].values():
                    for request in requests:
                        found = request.get("PutRequest", {}).get("Item")
                        found = found or request["DeleteRequest"]["Key"]
                        self.writes[(second, *_key(found))] += 1
            elif operation == "TransactWriteItems":
                for entry in params["TransactItems"]:
                    ((kind, body),) = entry.items()
                    counted = self.checks if kind == "ConditionCheck" else self.writes
                    counted[(second, *_key(body.get("Item") or body["Key"]))] += 1

    @contextmanager
    def watching(self) -> Iterator[WriteLog]:
        original = _CLIENT_CLASS._make_api_call
        log = self

        def seen(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                log.note(operation, params)
            return original(client, operation, params)

        _CLIENT_CLASS._make_api_call = seen
        try:
            yield self
        finally:
            _CLIENT_CLASS._make_api_call = original


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return str(item["pk"].get("S")), str(item.get("sk", {}).get("S", ""))


def kind_of(pk: str, sk: str) -> str:
    """What an item is, without its ids (the report names no petition or signer)."""
    if pk.startswith("CNT#"):
        return "count slot (TOTAL)" if sk == "TOTAL" else "count slot (day)"
    if pk.startswith("SIG#"):
        return "signature"
    if pk.startswith("PET#"):
        return "petition" if sk == "PETITION" else "petition's " + sk.split("#")[0].lower()
    if pk.startswith("RATE#"):
        return "rate window (address)" if "EMAILS#" in pk else "rate window (client)"
    return pk.split("#")[0].lower()


def busiest(counted: Counter[tuple[int, str, str]]) -> dict[str, Any]:
    """The most writes any one item, and any one partition, took in one second."""
    per_item: dict[str, int] = {}
    partitions: Counter[tuple[int, str]] = Counter()
    for (second, pk, sk), count in counted.items():
        kind = kind_of(pk, sk)
        per_item[kind] = max(per_item.get(kind, 0), count)
        partitions[(second, pk)] += count
    top = max(per_item.items(), key=lambda found: found[1], default=("none", 0))
    return {
        "max_item_writes_per_s": top[1],
        "busiest_item": top[0],
        "max_item_writes_per_s_by_kind": dict(sorted(per_item.items())),
        "max_partition_writes_per_s": max(partitions.values(), default=0),
    }


def measure(
    signatures: int = 4_000,
    *,
    per_second: int = 2_000,
    confirm: bool = True,
    dynamodb_endpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Offer ``signatures`` to one petition at ``per_second`` (simulated); see the module."""
    parameters = {"DoubleOptIn": "true" if confirm else "false", "SesMaxSendRate": "100"}
    with on_moto(parameters, dynamodb_endpoint=dynamodb_endpoint) as system:
        clock.freeze(T0 - timedelta(minutes=1))
        petition_id = system.create_petition(STARTER, title="A viral petition")
        log = WriteLog()
        statuses: Counter[str] = Counter()
        signing: list[float] = []
        confirming: list[float] = []
        with log.watching():
            for index in range(signatures):
                clock.freeze(T0 + timedelta(seconds=index / per_second))
                status, elapsed = _sign(system, petition_id, index)
                statuses[f"sign {status}"] += 1
                signing.append(elapsed)
                if confirm and index >= per_second:  # last second's signer confirms
                    status, elapsed = _confirm(system, petition_id, index - per_second)
                    statuses[f"confirm {status}"] += 1
                    confirming.append(elapsed)
                if progress is not None and index % 1_000 == 999:
                    progress(f"signing: {index + 1} of {signatures} offered")
        clock.reset()
        petition_writes = sum(
            count for (_, pk, sk), count in log.writes.items() if kind_of(pk, sk) == "petition"
        )
    return {
        "tables": "moto" if dynamodb_endpoint is None else "DynamoDB Local",
        "offered_per_s": per_second,
        "signatures": signatures,
        "confirmations": len(confirming),
        "simulated_seconds": signatures / per_second,
        "statuses": dict(sorted(statuses.items())),
        "target_item_writes_per_s": TARGET_ITEM_WRITES_PER_S,
        **busiest(log.writes),
        "max_item_condition_checks_per_s": busiest(log.checks)["max_item_writes_per_s"],
        "petition_item_writes": petition_writes,
        "signing_ms": distribution(signing),
        **({"confirming_ms": distribution(confirming)} if confirming else {}),
    }


def _sign(system: System, petition_id: str, index: int) -> tuple[int, float]:
    body = {"email": f"wave-{index}@example.org", "name": "A signer", "wants_updates": True}
    started = time.perf_counter()
    reply = system.request(
        "POST",
        f"/petitions/{petition_id}/signatures",
        body,
        source_ip=f"198.18.{index // 250 % 250}.{index % 250 + 1}",
    )
    return reply.status, (time.perf_counter() - started) * 1000


def _confirm(system: System, petition_id: str, index: int) -> tuple[int, float]:
    signer = SignerRef(petition_id, crypto.email_hash(f"wave-{index}@example.org"))
    path = "/" + links.confirm_url(signer).split("/", 3)[3]
    started = time.perf_counter()
    reply = system.request("POST", path)
    return reply.status, (time.perf_counter() - started) * 1000
