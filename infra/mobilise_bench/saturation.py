"""Benchmarks 1 and 2: saturating the SES quota, and the AWS requests it takes.

One update to ``recipients`` confirmed signers, driven through the queues: the api
function publishes, the fanout function and ``DeliveryConcurrency`` deliver
functions run from the publish and delivery queues at the same time, each in its
own thread and execution environment, against moto (and optionally DynamoDB
Local for the tables) and the SES stand-in of :mod:`mobilise_bench.ses`.

Pacing. :func:`mobilise.delivery.pacing.pacer` is one ``Pacer`` per process, at
``rate / DeliveryConcurrency``: on AWS each concurrent invocation is its own
process, so together they send at ``rate``. Threads in one process would share
that one pacer and send at ``rate / DeliveryConcurrency`` in all. So each deliver
worker gets its own pacer, built by the same rule (:class:`PerInvocationPacer`
replaces ``mobilise.delivery.sending.pacer`` for the run): N workers, N pacers, as N
Lambda invocations would have.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.delivery import sending
from mobilise.delivery.pacing import Pacer, account_send_rate
from mobilise_bench import naive
from mobilise_bench.console import log
from mobilise_bench.costs import Cost, LambdaUse, per_million
from mobilise_bench.counting import Counts, RequestCounter
from mobilise_bench.ses import SesQuota
from mobilise_bench.system import STARTER, System, on_moto, seed_signatures
from mobilise_bench.workers import Meter, QueueWorker, drain
from mobilise_local import lambdas
from mobilise_local.gateway import response_from
from mobilise_local.runtime import Handler
from mobilise_local.template import read

API = "ApiFunction"
FANOUT = "FanoutFunction"
DELIVER = "DeliverFunction"


class PerInvocationPacer:
    """Stands in for :func:`mobilise.delivery.pacing.pacer`: one pacer per worker thread, each at
    the rate one Lambda invocation of the delivery event source gets."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.made = 0

    def __call__(self) -> Pacer:
        pacer: Pacer | None = getattr(self._local, "pacer", None)
        if pacer is None:
            pacer = Pacer(account_send_rate() / get_settings().delivery_concurrency)
            self._local.pacer = pacer
            with self._lock:
                self.made += 1
        return pacer

    def cache_clear(self) -> None:
        self._local = threading.local()


@contextmanager
def per_invocation_pacing() -> Iterator[PerInvocationPacer]:
    module: Any = sending  # the name the deliver code calls, imported there from pacing
    original = module.pacer
    replacement = PerInvocationPacer()
    module.pacer = replacement
    try:
        yield replacement
    finally:
        module.pacer = original


@dataclass
class Run:
    """One update delivered to every signer of a petition."""

    label: str
    tables: str  # "moto" or "DynamoDB Local"
    recipients: int
    rate: float
    burst: float
    concurrency: int
    seed_seconds: float
    sent: int  # emails SES accepted
    stats_sent: int  # the update's own counter of sent emails
    stats_recipients: int
    throttled: int
    retried_records: int
    wall_seconds: float  # publish -> last email accepted
    first_to_last_seconds: float
    fanout_done_seconds: float  # publish -> last fan-out invocation ended
    busiest_second: int
    steady_rate: float  # emails/s after fan-out finished
    process_cpu_seconds: float
    counts: Counts
    lambdas: list[LambdaUse]
    emulator_seconds: float
    empty_polls: int
    pacers: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def achieved_rate(self) -> float:
        if self.sent < 2 or self.first_to_last_seconds <= 0:
            return 0.0
        return (self.sent - 1) / self.first_to_last_seconds

    @property
    def ideal_seconds(self) -> float:
        return self.recipients / self.rate

    def cost(self) -> Cost:
        return per_million(self.counts, self.lambdas, self.sent)

    def function_use(self, function: str) -> LambdaUse | None:
        return next((use for use in self.lambdas if use.function == function), None)

    def summary(self) -> dict[str, Any]:
        deliver = self.function_use(DELIVER)
        per_email_cpu = deliver.cpu_seconds / self.sent if deliver and self.sent else 0.0
        return {
            "label": self.label,
            "tables": self.tables,
            "recipients": self.recipients,
            "quota_per_second": self.rate,
            "bucket_burst": self.burst,
            "delivery_concurrency": self.concurrency,
            "pacers": self.pacers,
            "seed_seconds": self.seed_seconds,
            "sent": self.sent,
            "update_stats_sent": self.stats_sent,
            "update_stats_recipients": self.stats_recipients,
            "throttled_calls": self.throttled,
            "throttled_fraction_of_sends": self.throttled / self.sent if self.sent else 0.0,
            "records_retried": self.retried_records,
            "achieved_rate": self.achieved_rate,
            "achieved_fraction_of_quota": self.achieved_rate / self.rate,
            "steady_rate_after_fanout": self.steady_rate,
            "busiest_second": self.busiest_second,
            "wall_seconds": self.wall_seconds,
            "ideal_seconds": self.ideal_seconds,
            "wall_over_ideal": self.wall_seconds / self.ideal_seconds,
            "fanout_done_seconds": self.fanout_done_seconds,
            "process_cpu_seconds": self.process_cpu_seconds,
            "process_cpu_per_email_ms": 1000 * self.process_cpu_seconds / max(1, self.sent),
            "deliver_cpu_per_email_ms": 1000 * per_email_cpu,
            "emulator_cpu_per_email_ms": 1000 * self.emulator_seconds / max(1, self.sent),
            "empty_polls": self.empty_polls,
            "lambda": [use.__dict__ for use in self.lambdas],
            **self.extra,
        }


def _parameters(rate: float, double_opt_in: bool = False) -> dict[str, str]:
    concurrency = read().parameter_defaults()["DeliveryConcurrency"]
    return {
        "DoubleOptIn": "true" if double_opt_in else "false",
        "SesMaxSendRate": f"{rate:g}",
        "DeliveryConcurrency": concurrency,
    }


def _busiest_second(times: list[float]) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def deliver_one_update(
    *,
    label: str,
    recipients: int,
    rate: float,
    burst: float,
    dynamodb_endpoint: str | None = None,
    design: str = "mobilise",
    timeout: float = 1800,
    seed_threads: int = 1,
) -> Run:
    """Seed, publish, run the queues until every email is sent; measure all of it."""
    tables = "moto" if dynamodb_endpoint is None else "DynamoDB Local"
    with on_moto(_parameters(rate), dynamodb_endpoint=dynamodb_endpoint) as system:
        petition_id = system.create_petition(STARTER)
        started = time.perf_counter()
        seed_signatures(petition_id, recipients, threads=seed_threads)
        seed_seconds = time.perf_counter() - started
        log(f"{label}: {recipients} signatures seeded in {seed_seconds:.1f} s ({tables})")
        quota = SesQuota(rate, burst)
        quota.install(aws.sesv2())
        concurrency = get_settings().delivery_concurrency
        with per_invocation_pacing() as pacers, RequestCounter() as counter:
            meter = Meter()
            workers = _workers(system, counter, meter, design, concurrency)
            cpu = time.process_time()
            published = time.monotonic()
            for worker in workers:
                worker.start()
            reply, api_use = _publish(system, petition_id, counter)
            finished = drain(
                system,
                workers,
                ["PublishQueue", "DeliveryQueue"],
                timeout=timeout,
                progress=lambda: log(
                    f"{label}: {quota.accepted} sent, {quota.throttled} throttled, "
                    f"{len(meter.of(FANOUT))} fan-out invocations, "
                    f"{time.monotonic() - published:.0f} s"
                ),
            )
            process_cpu = time.process_time() - cpu
        if not finished:
            raise RuntimeError(f"{label}: the queues did not drain within {timeout} s")
        update_id = reply["update_id"]
        stats = system.request(
            "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user=STARTER
        ).json()
        return _run(
            label=label,
            tables=tables,
            system=system,
            recipients=recipients,
            quota=quota,
            concurrency=concurrency,
            seed_seconds=seed_seconds,
            stats=stats,
            workers=workers,
            meter=meter,
            counter=counter,
            api_use=api_use,
            published=published,
            process_cpu=process_cpu,
            pacers=pacers.made,
        )


def _workers(
    system: System, counter: RequestCounter, meter: Meter, design: str, concurrency: int
) -> list[QueueWorker]:
    sources = {source.function: source for source in system.template.queue_sources()}
    fanout_handler: Handler | None = naive.handler if design == "naive" else None
    batch = naive.NAIVE_DELIVERY_BATCH if design == "naive" else None
    workers = [
        QueueWorker(system, sources[FANOUT], counter, meter, name="fanout", handler=fanout_handler)
    ]
    workers.extend(
        QueueWorker(system, sources[DELIVER], counter, meter, name=f"deliver-{i}", batch_size=batch)
        for i in range(concurrency)
    )
    return workers


def _publish(
    system: System, petition_id: str, counter: RequestCounter
) -> tuple[dict[str, Any], LambdaUse]:
    function, event = system.api_event(
        "POST",
        f"/petitions/{petition_id}/updates",
        {"title": "Hearing on Monday", "body": "Come and listen: the council votes at 6 pm."},
        user=STARTER,
    )
    emulated = counter.emulator_seconds()
    cpu, wall = time.thread_time(), time.perf_counter()
    with counter.acting(API):
        response = response_from(lambdas.invoke(function, event))
    emulated = counter.emulator_seconds() - emulated
    use = LambdaUse(
        API,
        function.memory,
        1,
        time.thread_time() - cpu - emulated,
        time.perf_counter() - wall,
    )
    if response.status != 201:
        raise RuntimeError(f"publish answered {response.status}: {response.body!r}")
    reply: dict[str, Any] = json.loads(response.body)
    return reply, use


def _run(
    *,
    label: str,
    tables: str,
    system: System,
    recipients: int,
    quota: SesQuota,
    concurrency: int,
    seed_seconds: float,
    stats: dict[str, Any],
    workers: list[QueueWorker],
    meter: Meter,
    counter: RequestCounter,
    api_use: LambdaUse,
    published: float,
    process_cpu: float,
    pacers: int,
) -> Run:
    accepted = sorted(quota.accepted_at)
    fanouts = meter.of(FANOUT)
    fanout_end = max((i.ended_at for i in fanouts), default=published)
    after = [moment for moment in accepted if moment > fanout_end]
    steady = (len(after) - 1) / (after[-1] - after[0]) if len(after) > 1 else 0.0
    lambdas = [api_use]
    emulated = 0.0
    for function in (FANOUT, DELIVER):
        invocations = meter.of(function)
        emulated += sum(i.emulator_seconds for i in invocations)
        lambdas.append(
            LambdaUse(
                function,
                system.function(function).memory,
                len(invocations),
                sum(i.cpu_seconds for i in invocations),
                sum(i.wall_seconds for i in invocations),
            )
        )
    return Run(
        label=label,
        tables=tables,
        recipients=recipients,
        rate=quota.rate,
        burst=quota.capacity,
        concurrency=concurrency,
        seed_seconds=seed_seconds,
        sent=quota.accepted,
        stats_sent=int(stats.get("sent", 0)),
        stats_recipients=int(stats.get("recipients", 0)),
        throttled=quota.throttled,
        retried_records=sum(worker.retried for worker in workers),
        wall_seconds=(accepted[-1] - published) if accepted else 0.0,
        first_to_last_seconds=(accepted[-1] - accepted[0]) if accepted else 0.0,
        fanout_done_seconds=fanout_end - published,
        busiest_second=_busiest_second(accepted),
        steady_rate=steady,
        process_cpu_seconds=process_cpu,
        counts=counter.counts,
        lambdas=lambdas,
        emulator_seconds=emulated,
        empty_polls=meter.empty_polls,
        pacers=pacers,
    )


def per_thousand(run: Run) -> dict[tuple[str, str], dict[str, float]]:
    """Requests and billed units per 1,000 recipients, by service and operation."""
    scale = 1000 / max(1, run.sent)
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for (service, operation), tally in run.counts.by_operation().items():
        rows[(service, operation)] = {
            "requests": tally.requests * scale,
            "billed_requests": tally.billed_requests * scale,
            "read_units": tally.read_units * scale,
            "write_units": tally.write_units * scale,
        }
    invocations = sum(use.invocations for use in run.lambdas)
    rows[("lambda", "Invoke")] = {
        "requests": invocations * scale,
        "billed_requests": invocations * scale,
        "read_units": 0.0,
        "write_units": 0.0,
    }
    return rows
