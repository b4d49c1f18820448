"""Queue workers as processes: each its own execution environment, as a Lambda invocation is.

Concurrent Lambda invocations run in separate execution environments: each its own
interpreter, its own module state (the SES pacer of :mod:`mobilise.delivery.pacing`
is one per process, at ``rate / DeliveryConcurrency``) and its own share of CPU.
Threads of one benchmark process would share one interpreter's lock, and the bound
measured would be that lock, not the machine. So every worker here is a fresh
interpreter (multiprocessing's ``spawn``) that loads the function's handler as
Lambda does and serves its queue with a :class:`~mobilise_bench.workers.QueueWorker`.

The SES quota is the account's, shared: one token bucket in shared memory
(:class:`SharedBucket`) that every worker's stand-in for SES draws from
(:class:`SharedQuota`, the delivery stand-in of :mod:`mobilise_bench.ses` with the
bucket shared). When stopped, each worker sends back what it measured
(:class:`Report`); ``time.monotonic`` is the system's, so the parent can merge
the moments emails were accepted.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobilise_bench.counting import Counts, RequestCounter
from mobilise_bench.ses import SEND, SesQuota, ceiling, drawn, room
from mobilise_bench.workers import Invocation, Meter, QueueWorker, Source

SPAWN = multiprocessing.get_context("spawn")
#: A directory: each worker process profiles its function's invocations (cProfile, in the
#: thread that serves them) and writes ``<worker>.pstats`` there when it stops.
PROFILE = "MOBILISE_BENCH_PROFILE"
_READY_TIMEOUT = 120.0  # seconds a worker may take to import its handler on a busy machine


class SharedBucket:
    """The account's SES quota, one bucket for every process it is handed to: ``rate`` emails
    a second, a SendEmail drawing on ``burst`` at most at once, a SendBulkEmail on a second's
    worth (:mod:`mobilise_bench.ses`: :func:`~mobilise_bench.ses.drawn`)."""

    def __init__(self, rate: float, burst: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.ceiling = ceiling(rate, self.capacity)
        self._state: Any = SPAWN.Array("d", [self.ceiling, time.monotonic()])  # tokens, when

    def take(self, emails: int = 1, operation: str = SEND) -> bool:
        """``emails`` tokens at once for one call of ``operation``, or none."""
        share = room(operation, capacity=self.capacity, ceiling=self.ceiling)
        with self._state.get_lock():
            now = time.monotonic()
            tokens = min(self.ceiling, self._state[0] + (now - self._state[1]) * self.rate)
            self._state[0], granted = drawn(tokens, emails, room=share, ceiling=self.ceiling)
            self._state[1] = now
            return granted


class SharedQuota(SesQuota):
    """The SES stand-in of one worker, drawing on the account's :class:`SharedBucket`."""

    def __init__(self, bucket: SharedBucket) -> None:
        super().__init__(bucket.rate, bucket.capacity)
        self.bucket = bucket

    def take(self, emails: int = 1, operation: str = SEND) -> bool:
        granted = self.bucket.take(emails, operation)
        self.noted(granted, emails, operation, time.monotonic())
        return granted


@dataclass(frozen=True)
class Spec:
    """One worker: its name, what it serves, and whether it is the naive fan-out."""

    name: str
    source: Source
    naive_fanout: bool = False


@dataclass
class Report:
    """What one worker measured, sent back when it stops."""

    name: str
    function: str
    invocations: list[Invocation]
    counts: Counts
    retried: int
    accepted_at: list[float]  # a moment per email, whichever operation carried it
    throttled_at: list[float]  # a moment per email refused
    cpu_seconds: float  # the whole process's CPU while it served (not its imports)
    pacers: int  # SES pacers its deliver code built: one per execution environment
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    throttled_calls: int = 0  # calls refused (a bulk call refuses each of its emails)
    emails_by_operation: dict[str, int] = field(default_factory=dict)  # accepted


def _handler(spec: Spec) -> Any:
    if spec.naive_fanout:
        from mobilise_bench import naive

        return naive.handler
    import os

    from mobilise_local.runtime import load_handler
    from mobilise_local.template import ROOT

    function = spec.source.function
    code = str(ROOT / function.code_uri)
    # As Lambda sets it: the process is one function's execution environment, and what the
    # function does at its start only there runs (mobilise.core.startup: gc.freeze).
    os.environ["LAMBDA_TASK_ROOT"] = code
    return load_handler(code, function.handler)


def _pacers() -> int:
    from mobilise.delivery import pacing

    return pacing.pacer.cache_info().currsize


def serve(spec: Spec, bucket: SharedBucket, flags: Any, stop: Any, reports: Any) -> None:
    """The worker process: load, serve until told to stop, report."""
    import os
    import warnings
    from contextlib import ExitStack

    from mobilise_bench.runner import FUNCTIONS_LOG, functions_log

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with ExitStack() as stack:
        if os.environ.get(FUNCTIONS_LOG):
            stack.enter_context(functions_log(Path(os.environ[FUNCTIONS_LOG]), "a"))
        _serve(spec, bucket, flags, stop, reports)


def _profiled(handler: Any, name: str) -> tuple[Any, Callable[[], None]]:
    """``handler`` profiled if :data:`PROFILE` names a directory, and what writes the profile."""
    import os

    directory = os.environ.get(PROFILE)
    if not directory:
        return handler, lambda: None
    import cProfile

    profile = cProfile.Profile(time.thread_time)  # CPU, not the waits between sends

    def profiled(event: Any, context: Any) -> Any:
        return profile.runcall(handler, event, context)

    return profiled, lambda: profile.dump_stats(Path(directory) / f"{name}.pstats")


def _serve(spec: Spec, bucket: SharedBucket, flags: Any, stop: Any, reports: Any) -> None:
    from mobilise.core import aws

    handler, write_profile = _profiled(_handler(spec), spec.name)
    quota = SharedQuota(bucket)
    counter = RequestCounter()
    quota.install(aws.sesv2(), counter)
    counter.install()
    meter = Meter()

    def tell_busy(value: bool) -> None:
        flags[0] = int(value)

    worker = QueueWorker(spec.source, handler, counter, meter, name=spec.name, busy=tell_busy)
    cpu = time.process_time()
    flags[2] = 1  # ready
    worker.start()
    while not stop.wait(0.05):
        if worker.error is not None or not worker.is_alive():
            flags[1] = 1  # failed
            break
    worker.stop()
    worker.join(timeout=60)
    write_profile()
    reports.put(
        Report(
            name=spec.name,
            function=spec.source.function.logical_id,
            invocations=meter.invocations,
            counts=counter.counts,
            retried=worker.retried,
            accepted_at=quota.accepted_at,
            throttled_at=quota.throttled_at,
            throttled_calls=quota.throttled_calls,
            emails_by_operation=dict(quota.emails),
            cpu_seconds=time.process_time() - cpu,
            pacers=_pacers(),
            error=repr(worker.error) if worker.error is not None else None,
        )
    )


class ProcessWorker:
    """The parent's handle on one worker process (what :func:`workers.drain` needs)."""

    def __init__(self, spec: Spec, bucket: SharedBucket) -> None:
        self.name = spec.name
        self._flags: Any = SPAWN.Array("b", [0, 0, 0])  # busy, failed, ready
        self._stop = SPAWN.Event()
        self._reports: Any = SPAWN.Queue()
        self.report: Report | None = None
        self.process = SPAWN.Process(
            target=serve,
            args=(spec, bucket, self._flags, self._stop, self._reports),
            name=spec.name,
            daemon=True,
        )

    def start(self) -> None:
        self.process.start()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + _READY_TIMEOUT
        while not self._flags[2]:
            if not self.process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.05)  # polling a flag of another process

    @property
    def busy(self) -> bool:
        return bool(self._flags[0])

    @property
    def error(self) -> BaseException | None:
        if self._flags[1] or (self.process.exitcode not in (None, 0)):
            return RuntimeError(f"{self.name} stopped (exit code {self.process.exitcode})")
        return None

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Take the report (before joining: a process does not end until its queue is read)."""
        try:
            self.report = self._reports.get(timeout=timeout)
        except queue.Empty:
            self.process.kill()
        self.process.join(timeout)
