"""Counting AWS requests, and the time spent inside the local emulators.

Every request any client makes goes through ``botocore.client.BaseClient._make_api_call``:
boto3's clients, PynamoDB's (which builds its own botocore session per thread, so a
hook on boto3's default session would miss it) and Powertools' idempotency client.
Patching that one method for the duration of a run counts all of them, with the
parameters and the parsed response at hand to count billed units. An event hook
(``before-call.*.*``) would have to be registered on every session, including the
ones PynamoDB makes later in other threads.

Each request is attributed to an *actor*: the function whose invocation made it,
or the event source mapping (Lambda's poller) for receives and deletes. Requests
made by the benchmark itself (seeding, waiting for queues to drain) run with no
actor and are not counted.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
from botocore.exceptions import ClientError

#: botocore's client class, typed loosely: its ``_make_api_call`` is private.
_CLIENT_CLASS: Any = botocore.client.BaseClient
_SQS_CHUNK = 64 * 1024  # SQS bills a request per 64 KiB of payload
_READ_UNIT = 4 * 1024  # one read request unit reads up to 4 KB (strongly consistent)


@dataclass(frozen=True)
class Key:
    actor: str
    service: str
    operation: str
    outcome: str  # "ok" or the error code


@dataclass
class Tally:
    requests: int = 0
    billed_requests: float = 0.0  # SQS: 64 KiB chunks; SES: emails accepted (of all entries)
    read_units: float = 0.0  # DynamoDB on-demand read request units
    write_units: float = 0.0  # DynamoDB on-demand write request units
    seconds: float = 0.0  # wall time of the calls, client side included

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.billed_requests += other.billed_requests
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.seconds += other.seconds


@dataclass
class Counts:
    """What a run made, by actor, service, operation and outcome."""

    tallies: dict[Key, Tally] = field(default_factory=dict)

    def add(self, key: Key, tally: Tally) -> None:
        self.tallies.setdefault(key, Tally()).add(tally)

    def by_operation(self, *, actors: set[str] | None = None) -> dict[tuple[str, str], Tally]:
        found: dict[tuple[str, str], Tally] = {}
        for key, tally in self.tallies.items():
            if actors is None or key.actor in actors:
                found.setdefault((key.service, key.operation), Tally()).add(tally)
        return dict(sorted(found.items()))

    def total(self, service: str) -> Tally:
        total = Tally()
        for key, tally in self.tallies.items():
            if key.service == service:
                total.add(tally)
        return total

    def outcomes(self, service: str, operation: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for key, tally in self.tallies.items():
            if (key.service, key.operation) == (service, operation):
                found[key.outcome] += tally.requests
        return found


class _Local(threading.local):
    actor: str | None = None
    emulator_seconds: float = 0.0
    calling: bool = False  # inside a client's call this counter counts


class RequestCounter:
    """Counts requests while installed; ``with counter.acting("DeliverFunction"): ...``."""

    def __init__(self) -> None:
        self.counts = Counts()
        self._local = _Local()
        self._lock = threading.Lock()
        self._original: Any = None
        self._original_moto: Any = None

    # Attribution -------------------------------------------------------------------------

    @contextmanager
    def acting(self, actor: str | None) -> Iterator[None]:
        previous = self._local.actor
        self._local.actor = actor
        try:
            yield
        finally:
            self._local.actor = previous

    @property
    def actor(self) -> str | None:
        """The function this thread's requests are counted for now (None: not counted)."""
        actor: str | None = self._local.actor
        return actor

    @property
    def counting_call(self) -> bool:
        """Whether this thread is inside a client's call that this counter counts: what answers
        it then (the SES stand-in) leaves the counting to the counter, so it is counted once."""
        return self._local.calling

    def emulator_seconds(self) -> float:
        """CPU seconds this thread spent so far on what AWS does not run in the function:
        inside moto's in-process emulation and the SES stand-in, and counting the billed
        units of requests."""
        return self._local.emulator_seconds

    def own_cpu(self) -> float:
        """This thread's CPU seconds so far less the emulators' (:meth:`emulator_seconds`): what
        the code under measurement spent itself, read before and after it."""
        return time.thread_time() - self._local.emulator_seconds

    @contextmanager
    def emulating(self) -> Iterator[None]:
        """Count this thread's CPU inside as the emulators' (:meth:`emulator_seconds`)."""
        started = time.thread_time()
        try:
            yield
        finally:
            self._local.emulator_seconds += time.thread_time() - started

    # Installation ------------------------------------------------------------------------

    def install(self) -> None:
        if self._original is not None:
            raise RuntimeError("already installed")
        original = _CLIENT_CLASS._make_api_call
        counter = self

        def _make_api_call(
            client: botocore.client.BaseClient, operation_name: str, api_params: dict[str, Any]
        ) -> Any:
            actor = counter._local.actor
            if actor is None:
                return original(client, operation_name, api_params)
            service = client.meta.service_model.service_name
            started = time.perf_counter()
            calling, counter._local.calling = counter._local.calling, True
            try:
                response = original(client, operation_name, api_params)
            except ClientError as error:
                code = str(error.response.get("Error", {}).get("Code", "Unknown"))
                tally = Tally(requests=1, seconds=time.perf_counter() - started)
                counter.count(Key(actor, service, operation_name, code), tally)
                raise
            finally:
                counter._local.calling = calling
            tally = Tally(seconds=time.perf_counter() - started)
            with counter.emulating():  # this counter's work: not the function's
                tally.add(billed(service, operation_name, api_params, response))
                counter.count(Key(actor, service, operation_name, "ok"), tally)
            return response

        self._original = original
        _CLIENT_CLASS._make_api_call = _make_api_call
        self._install_moto_timer()

    def _install_moto_timer(self) -> None:
        try:
            from moto.core.botocore_stubber import BotocoreStubber
        except ImportError:  # moto is a dev dependency; without it there is nothing to time
            return
        stubber_class: Any = BotocoreStubber
        original = stubber_class.process_request
        emulating = self.emulating

        def process_request(stubber: Any, request: Any) -> Any:
            with emulating():
                return original(stubber, request)

        self._original_moto = original
        stubber_class.process_request = process_request

    def uninstall(self) -> None:
        if self._original is not None:
            _CLIENT_CLASS._make_api_call = self._original
            self._original = None
        if self._original_moto is not None:
            from moto.core.botocore_stubber import BotocoreStubber

            stubber_class: Any = BotocoreStubber
            stubber_class.process_request = self._original_moto
            self._original_moto = None

    def __enter__(self) -> RequestCounter:
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()

    def count(self, key: Key, tally: Tally) -> None:
        """Count a request made without a client (the event source's receives)."""
        with self._lock:
            self.counts.add(key, tally)


# Billed units -------------------------------------------------------------------------------


def billed(service: str, operation: str, params: dict[str, Any], response: Any) -> Tally:
    """The billed units of one successful request (on-demand DynamoDB, standard SQS, SES)."""
    if service == "dynamodb":
        reads, writes = dynamodb_units(operation, params, response)
        return Tally(requests=1, read_units=reads, write_units=writes)
    if service == "sqs":
        return Tally(requests=1, billed_requests=sqs_requests(operation, params, response))
    if service == "sesv2" and operation == "SendEmail":
        return Tally(requests=1, billed_requests=1)
    if service == "sesv2" and operation == "SendBulkEmail":  # SES bills the emails it took
        results = response.get("BulkEmailEntryResults", [])
        return Tally(requests=1, billed_requests=sum(r.get("Status") == "SUCCESS" for r in results))
    return Tally(requests=1)


def _size(item: Any) -> int:
    return len(json.dumps(item, separators=(",", ":"), default=str))


def _read_unit(consistent: bool) -> float:
    return 1.0 if consistent else 0.5


def dynamodb_units(
    operation: str, params: dict[str, Any], response: dict[str, Any]
) -> tuple[float, float]:
    """(read request units, write request units) of one request.

    Items are assumed under 1 KB (written) and 4 KB (read one by one), which the
    items of this table are; queries are billed on the bytes they scanned, before
    the filter, estimated from the items returned. Batch operations count items, not
    calls; transactions count two units an item.
    """
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return _read_unit(consistent), 0.0
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 0.0, 1.0
    if operation == "BatchGetItem":
        reads = 0.0
        unprocessed = response.get("UnprocessedKeys") or {}
        for table, request in params.get("RequestItems", {}).items():
            left = len(unprocessed.get(table, {}).get("Keys", []))
            reads += (len(request.get("Keys", [])) - left) * _read_unit(
                bool(request.get("ConsistentRead"))
            )
        return reads, 0.0
    if operation == "BatchWriteItem":
        unprocessed = response.get("UnprocessedItems") or {}
        written = sum(len(requests) for requests in params.get("RequestItems", {}).values())
        left = sum(len(requests) for requests in unprocessed.values())
        return 0.0, float(written - left)
    if operation == "TransactWriteItems":
        return 0.0, 2.0 * len(params.get("TransactItems", []))
    if operation == "TransactGetItems":
        return 2.0 * len(params.get("TransactItems", [])), 0.0
    if operation in ("Query", "Scan"):
        items = response.get("Items", [])
        scanned = int(response.get("ScannedCount", len(items)))
        if not scanned:
            return _read_unit(consistent), 0.0
        mean = sum(_size(item) for item in items) / len(items) if items else 400.0
        return max(1, math.ceil(scanned * mean / _READ_UNIT)) * _read_unit(consistent), 0.0
    return 0.0, 0.0  # the control plane (CreateTable, DescribeTable, ...) is not billed per call


def sqs_requests(operation: str, params: dict[str, Any], response: dict[str, Any]) -> float:
    """Billed SQS requests: one per call, and one more per 64 KiB of payload beyond the first."""
    if operation == "SendMessage":
        payload = len(str(params.get("MessageBody", "")).encode())
    elif operation == "SendMessageBatch":
        payload = sum(len(str(e.get("MessageBody", "")).encode()) for e in params["Entries"])
    elif operation == "ReceiveMessage":
        payload = sum(len(str(m.get("Body", "")).encode()) for m in response.get("Messages", []))
    else:
        return 1.0
    return float(max(1, math.ceil(payload / _SQS_CHUNK)))
