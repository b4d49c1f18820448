"""Benchmark 5: latency of ``POST /petitions/{id}/updates``, accepted (201) and refused (429).

In this process on moto, through the api function's handler with the proxy event
API Gateway would send (as the integration tests' ``Mobilise.request``). Each
sample publishes on a petition of its own, created beforehand, so every accepted
publish is a first one; each refused sample publishes a second time on one of
them, within the 24 hours. The handler call alone is timed (``perf_counter``);
the part of it moto spent emulating DynamoDB and SQS is measured too and reported
as "without the emulator", a closer picture of the function's own share.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mobilise_bench.counting import RequestCounter
from mobilise_bench.figures import distribution
from mobilise_bench.system import STARTER, System, on_moto
from mobilise_local import lambdas
from mobilise_local.gateway import response_from

_BODY = {"title": "We met the mayor", "body": "She listened. Next step: the council."}


def _timed(system: System, counter: RequestCounter, petition_id: str) -> tuple[int, float, float]:
    """(status, handler milliseconds, of which moto's emulation)."""
    function, event = system.api_event(
        "POST", f"/petitions/{petition_id}/updates", _BODY, user=STARTER
    )
    emulated = counter.emulator_seconds()
    started = time.perf_counter()
    result = lambdas.invoke(function, event)
    elapsed = time.perf_counter() - started
    emulated = counter.emulator_seconds() - emulated
    return response_from(result).status, elapsed * 1000, emulated * 1000


def measure(
    samples: int,
    *,
    dynamodb_endpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    parameters = {"DoubleOptIn": "false", "SesMaxSendRate": "100"}
    with on_moto(parameters, dynamodb_endpoint=dynamodb_endpoint) as system:
        warmup = 5
        petitions = [
            system.create_petition(STARTER, title=f"Publish {i}") for i in range(samples + warmup)
        ]
        if progress is not None:
            progress(f"publish: {len(petitions)} petitions created")
        accepted: list[tuple[float, float]] = []
        refused: list[tuple[float, float]] = []
        statuses: dict[str, dict[int, int]] = {"accepted": {}, "refused": {}}
        with RequestCounter() as counter:
            for index, petition_id in enumerate(petitions):
                status, total, emulated = _timed(system, counter, petition_id)
                if index >= warmup:
                    statuses["accepted"][status] = statuses["accepted"].get(status, 0) + 1
                    accepted.append((total, emulated))
            for index, petition_id in enumerate(petitions):
                status, total, emulated = _timed(system, counter, petition_id)
                if index >= warmup:
                    statuses["refused"][status] = statuses["refused"].get(status, 0) + 1
                    refused.append((total, emulated))
    return {
        "samples": samples,
        "tables": "moto" if dynamodb_endpoint is None else "DynamoDB Local",
        "accepted": {
            "statuses": statuses["accepted"],
            "handler_ms": distribution([t for t, _ in accepted]),
            "without_emulator_ms": distribution([t - e for t, e in accepted]),
        },
        "refused": {
            "statuses": statuses["refused"],
            "handler_ms": distribution([t for t, _ in refused]),
            "without_emulator_ms": distribution([t - e for t, e in refused]),
        },
    }
