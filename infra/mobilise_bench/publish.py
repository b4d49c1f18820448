"""Benchmark 5: latency of publishing and previewing an update, on a small and a large petition.

``POST /petitions/{id}/updates`` accepted (201) and refused (429, within the 24 hours),
and ``POST /petitions/{id}/updates/preview`` (200), in this process on moto (the tables
in DynamoDB Local), through the api function's handler with the proxy event API
Gateway would send. One petition per size, its signers written directly with
BatchWriteItem, every petition before the first sample; then each size's samples spread
evenly over one run, interleaved, so that the sizes are compared on the same table at the
same time. Measured one after the other, small first, the preview's p50 was 7 ms against
11 (2026-12-06, 09:52); in a run of small, large, then small again (10:30), 9.9, 10.1 and
10.8 ms: the small petition measured after the large one was no faster than it. Before
each sample the domain's clock moves 25 hours on, so that every accepted publish is
allowed and every refused one is the second within the window. Both answer how many
signers the update reaches: if that count reads every signature, the large petition's
figures show it. The handler call alone is timed (``perf_counter``); the part of it moto
spent emulating SQS is measured too.
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


def _petition(system: System, signers: int, seed_threads: int) -> dict[str, Any]:
    """A petition of ``signers``, seeded, with its paths and its (empty) measurements."""
    petition_id = system.create_petition(STARTER, title=f"Publish {signers}")
    started = time.perf_counter()
    seed_signatures(petition_id, signers, tag=f"pub{signers}", threads=seed_threads)
    return {
        "signers": signers,
        "seed_seconds": time.perf_counter() - started,
        "paths": {
            "accepted": f"/petitions/{petition_id}/updates",
            "refused": f"/petitions/{petition_id}/updates",
            "preview": f"/petitions/{petition_id}/updates/preview",
        },
        "timings": {case: [] for case in CASES},
        "statuses": {case: {} for case in CASES},
        "reached": set(),
    }


def _sample(system: System, counter: RequestCounter, petition: dict[str, Any], kept: bool) -> None:
    """One accepted publish, one refused, one preview of ``petition`` (kept unless warming)."""
    clock.advance(_A_DAY_AND_MORE)
    for case in CASES:
        status, total, emulated, body = _timed(system, counter, petition["paths"][case])
        if not kept:
            continue
        petition["statuses"][case][status] = petition["statuses"][case].get(status, 0) + 1
        petition["timings"][case].append((total, emulated))
        if "recipients" in body:
            petition["reached"].add(int(body["recipients"]))


def _interleaved(sizes: list[tuple[int, int]]) -> list[int]:
    """The order of the samples: each size's spread evenly over the run (the index of its
    size, in order of the fraction of the run each sample stands at), so that every size is
    measured on the same table, at the same time, and no size is measured before the
    others' signers were written."""
    spots = [
        ((sample + 0.5) / samples, index)
        for index, (_, samples) in enumerate(sizes)
        for sample in range(samples)
    ]
    return [index for _, index in sorted(spots)]


def _result(petition: dict[str, Any], samples: int) -> dict[str, Any]:
    timings = petition["timings"]
    return {
        "signers": petition["signers"],
        "samples": samples,
        "seed_seconds": petition["seed_seconds"],
        "recipients_answered": sorted(petition["reached"]),
        **{
            case: {
                "statuses": petition["statuses"][case],
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
    try:
        with (
            on_moto(parameters, dynamodb_endpoint=dynamodb_endpoint) as system,
            RequestCounter() as counter,
        ):
            petitions = [_petition(system, signers, seed_threads) for signers, _ in sizes]
            for _ in range(_WARMUP):
                for petition in petitions:
                    _sample(system, counter, petition, kept=False)
            for index in _interleaved(sizes):
                _sample(system, counter, petitions[index], kept=True)
            runs = [
                _result(petition, samples)
                for petition, (_, samples) in zip(petitions, sizes, strict=True)
            ]
            if progress is not None:
                for run in runs:
                    accepted = run["accepted"]["handler_ms"]
                    progress(f"publish: {run['signers']} signers, p50 {accepted['p50']:.0f} ms")
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
