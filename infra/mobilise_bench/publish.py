"""Benchmark 5: latency of publishing and previewing an update, on a small and a large petition.

``POST /petitions/{id}/updates`` accepted (201) and refused (429, within the 24 hours),
and ``POST /petitions/{id}/updates/preview`` (200), in this process on moto (the tables
in DynamoDB Local), through the api function's handler with the proxy event API
Gateway would send. One petition per size, its signers written directly with
BatchWriteItem; before each accepted sample the domain's clock moves 25 hours on, so
that every accepted publish is allowed and every refused one is the second within
the window. Both answer how many signers the update reaches: if that count reads
every signature, the large petition's figures show it. The handler call alone is
timed (``perf_counter``); the part of it moto spent emulating SQS is measured too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from mobilise.core import clock
from mobilise_bench.counting import RequestCounter
from mobilise_bench.figures import distribution
from mobilise_bench.system import STARTER, System, on_moto, seed_signatures
from mobilise_local import lambdas
from mobilise_local.gateway import response_from

_BODY = {"title": "We met the mayor", "body": "She listened. Next step: the council."}
_WARMUP = 3
_A_DAY_AND_MORE = 25 * 3600
CASES = ("accepted", "refused", "preview")


def _timed(system: System, counter: RequestCounter, path: str) -> tuple[int, float, float, Any]:
    """(status, handler milliseconds, of which moto's emulation, the answer's body)."""
    function, event = system.api_event("POST", path, _BODY, user=STARTER)
    emulated = counter.emulator_seconds()
    started = time.perf_counter()
    result = lambdas.invoke(function, event)
    elapsed = time.perf_counter() - started
    emulated = counter.emulator_seconds() - emulated
    response = response_from(result)
    return response.status, elapsed * 1000, emulated * 1000, json.loads(response.body or "{}")


def _one_size(
    system: System, counter: RequestCounter, signers: int, samples: int, seed_threads: int
) -> dict[str, Any]:
    petition_id = system.create_petition(STARTER, title=f"Publish {signers}")
    started = time.perf_counter()
    seed_signatures(petition_id, signers, tag=f"pub{signers}", threads=seed_threads)
    seed_seconds = time.perf_counter() - started
    paths = {
        "accepted": f"/petitions/{petition_id}/updates",
        "refused": f"/petitions/{petition_id}/updates",
        "preview": f"/petitions/{petition_id}/updates/preview",
    }
    timings: dict[str, list[tuple[float, float]]] = {case: [] for case in CASES}
    statuses: dict[str, dict[int, int]] = {case: {} for case in CASES}
    reached: set[int] = set()
    for index in range(_WARMUP + samples):
        clock.advance(_A_DAY_AND_MORE)
        for case in CASES:
            status, total, emulated, body = _timed(system, counter, paths[case])
            if index < _WARMUP:
                continue
            statuses[case][status] = statuses[case].get(status, 0) + 1
            timings[case].append((total, emulated))
            if "recipients" in body:
                reached.add(int(body["recipients"]))
    return {
        "signers": signers,
        "samples": samples,
        "seed_seconds": seed_seconds,
        "recipients_answered": sorted(reached),
        **{
            case: {
                "statuses": statuses[case],
                "handler_ms": distribution([t for t, _ in timings[case]]),
                "without_emulator_ms": distribution([t - e for t, e in timings[case]]),
            }
            for case in CASES
        },
    }


def measure(
    sizes: list[tuple[int, int]],
    *,
    dynamodb_endpoint: str | None = None,
    seed_threads: int = 4,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``sizes``: (signers, samples) pairs, one petition each."""
    parameters = {"DoubleOptIn": "false", "SesMaxSendRate": "100"}
    runs = []
    try:
        with (
            on_moto(parameters, dynamodb_endpoint=dynamodb_endpoint) as system,
            RequestCounter() as counter,
        ):
            for signers, samples in sizes:
                runs.append(_one_size(system, counter, signers, samples, seed_threads))
                if progress is not None:
                    accepted = runs[-1]["accepted"]["handler_ms"]
                    progress(f"publish: {signers} signers, p50 {accepted['p50']:.0f} ms")
    finally:
        clock.reset()
    small, large = runs[0], runs[-1]
    return {
        "tables": "moto" if dynamodb_endpoint is None else "DynamoDB Local",
        "runs": runs,
        "p50_ratio": {
            case: large[case]["handler_ms"]["p50"] / small[case]["handler_ms"]["p50"]
            for case in CASES
        },
    }
