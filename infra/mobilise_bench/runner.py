"""Every benchmark, in order, into ``results.json`` and ``results.md``."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from mobilise_bench.console import log
from mobilise_bench.env import use_fake_aws

#: Lambda gives a function one full vCPU at 1,769 MB, and CPU in proportion below that.
LAMBDA_MB_PER_VCPU = 1769


@dataclass(frozen=True)
class Sizes:
    recipients: int = 20_000  # the SES quota run (issue 7)
    quota: float = 200.0  # the simulated account's emails a second
    burst_seconds: float = 0.1  # the stand-in's bucket holds this much of a second's quota
    moto_recipients: int = 2_000  # the same run with the tables in moto
    control_recipients: int = 1_000  # the same run at a quota this machine can drive
    control_quota: float = 25.0
    naive_recipients: int = 1_000
    memory_signers: tuple[int, int] = (10_000, 100_000)
    cold_runs: int = 10
    cold_warmup: int = 1
    profile_imports: bool = True  # one more child per function, with -X importtime
    publish_samples: int = 200
    seed_threads: int = 4


FULL = Sizes()
SMOKE = Sizes(
    recipients=200,
    moto_recipients=50,
    control_recipients=50,
    naive_recipients=30,
    memory_signers=(500, 1_000),
    cold_runs=3,
    cold_warmup=0,
    profile_imports=False,
    publish_samples=10,
)


@contextlib.contextmanager
def functions_log(path: Path) -> Iterator[TextIO]:
    """What the functions print (Powertools logs and metrics) goes to a file, not the console."""
    from mobilise.core.observability import logger

    handler: Any = logger.registered_handler
    with path.open("w") as stream, contextlib.redirect_stdout(stream):
        previous = handler.setStream(stream)
        try:
            yield stream
        finally:
            handler.setStream(previous)


def _step(
    results: dict[str, Any], name: str, step: Callable[[], dict[str, Any]]
) -> dict[str, Any] | None:
    log(f"{name}: starting")
    started = time.perf_counter()
    try:
        found = step()
    except Exception as error:
        log(f"{name}: FAILED: {error!r}")
        results.setdefault("errors", {})[name] = traceback.format_exc()
        return None
    found["seconds"] = time.perf_counter() - started
    results[name] = found
    log(f"{name}: done in {found['seconds']:.0f} s")
    return found


def run(out: Path, *, smoke: bool = False) -> dict[str, Any]:
    """Run every benchmark; write ``results.json`` and ``results.md`` under ``out``."""
    use_fake_aws()
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    out.mkdir(parents=True, exist_ok=True)
    sizes = SMOKE if smoke else FULL
    started = time.perf_counter()
    results: dict[str, Any] = {
        "mode": "smoke" if smoke else "full",
        "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "sizes": asdict(sizes),
    }
    with functions_log(out / "functions.log"):
        _step(results, "cold_start", lambda: _cold_start(sizes))
        from mobilise_bench.servers import dynamodb_local

        with dynamodb_local() as tables:
            _step(results, "publish", lambda: _publish(sizes, tables.endpoint))
            _step(results, "saturation", lambda: _saturation(sizes, tables.endpoint))
            _step(results, "memory", lambda: _memory(sizes, tables.endpoint))
    results["duration_seconds"] = time.perf_counter() - started
    from mobilise_bench.report import markdown, targets

    results["targets"] = targets(results)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / "results.md").write_text(markdown(results))
    log(f"results in {out}/results.md and results.json ({results['duration_seconds']:.0f} s)")
    return results


def _publish(sizes: Sizes, endpoint: str) -> dict[str, Any]:
    from mobilise_bench import publish

    return publish.measure(sizes.publish_samples, dynamodb_endpoint=endpoint, progress=log)


def _cold_start(sizes: Sizes) -> dict[str, Any]:
    from mobilise_bench import coldstart

    return coldstart.measure(
        sizes.cold_runs,
        warmup=sizes.cold_warmup,
        profile_imports=sizes.profile_imports,
        progress=log,
    )


def _memory(sizes: Sizes, endpoint: str) -> dict[str, Any]:
    from mobilise_bench import memory

    return memory.measure(
        list(sizes.memory_signers),
        dynamodb_endpoint=endpoint,
        seed_threads=sizes.seed_threads,
        progress=log,
    )


def _saturation(sizes: Sizes, endpoint: str) -> dict[str, Any]:
    from mobilise_bench import saturation
    from mobilise_bench.costs import PRICES

    burst = sizes.quota * sizes.burst_seconds
    quota = saturation.deliver_one_update(
        label="quota",
        recipients=sizes.recipients,
        rate=sizes.quota,
        burst=burst,
        dynamodb_endpoint=endpoint,
        seed_threads=sizes.seed_threads,
    )
    on_moto = saturation.deliver_one_update(
        label="moto tables",
        recipients=sizes.moto_recipients,
        rate=sizes.quota,
        burst=burst,
    )
    control = saturation.deliver_one_update(
        label="control",
        recipients=sizes.control_recipients,
        rate=sizes.control_quota,
        burst=sizes.control_quota * sizes.burst_seconds,
        dynamodb_endpoint=endpoint,
        seed_threads=sizes.seed_threads,
    )
    naive = saturation.deliver_one_update(
        label="naive",
        recipients=sizes.naive_recipients,
        rate=1_000_000,
        burst=1_000_000,
        dynamodb_endpoint=endpoint,
        design="naive",
        seed_threads=sizes.seed_threads,
    )
    runs = [quota, on_moto, control, naive]
    mobilise_rows = saturation.per_thousand(quota)
    naive_rows = saturation.per_thousand(naive)
    rows = []
    for service, operation in sorted(set(mobilise_rows) | set(naive_rows)):
        rows.append(
            {
                "service": service,
                "operation": operation,
                "mobilise": mobilise_rows.get((service, operation)),
                "naive": naive_rows.get((service, operation)),
            }
        )
    deliver = quota.function_use(saturation.DELIVER)
    per_email_cpu = deliver.cpu_seconds / quota.sent if deliver and quota.sent else 0.0
    memory_mb = deliver.memory_mb if deliver else 256
    return {
        "runs": [run.summary() for run in runs],
        "headline": "quota",
        "operations": {
            run.label: [
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
            for run in runs
        },
        "requests_per_1000": rows,
        "cost_per_million": {"mobilise": quota.cost().as_dict(), "naive": naive.cost().as_dict()},
        "prices": PRICES,
        "naive_method": "implementation",
        "projection": {
            "deliver_cpu_per_email_ms": per_email_cpu * 1000,
            "memory_mb": memory_mb,
            "vcpu_share": min(1.0, memory_mb / LAMBDA_MB_PER_VCPU),
            "cpu_bound_emails_per_second_per_invocation": (
                min(1.0, memory_mb / LAMBDA_MB_PER_VCPU) / per_email_cpu if per_email_cpu else 0.0
            ),
        },
    }
