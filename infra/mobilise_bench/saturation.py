"""Benchmarks 1 and 2: saturating the SES quota, and the AWS requests it takes.

One update to ``recipients`` confirmed signers, driven through the queues: the api
function publishes (in this process), the fanout function and ``concurrency`` deliver
functions serve the publish and delivery queues at the same time, each in a process
of its own (:mod:`mobilise_bench.processes`), against moto's server (and DynamoDB
Local for the tables) and the SES stand-in of :mod:`mobilise_bench.ses`, whose
token bucket all of them share, as an account's quota is.

Pacing is the deliver code's own: :func:`mobilise.delivery.pacing.pacer` is one
``Pacer`` per process at ``rate / DeliveryConcurrency``, as on AWS one per execution
environment, so that together the invocations send at ``rate``.
"""

from __future__ import annotations

import bisect
import json
import time
from dataclasses import dataclass, field
from typing import Any

from mobilise.core.config import get_settings
from mobilise_bench import naive
from mobilise_bench.console import log
from mobilise_bench.costs import Cost, LambdaUse, per_million
from mobilise_bench.counting import Counts, RequestCounter
from mobilise_bench.processes import ProcessWorker, Report, SharedBucket, Spec
from mobilise_bench.servers import moto_server
from mobilise_bench.ses import ceiling
from mobilise_bench.system import STARTER, System, built, seed_signatures
from mobilise_bench.workers import Source, drain
from mobilise_local import lambdas
from mobilise_local.gateway import response_from

API = "ApiFunction"
FANOUT = "FanoutFunction"
DELIVER = "DeliverFunction"


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
    sent: int  # emails SES accepted, whichever operation carried them
    stats_sent: int  # the update's own counter of sent emails
    stats_recipients: int
    throttled: int  # emails refused (every entry of a refused SendBulkEmail)
    throttled_calls: int  # calls refused
    emails_by_operation: dict[str, int]  # accepted: SendEmail, SendBulkEmail
    retried_records: int
    wall_seconds: float  # publish -> last email accepted
    first_to_last_seconds: float
    achieved_rate: float  # emails/s from the first accepted to the last (:func:`rate_of`)
    fanout_done_seconds: float  # publish -> last fan-out invocation ended
    busiest_second: int
    steady_rate: float  # emails/s after fan-out finished
    process_cpu_seconds: float  # every process of the run but DynamoDB Local's
    counts: Counts
    lambdas: list[LambdaUse]
    emulator_seconds: float  # this process: moto's server, the publish, watching the queues
    pacers: int
    extra: dict[str, Any] = field(default_factory=dict)

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
            "bucket_bulk_ceiling": ceiling(self.rate, self.burst),
            "delivery_concurrency": self.concurrency,
            "pacers": self.pacers,
            "seed_seconds": self.seed_seconds,
            "sent": self.sent,
            "update_stats_sent": self.stats_sent,
            "update_stats_recipients": self.stats_recipients,
            "throttled_calls": self.throttled_calls,
            "throttled_emails": self.throttled,
            "throttled_fraction_of_sends": self.throttled / self.sent if self.sent else 0.0,
            "emails_by_operation": self.emails_by_operation,
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
            "emails_per_deliver_cpu_second": 1 / per_email_cpu if per_email_cpu else 0.0,
            "emails_per_cpu_second": self.sent / self.process_cpu_seconds
            if self.process_cpu_seconds
            else 0.0,
            "lambda": [use.__dict__ for use in self.lambdas],
            **self.extra,
        }


def _parameters(rate: float, concurrency: int) -> dict[str, str]:
    """The stack of a delivery run, the daily cap on as by default: its recipients follow one
    petition each (the seeded counts), so the cap adds its claim per message and its reads;
    where people follow several it takes their window (section ``daily_cap``)."""
    return {
        "DoubleOptIn": "false",
        "SesMaxSendRate": f"{rate:g}",
        "DeliveryConcurrency": str(concurrency),
    }


def rate_of(times: list[float]) -> float:
    """Emails a second over sorted acceptance times: those accepted before the last moment,
    over the time from the first to it. One SendBulkEmail accepts its emails at one moment,
    so the last request's emails count as the end of the span, not within it (every email
    alone, that is ``(n - 1) / span``); 0 for fewer than two moments."""
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return bisect.bisect_left(times, times[-1]) / (times[-1] - times[0])


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
    concurrency: int,
    dynamodb_endpoint: str | None = None,
    design: str = "mobilise",
    timeout: float = 1800,
    seed_threads: int = 1,
) -> Run:
    """Seed, publish, run the queues until every email is sent; measure all of it."""
    tables = "moto" if dynamodb_endpoint is None else "DynamoDB Local"
    with (
        moto_server(),
        built(_parameters(rate, concurrency), dynamodb_endpoint=dynamodb_endpoint) as system,
    ):
        petition_id = system.create_petition(STARTER)
        started = time.perf_counter()
        seed_signatures(petition_id, recipients, threads=seed_threads)
        seed_seconds = time.perf_counter() - started
        log(f"{label}: {recipients} signatures seeded in {seed_seconds:.1f} s ({tables})")
        bucket = SharedBucket(rate, burst)
        workers = [ProcessWorker(spec, bucket) for spec in _specs(system, design, concurrency)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.wait_ready()
        with RequestCounter() as counter:
            cpu = time.process_time()
            published = time.monotonic()
            reply, api_use = _publish(system, petition_id, counter)
            finished = drain(
                system,
                workers,
                ["PublishQueue", "DeliveryQueue"],
                timeout=timeout,
                progress=lambda: log(f"{label}: {time.monotonic() - published:.0f} s"),
            )
            parent_cpu = time.process_time() - cpu
        reports = [worker.report for worker in workers if worker.report is not None]
        if len(reports) != len(workers) or any(report.error for report in reports):
            raise RuntimeError(f"{label}: a worker failed: {[r.error for r in reports]}")
        if not finished:
            raise RuntimeError(f"{label}: the queues did not drain within {timeout} s")
        stats = system.request(
            "GET", f"/petitions/{petition_id}/updates/{reply['update_id']}/stats", user=STARTER
        ).json()
        return _run(
            label=label,
            tables=tables,
            system=system,
            recipients=recipients,
            bucket=bucket,
            concurrency=get_settings().delivery_concurrency,
            seed_seconds=seed_seconds,
            stats=stats,
            reports=reports,
            counter=counter,
            api_use=api_use,
            published=published,
            parent_cpu=parent_cpu,
        )


def _specs(system: System, design: str, concurrency: int) -> list[Spec]:
    sources = {source.function: source for source in system.template.queue_sources()}
    naive_design = design == "naive"
    batch = naive.NAIVE_DELIVERY_BATCH if naive_design else None
    specs = [Spec("fanout", Source.of(system, sources[FANOUT]), naive_fanout=naive_design)]
    specs.extend(
        Spec(f"deliver-{i}", Source.of(system, sources[DELIVER], batch)) for i in range(concurrency)
    )
    return specs


def _publish(
    system: System, petition_id: str, counter: RequestCounter
) -> tuple[dict[str, Any], LambdaUse]:
    function, event = system.api_event(
        "POST",
        f"/petitions/{petition_id}/updates",
        {"title": "Hearing on Monday", "body": "Come and listen: the council votes at 6 pm."},
        user=STARTER,
    )
    cpu, wall = time.thread_time(), time.perf_counter()
    with counter.acting(API):
        response = response_from(lambdas.invoke(function, event))
    use = LambdaUse(API, function.memory, 1, time.thread_time() - cpu, time.perf_counter() - wall)
    if response.status != 201:
        raise RuntimeError(f"publish answered {response.status}: {response.body!r}")
    reply: dict[str, Any] = json.loads(response.body)
    return reply, use


def _merged(counter: RequestCounter, reports: list[Report]) -> Counts:
    counts = Counts()
    for source in [counter.counts, *(report.counts for report in reports)]:
        for key, tally in source.tallies.items():
            counts.add(key, tally)
    return counts


def _run(
    *,
    label: str,
    tables: str,
    system: System,
    recipients: int,
    bucket: SharedBucket,
    concurrency: int,
    seed_seconds: float,
    stats: dict[str, Any],
    reports: list[Report],
    counter: RequestCounter,
    api_use: LambdaUse,
    published: float,
    parent_cpu: float,
) -> Run:
    accepted = sorted(moment for report in reports for moment in report.accepted_at)
    fanouts = [i for report in reports for i in report.invocations if i.function == FANOUT]
    fanout_end = max((i.ended_at for i in fanouts), default=published)
    after = [moment for moment in accepted if moment > fanout_end]
    steady = rate_of(after)
    lambdas_used = [api_use]
    invoked = [invocation for report in reports for invocation in report.invocations]
    for function in (FANOUT, DELIVER):
        invocations = [i for i in invoked if i.function == function]
        lambdas_used.append(
            LambdaUse(
                function,
                system.function(function).memory,
                len(invocations),
                sum(i.cpu_seconds for i in invocations),
                sum(i.wall_seconds for i in invocations),
            )
        )
    deliver_reports = [report for report in reports if report.function == DELIVER]
    return Run(
        label=label,
        tables=tables,
        recipients=recipients,
        rate=bucket.rate,
        burst=bucket.capacity,
        concurrency=concurrency,
        seed_seconds=seed_seconds,
        sent=len(accepted),
        stats_sent=int(stats.get("sent", 0)),
        stats_recipients=int(stats.get("recipients", 0)),
        throttled=sum(len(report.throttled_at) for report in reports),
        throttled_calls=sum(report.throttled_calls for report in reports),
        emails_by_operation=_by_operation(reports),
        retried_records=sum(report.retried for report in reports),
        wall_seconds=(accepted[-1] - published) if accepted else 0.0,
        first_to_last_seconds=(accepted[-1] - accepted[0]) if accepted else 0.0,
        achieved_rate=rate_of(accepted),
        fanout_done_seconds=fanout_end - published,
        busiest_second=_busiest_second(accepted),
        steady_rate=steady,
        process_cpu_seconds=parent_cpu + sum(report.cpu_seconds for report in reports),
        counts=_merged(counter, reports),
        lambdas=lambdas_used,
        emulator_seconds=parent_cpu,
        pacers=sum(report.pacers for report in deliver_reports),
        extra={
            "deliver_processes_cpu_seconds": sum(r.cpu_seconds for r in deliver_reports),
            "bench_process_cpu_seconds": parent_cpu,
        },
    )


def _by_operation(reports: list[Report]) -> dict[str, int]:
    """Emails accepted by the operation that carried them, every worker's together."""
    found: dict[str, int] = {}
    for report in reports:
        for operation, emails in report.emails_by_operation.items():
            found[operation] = found.get(operation, 0) + emails
    return found


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
