"""The benchmarks ``make bench`` runs, in order: one :class:`Section` each.

A section is its key in ``results.json``, the function that measures it, the parts of
``results.md`` it writes (a title and a writer each, numbered in order on the page)
and the targets it checks. Adding a benchmark is one entry in :data:`SECTIONS`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobilise_bench import report, scaling, tables, weights
from mobilise_bench.console import log
from mobilise_bench.sizes import Sizes

Results = dict[str, Any]


@dataclass
class Context:
    """What a section runs with: its sizes, and DynamoDB Local, started for the first section
    that asks for it and stopped after the last."""

    sizes: Sizes
    smoke: bool
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _endpoint: str | None = None

    def dynamodb_endpoint(self) -> str:
        if self._endpoint is None:
            from mobilise_bench.servers import dynamodb_local

            self._endpoint = self._stack.enter_context(dynamodb_local()).endpoint
        return self._endpoint

    def close(self) -> None:
        self._stack.close()


def _no_targets(_: Results) -> list[dict[str, Any]]:
    return []


@dataclass(frozen=True)
class Section:
    name: str  # its key in results.json
    run: Callable[[Context], Results]
    parts: list[tuple[str, Callable[[Results], list[str]]]]  # (title, Markdown writer)
    targets: Callable[[Results], list[dict[str, Any]]] = _no_targets


def _cold_start(context: Context) -> Results:
    from mobilise_bench import coldstart

    sizes = context.sizes
    return coldstart.measure(
        sizes.cold_runs,
        warmup=sizes.cold_warmup,
        profile_imports=sizes.profile_imports,
        progress=log,
    )


def _publish(context: Context) -> Results:
    from mobilise_bench import publish

    sizes = context.sizes
    return publish.measure(
        list(zip(sizes.publish_signers, sizes.publish_samples, strict=True)),
        dynamodb_endpoint=context.dynamodb_endpoint(),
        seed_threads=sizes.seed_threads,
        progress=log,
    )


def _saturation(context: Context) -> Results:
    from mobilise_bench import delivery_runs

    return delivery_runs.measure(context.sizes, context.dynamodb_endpoint())


def _memory(context: Context) -> Results:
    from mobilise_bench import memory

    return memory.measure(
        list(context.sizes.memory_signers),
        dynamodb_endpoint=context.dynamodb_endpoint(),
        seed_threads=context.sizes.seed_threads,
        progress=log,
    )


def _signing(context: Context) -> Results:
    from mobilise_bench import signing

    return signing.measure(
        context.sizes.signatures, per_second=context.sizes.signatures_per_s, progress=log
    )


def _delivery_cpu(context: Context) -> Results:
    from mobilise_bench import delivery_cpu

    return delivery_cpu.measure(context.sizes.delivery_cpu_recipients)


def _daily_cap(context: Context) -> Results:
    from mobilise_bench import daily_cap

    return daily_cap.measure(daily_cap.SMOKE_PERSONS if context.smoke else daily_cap.PERSONS)


def _daily_cap_table(found: Results) -> list[str]:
    from mobilise_bench import daily_cap

    return daily_cap.markdown(found)


def _weights(_: Context) -> Results:
    from mobilise_bench import weights

    return weights.measure()


SECTIONS: list[Section] = [
    Section("cold_start", _cold_start, [("Cold start", tables.cold)], tables.cold_targets),
    Section(
        "saturation",
        _saturation,
        [
            ("Saturating the SES quota", report.saturation),
            ("AWS requests per 1,000 recipients", report.requests),
        ],
        report.saturation_targets,
    ),
    Section("memory", _memory, [("Fan-out memory", tables.memory)], tables.memory_targets),
    Section(
        "publish",
        _publish,
        [("Publish and preview, small and large petition", tables.publish)],
        tables.publish_targets,
    ),
    Section(
        "signing",
        _signing,
        [("Signing on one petition", scaling.signing)],
        scaling.signing_targets,
    ),
    Section(
        "delivery_cpu",
        _delivery_cpu,
        [("Delivery's cost per email, against the naive design", scaling.delivery)],
        scaling.delivery_targets,
    ),
    Section("weights", _weights, [("What a phone downloads", weights.markdown)], weights.targets),
    Section("daily_cap", _daily_cap, [("One update email a day per person", _daily_cap_table)]),
]
