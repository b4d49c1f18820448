"""Lambda's SQS event source, with concurrent invocations, for the benchmarks.

Like :class:`mobilise_local.pollers.Pollers`: up to ``BatchSize`` messages an
invocation, the records Lambda builds, only the reported failures left on the
queue. Two differences, each needed to measure:

* every worker is its own execution environment: here a thread with a handler
  module of its own (:func:`system.fresh_handler`), in :mod:`mobilise_bench.processes`
  a process, as concurrent Lambda invocations are;
* a record reported as failed is made visible again at once and counted: on AWS
  it would wait for the queue's visibility timeout before its retry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3

from mobilise_bench.counting import Key, RequestCounter, Tally, sqs_requests
from mobilise_bench.system import System
from mobilise_local import lambdas
from mobilise_local.pollers import sqs_record
from mobilise_local.runtime import Handler
from mobilise_local.template import Function, QueueSource

#: The actor the event source mapping's own requests (receive, delete) are counted under.
EVENT_SOURCE = "EventSourceMapping"

_ATTRIBUTES: list[Any] = [
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
]
#: Seconds between two polls of an empty queue: often enough to start a batch within a tenth
#: of a second, rarely enough that a dozen idle workers do not keep moto's server busy.
_IDLE_WAIT = 0.1


@dataclass
class Invocation:
    function: str
    records: int
    failed: int
    cpu_seconds: float  # the function's own CPU: the thread's, less moto's emulation
    emulator_seconds: float  # CPU moto spent answering this invocation's requests
    wall_seconds: float
    ended_at: float  # time.monotonic()


@dataclass
class Meter:
    """Invocations of every worker, thread-safe."""

    invocations: list[Invocation] = field(default_factory=list)
    empty_polls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, invocation: Invocation) -> None:
        with self._lock:
            self.invocations.append(invocation)

    def polled_empty(self) -> None:
        with self._lock:
            self.empty_polls += 1

    def of(self, function: str) -> list[Invocation]:
        with self._lock:
            return [i for i in self.invocations if i.function == function]


@dataclass(frozen=True)
class Source:
    """What one worker serves: a function of the template and its queue (picklable, for a
    worker in another process)."""

    function: Function
    url: str
    arn: str
    batch_size: int
    report_failures: bool

    @classmethod
    def of(cls, system: System, source: QueueSource, batch_size: int | None = None) -> Source:
        return cls(
            system.function(source.function),
            system.queue_url(source.queue),
            system.queue_arn(source.queue),
            min(batch_size or source.batch_size, 10),
            source.report_batch_item_failures,
        )


class QueueWorker(threading.Thread):
    """One concurrent invocation slot of an SQS event source, serving ``handler``."""

    def __init__(
        self,
        source: Source,
        handler: Handler,
        counter: RequestCounter,
        meter: Meter,
        *,
        name: str,
        busy: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.function = source.function
        self.handler = handler
        self.url = source.url
        self.arn = source.arn
        self.batch_size = source.batch_size
        self.report_failures = source.report_failures
        self.counter = counter
        self.meter = meter
        self.retried = 0
        self._busy = False
        self._tell_busy = busy
        self.error: BaseException | None = None
        self._stopping = threading.Event()

    @property
    def busy(self) -> bool:
        return self._busy

    @busy.setter
    def busy(self, value: bool) -> None:
        self._busy = value
        if self._tell_busy is not None:
            self._tell_busy(value)

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        try:
            sqs = boto3.client("sqs")
            while not self._stopping.is_set():
                if not self._poll_once(sqs):
                    self.meter.polled_empty()
                    self._stopping.wait(_IDLE_WAIT)
        except BaseException as error:  # reported by the benchmark, which stops
            self.error = error
            raise

    def _poll_once(self, sqs: Any) -> bool:
        self.busy = True
        try:
            with self.counter.acting(None):  # an empty poll is not per recipient: not counted
                received: list[dict[str, Any]] = sqs.receive_message(
                    QueueUrl=self.url,
                    MaxNumberOfMessages=self.batch_size,
                    MessageSystemAttributeNames=_ATTRIBUTES,
                ).get("Messages", [])
            if not received:
                return False
            self._count_receive(received)
            self._invoke(sqs, received)
            return True
        finally:
            self.busy = False

    def _count_receive(self, received: list[dict[str, Any]]) -> None:
        billed = sqs_requests("ReceiveMessage", {}, {"Messages": received})
        self.counter.count(
            Key(EVENT_SOURCE, "sqs", "ReceiveMessage", "ok"),
            Tally(requests=1, billed_requests=billed),
        )

    def _invoke(self, sqs: Any, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(message, self.arn) for message in messages]}
        context = lambdas.context_for(self.function)
        failed: set[str] = set()
        emulated = self.counter.emulator_seconds()
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            with self.counter.acting(self.function.logical_id):
                result = self.handler(event, context)
        except Exception:
            failed = {message["MessageId"] for message in messages}  # the whole batch stays
        else:
            if self.report_failures and isinstance(result, dict):
                failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        finally:
            emulated = self.counter.emulator_seconds() - emulated
            cpu = time.thread_time() - cpu - emulated
            wall = time.perf_counter() - wall
        self.meter.add(
            Invocation(
                self.function.logical_id,
                len(messages),
                len(failed),
                cpu,
                emulated,
                wall,
                time.monotonic(),
            )
        )
        done = [m for m in messages if m["MessageId"] not in failed]
        with self.counter.acting(EVENT_SOURCE):
            for start in range(0, len(done), 10):
                sqs.delete_message_batch(
                    QueueUrl=self.url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
        for message in messages:
            if message["MessageId"] in failed:
                # On AWS the record comes back after the visibility timeout; here at once.
                self.retried += 1
                with self.counter.acting(None):
                    sqs.change_message_visibility(
                        QueueUrl=self.url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=0,
                    )


def queues_empty(system: System, logical_ids: list[str]) -> bool:
    sqs = boto3.client("sqs")
    for logical_id in logical_ids:
        attributes = sqs.get_queue_attributes(
            QueueUrl=system.queue_url(logical_id),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if int(attributes["ApproximateNumberOfMessages"]) or int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        ):
            return False
    return True


class Worker(Protocol):
    """What :func:`drain` needs of a worker, a thread or a process."""

    name: str

    @property
    def busy(self) -> bool: ...

    @property
    def error(self) -> BaseException | None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...


def drain(
    system: System,
    workers: Sequence[Worker],
    queues: list[str],
    *,
    timeout: float,
    done: Callable[[], bool] | None = None,
    progress: Callable[[], None] | None = None,
    every: float = 10.0,
) -> bool:
    """Wait until the queues are empty and no worker is busy (or ``done()``); False on
    timeout. Stops the workers either way; raises what a worker raised."""
    deadline = time.monotonic() + timeout
    next_report = time.monotonic() + every
    try:
        while time.monotonic() < deadline:
            if progress is not None and time.monotonic() >= next_report:
                progress()
                next_report += every
            for worker in workers:
                if worker.error is not None:
                    raise RuntimeError(f"{worker.name} failed") from worker.error
            finished = done() if done is not None else False
            if finished or (
                not any(w.busy for w in workers)
                and queues_empty(system, queues)
                and not any(w.busy for w in workers)
            ):
                return True
            time.sleep(0.1)  # polling the queues' depth, as a monitor would
        return False
    finally:
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join(timeout=30)
