"""Benchmark 4: peak memory of one fan-out execution environment, small and large petition.

The table is in DynamoDB Local (moto is too slow at this size), the queues in moto's
server; signatures are seeded with BatchWriteItem from this process. Each fan-out
runs in a fresh interpreter (:mod:`mobilise_bench.fanout_child`) that serves the
whole job, and reports its peak resident set size (``ru_maxrss``).

RSS rather than ``tracemalloc``: RSS is what Lambda's MemorySize limits and bills,
and it includes what tracemalloc cannot see (the interpreter, C extensions, freed
but unreturned arenas); tracemalloc would also slow every allocation down. The RSS
after the imports is reported too, so the growth the job itself causes is visible.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mobilise_bench.env import child_environment
from mobilise_bench.servers import moto_server
from mobilise_bench.system import STARTER, built, seed_signatures
from mobilise_local.template import ROOT

CHILD = Path(__file__).with_name("fanout_child.py")
_MARKER = "BENCH_RESULT "


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-P", str(CHILD)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=child_environment({"POWERTOOLS_METRICS_DISABLED": "false"}),
        timeout=1800,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(_MARKER)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"fan-out child failed ({completed.returncode}): {completed.stderr}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(_MARKER))
    return result


def measure(
    sizes: list[int],
    *,
    dynamodb_endpoint: str,
    seed_threads: int = 4,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Seed ``sizes`` signers (one petition each), publish, fan out in a child; peak RSS."""
    runs: list[dict[str, Any]] = []
    with (
        moto_server(),
        built(
            {"DoubleOptIn": "false", "SesMaxSendRate": "100"},
            dynamodb_endpoint=dynamodb_endpoint,
        ) as system,
    ):
        function = system.function("FanoutFunction")
        for size in sizes:
            petition_id = system.create_petition(STARTER, title=f"Memory {size}")
            started = time.perf_counter()
            seed_signatures(petition_id, size, tag=f"mem{size}", threads=seed_threads)
            seed_seconds = time.perf_counter() - started
            if progress is not None:
                progress(f"memory: {size} signatures seeded in {seed_seconds:.1f} s")
            reply = system.publish(petition_id, STARTER)
            if reply.status != 201:
                raise RuntimeError(f"publish answered {reply.status}: {reply.text}")
            result = _child(
                {
                    "function": function.logical_id,
                    "handler": function.handler,
                    "code_dir": str(ROOT / function.code_uri),
                    "memory": function.memory,
                    "timeout": function.timeout,
                    "publish_queue_url": system.queue_url("PublishQueue"),
                    "publish_queue_arn": system.queue_arn("PublishQueue"),
                    "delivery_queue_url": system.queue_url("DeliveryQueue"),
                }
            )
            result.update(signers=size, seed_seconds=seed_seconds, seed_rate=size / seed_seconds)
            runs.append(result)
            if progress is not None:
                progress(
                    f"memory: {size} signers fanned out in {result['seconds']:.1f} s, "
                    f"peak RSS {result['rss_peak_mib']:.1f} MiB"
                )
    small, large = runs[0], runs[-1]
    growth_small = small["rss_peak_mib"] - small["rss_ready_mib"]
    growth_large = large["rss_peak_mib"] - large["rss_ready_mib"]
    return {
        "tables": "DynamoDB Local",
        "runs": runs,
        "peak_ratio": large["rss_peak_mib"] / small["rss_peak_mib"],
        "growth_small_mib": growth_small,
        "growth_large_mib": growth_large,
        "memory_size_mb": function.memory,
    }
