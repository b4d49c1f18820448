"""Benchmarks 1 and 2 as ``make bench`` runs them: the delivery runs, the requests per
recipient and their cost, and what it would take on AWS to send 1,000 emails a second."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from mobilise_bench import saturation
from mobilise_bench.costs import PRICES
from mobilise_bench.sizes import Sizes

#: Lambda gives a function one full vCPU at 1,769 MB, and CPU in proportion below that.
LAMBDA_MB_PER_VCPU = 1769
#: The send rate the projection sizes for (issue 14).
TARGET_RATE = 1000.0
_MEMORY_SIZES = (256, 512, 1024, 1769)


def measure(sizes: Sizes, endpoint: str) -> dict[str, Any]:
    def run(label: str, recipients: int, rate: float, concurrency: int, **more: Any) -> Any:
        return saturation.deliver_one_update(
            label=label,
            recipients=recipients,
            rate=rate,
            burst=more.pop("burst", rate * sizes.burst_seconds),
            concurrency=concurrency,
            seed_threads=sizes.seed_threads,
            **more,
        )

    tables = {"dynamodb_endpoint": endpoint}
    quota = run("quota", sizes.recipients, sizes.quota, sizes.concurrency, **tables)
    runs = [
        quota,
        run(
            "stress",
            sizes.stress_recipients,
            sizes.stress_quota,
            sizes.stress_concurrency,
            **tables,
        ),
        run("moto tables", sizes.moto_recipients, sizes.quota, sizes.concurrency),
        run("control", sizes.control_recipients, sizes.control_quota, 2, **tables),
    ]
    naive = run(
        "naive", sizes.naive_recipients, 1_000_000, 2, burst=1_000_000, design="naive", **tables
    )
    runs.append(naive)
    return {
        "runs": [one.summary() for one in runs],
        "headline": "quota",
        "operations": {one.label: _operations(one) for one in runs},
        "requests_per_1000": _requests(quota, naive),
        "cost_per_million": {"mobilise": quota.cost().as_dict(), "naive": naive.cost().as_dict()},
        "prices": PRICES,
        "naive_method": "implementation",
        "projection": projection(quota),
    }


def _operations(run: saturation.Run) -> list[dict[str, Any]]:
    return [
        {
            "actor": key.actor,
            "service": key.service,
            "operation": key.operation,
            "outcome": key.outcome,
            **asdict(tally),
        }
        for key, tally in sorted(
            run.counts.tallies.items(),
            key=lambda item: (item[0].service, item[0].operation, item[0].actor),
        )
    ]


def _requests(quota: saturation.Run, naive: saturation.Run) -> list[dict[str, Any]]:
    ours, theirs = saturation.per_thousand(quota), saturation.per_thousand(naive)
    return [
        {
            "service": service,
            "operation": operation,
            "mobilise": ours.get((service, operation)),
            "naive": theirs.get((service, operation)),
        }
        for service, operation in sorted(set(ours) | set(theirs))
    ]


def projection(quota: saturation.Run) -> dict[str, Any]:
    """Concurrency and memory to send 1,000 emails a second on AWS, CPU-bound.

    Assumptions: Lambda's CPU share is ``MemorySize / 1769`` of a vCPU (its documented
    full vCPU at 1,769 MB); the deliver function's CPU per email is what it used here
    (this machine's cores are taken as equal to Lambda's); the time an invocation waits
    on SES and DynamoDB is left out (each send waits too: more concurrency, not more CPU).
    """
    deliver = quota.function_use(saturation.DELIVER)
    cpu = deliver.cpu_seconds / quota.sent if deliver and quota.sent else 0.0
    memory_mb = deliver.memory_mb if deliver else 256
    options = []
    for size in _MEMORY_SIZES:
        share = min(1.0, size / LAMBDA_MB_PER_VCPU)
        per_invocation = share / cpu if cpu else 0.0
        options.append(
            {
                "memory_mb": size,
                "vcpu_share": share,
                "emails_per_second_per_invocation": per_invocation,
                "concurrency_for_target": math.ceil(TARGET_RATE / per_invocation)
                if per_invocation
                else None,
            }
        )
    share = min(1.0, memory_mb / LAMBDA_MB_PER_VCPU)
    return {
        "deliver_cpu_per_email_ms": cpu * 1000,
        "memory_mb": memory_mb,
        "vcpu_share": share,
        "cpu_bound_emails_per_second_per_invocation": share / cpu if cpu else 0.0,
        "target_rate": TARGET_RATE,
        "options": options,
    }
