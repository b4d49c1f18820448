"""Benchmark 3: the cold start of every function of template.yaml.

Each sample is a fresh interpreter (:mod:`mobilise_bench.coldstart_child`) that loads
the handler module and serves one minimal valid event, timed inside the child with
``time.perf_counter`` from just before the import to just after the answer: the
interpreter's own start and moto's are not in it. The AWS services are moto's server,
running in this process on a loopback port and set up before the first child, so
the child imports nothing of moto; each sample's first events run on a system of their
own on it, holding their two petitions and nothing else (:func:`_own_system`). The
baseline is ``import boto3`` and one client, timed the same way by the same script, in the
same rounds. The API function has a row for each of three first requests
(:data:`mobilise_bench.cold_events.API_ROWS`): what an environment loads depends on the
route it serves first, and the target is judged on every row.

Every child imports the common layer as ``sam build`` ships it (:func:`lambda_runtime`:
``sam build CommonLayer``, layers/common/Makefile), with Lambda's Python 3.13 and nothing
else on its path but the function's code, the runtime's ``snapshot_restore_py`` and
``mobilise_local.runtime``; it writes no bytecode (Lambda's /opt is read-only), so it uses
the bytecode the build wrote and compiles what the build left as source. The function's own
folder is used as it is: ``sam build`` copies it, no more (a handler module of some 40 lines
is compiled at each cold start, as on Lambda). The baseline imports the layer's boto3, with
its bytecode, as the runtime's own would be.

Rounds go through the functions in turn (the baseline among them), so noise on a
shared machine spreads over all of them alike; the first round only brings the files
into the page cache (no child writes bytecode) and is not counted.

Each function is also started once more per round with its SnapStart before-snapshot
hooks run before the clock (:mod:`mobilise.core.snapstart`): its first event as an
environment restored from a snapshot serves it. The restore itself cannot run here and is
not in that figure; the target is judged on the cold start without SnapStart.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from mobilise_bench.cold_events import (
    SERVED_BEFORE,
    Fixture,
    NoEvent,
    event_for,
    function_of,
    prepare,
    rows_of,
    served,
)
from mobilise_bench.env import child_environment, python313
from mobilise_bench.servers import moto_server
from mobilise_bench.system import System, built
from mobilise_local.template import ROOT, Function

CHILD = Path(__file__).with_name("coldstart_child.py")
BASELINE = "boto3 + client (baseline)"
_MARKER = "BENCH_RESULT "
LAYER = "CommonLayer"


@dataclass(frozen=True)
class Runtime:
    """The interpreter a child runs and what is on its path (``PYTHONPATH``, before the
    standard library; no site-packages)."""

    interpreter: str
    path: tuple[str, ...]

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        return child_environment(
            {**extra, "PYTHONPATH": os.pathsep.join(self.path), "PYTHONDONTWRITEBYTECODE": "1"}
        )


def lambda_runtime(build_dir: Path) -> Runtime:
    """``sam build CommonLayer`` into ``build_dir`` (what ``make build`` ships) and Lambda's
    runtime beside it: Python 3.13, and ``snapshot_restore_py`` as its /var/runtime has it."""
    built = subprocess.run(  # noqa: S603 (our own build script)
        ["bash", str(ROOT / "infra" / "sam.sh"), "build", LAYER, "--build-dir", str(build_dir)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise RuntimeError(f"sam build {LAYER} failed: {built.stderr[-2000:]}")
    return runtime_for(build_dir / LAYER / "python")


def runtime_for(layer: Path) -> Runtime:
    """Lambda's Python 3.13 with ``layer`` (a built layer's ``python/``) as its /opt/python."""
    runtime = layer.parent / "runtime"  # Lambda's /var/runtime, for the SnapStart hooks
    runtime.mkdir(exist_ok=True)
    hooks = find_spec("snapshot_restore_py")
    if hooks is None or hooks.origin is None:
        raise RuntimeError("snapshot-restore-py is not installed (make install)")
    shutil.copy(hooks.origin, runtime)
    return Runtime(python313(), (str(layer), str(runtime), str(ROOT / "infra")))


@contextmanager
def built_runtime() -> Iterator[Runtime]:
    with tempfile.TemporaryDirectory(prefix="coldstart-") as build_dir:
        yield lambda_runtime(Path(build_dir))


def import_profile(stderr: str, top: int = 8) -> dict[str, float]:
    """Milliseconds of import by top-level package, from ``python -X importtime``."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _, name = (part.strip() for part in re.split(r"[:|]", line, maxsplit=3))
        package = name.split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(self_us) / 1000
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return dict(ranked[:top])


def _child(
    spec: dict[str, Any], runtime: Runtime, environment: dict[str, str], *, importtime: bool = False
) -> dict[str, Any]:
    options = ["-X", "importtime"] if importtime else []
    completed = subprocess.run(  # noqa: S603 (Lambda's interpreter and our own script)
        [runtime.interpreter, "-S", "-P", *options, str(CHILD)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(_MARKER)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"cold start of {spec.get('function', 'baseline')} failed "
            f"({completed.returncode}): {completed.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(_MARKER))
    if importtime:
        result["imports_ms"] = import_profile(completed.stderr)
    return result


def _spec(
    system: System, functions: dict[str, Function], row: str, fixture: Fixture
) -> dict[str, Any]:
    if row == BASELINE:
        return {"mode": "baseline"}
    function = functions[function_of(row)]
    return {
        "mode": "function",
        "function": function.logical_id,
        "handler": function.handler,
        "code_dir": str(ROOT / function.code_uri),
        "memory": function.memory,
        "timeout": function.timeout,
        "event": event_for(system, function, fixture, row),
    }


def _environment(runtime: Runtime) -> dict[str, str]:
    """A child's environment: the runtime's, the functions' (the system built last), the
    emulator's address, and the version of the function (all the children's environments
    are of one deployed version: they share its stored pages)."""
    return runtime.environment(
        {
            "POWERTOOLS_METRICS_DISABLED": "false",
            "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            # Lambda's, in every environment of the version the template publishes
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
        }
    )


@contextmanager
def _own_system(name: str) -> Iterator[tuple[System, tuple[Fixture, ...]]]:
    """A system of its own on the running moto server, with two fixtures (for a function's
    cold start and for its restored start) and nothing else.

    One system for the whole run made a row's wait depend on the run: moto's Query reads
    every item of its table (``Table.query`` walks ``all_items()``) where DynamoDB's reads the
    partition asked for, and that table held every sample's fixture (prepared before the
    first round) and what every earlier first event wrote. A Query on a table of one
    fixture's 42 items took 7 ms on moto's server; on one of 40 fixtures' 1,680 items,
    45 ms."""
    parameters = {"DoubleOptIn": "false", "SesMaxSendRate": "100"}
    with built(parameters, prefix=name) as system:
        yield system, (prepare(system, 0), prepare(system, 1))


def _unmeasured(system: System, functions: dict[str, Function], fixture: Fixture) -> list[str]:
    """The template's functions this benchmark has no event for."""
    unmeasured = []
    for name, function in functions.items():
        try:
            event_for(system, function, fixture)
        except NoEvent:
            unmeasured.append(name)
    return unmeasured


def _sample(runtime: Runtime, row: str, name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One cold start of ``row`` and, for a function, one restored start (its SnapStart
    hooks run before the clock), both on a system of their own named ``name``; for a row of
    :data:`SERVED_BEFORE`, each event served first, untimed, by another environment."""
    if row == BASELINE:
        return _child({"mode": "baseline"}, runtime, _environment(runtime)), None
    with _own_system(name) as (system, fixtures):
        first, again = (_first_event(system, runtime, row, fixture) for fixture in fixtures)
        environment = _environment(runtime)
        cold = _child(first, runtime, environment)
        return cold, _child({**again, "snapshot": True}, runtime, environment)


def _profile(runtime: Runtime, row: str, name: str) -> dict[str, float]:
    """Where the import time of ``row``'s cold start goes (``-X importtime``, untimed), its
    first event as :func:`_sample` has it."""
    if row == BASELINE:
        result = _child({"mode": "baseline"}, runtime, _environment(runtime), importtime=True)
    else:
        with _own_system(name) as (system, fixtures):
            first = _first_event(system, runtime, row, fixtures[0])
            result = _child(first, runtime, _environment(runtime), importtime=True)
    imports: dict[str, float] = result["imports_ms"]
    return imports


def _first_event(system: System, runtime: Runtime, row: str, fixture: Fixture) -> dict[str, Any]:
    """The child's spec for ``row``'s first event on ``fixture``: served once before by
    another environment, untimed, for a row of :data:`SERVED_BEFORE`."""
    spec = _spec(system, system.template.functions(), row, fixture)
    if row in SERVED_BEFORE:
        _child(spec, runtime, _environment(runtime))
    return spec


def measure(
    runs: int,
    *,
    warmup: int = 1,
    profile_imports: bool = True,
    progress: Any = None,
    runtime: Runtime | None = None,
) -> dict[str, Any]:
    """Median cold start of every function and of the baseline, ``runs`` samples each, with
    the layer ``sam build`` ships (or ``runtime``'s)."""
    with (
        built_runtime() if runtime is None else contextlib.nullcontext(runtime) as runtime,
        moto_server(),
    ):
        with _own_system("cold-rows") as (system, fixtures):
            functions = system.template.functions()
            unmeasured = _unmeasured(system, functions, fixtures[0])
        names = [
            BASELINE,
            *(row for row in rows_of(functions) if function_of(row) not in unmeasured),
        ]
        # Once each, not timed, with -X importtime: where the import time goes.
        profiles = {
            name: _profile(runtime, name, f"cold-profile-{index}")
            for index, name in enumerate(names if profile_imports else [])
        }
        rounds = warmup + runs
        samples: dict[str, list[dict[str, Any]]] = defaultdict(list)
        restored: dict[str, list[dict[str, Any]]] = defaultdict(list)
        failures: Counter[str] = Counter()
        for round_number in range(rounds):
            turn = round_number % len(names)
            for index, name in enumerate(names[turn:] + names[:turn]):
                cold, after = _sample(runtime, name, f"cold{round_number}-{index}")
                if round_number < warmup:
                    continue
                samples[name].append(cold)
                if after is not None:
                    restored[name].append(after)
                    if not served(name, cold["answer"]) or not served(name, after["answer"]):
                        failures[name] += 1
            if progress is not None:
                progress(f"cold starts: round {round_number + 1} of {rounds}")
    baseline = statistics.median(s["total_ms"] for s in samples[BASELINE])
    rows = {}
    for name in names:
        totals = [s["total_ms"] for s in samples[name]]
        median = statistics.median(totals)
        rows[name] = {
            "runs": len(totals),
            "median_ms": median,
            "median_import_ms": statistics.median(s["import_ms"] for s in samples[name]),
            "median_first_invoke_ms": statistics.median(s["invoke_ms"] for s in samples[name]),
            "min_ms": min(totals),
            "max_ms": max(totals),
            "ratio_to_baseline": median / baseline,
            "served": len(totals) - failures[name] if name != BASELINE else None,
            "median_http_wait_ms": statistics.median(s["http_wait_ms"] for s in samples[name]),
            "http_requests": samples[name][0]["http_requests"] if samples[name] else 0,
            # Garbage collections during the first event, at most (mobilise.core.startup).
            "first_event_collections": max(s["collections"] for s in samples[name]),
            # Whether its first events loaded the template engine (all, some or none).
            "rendered": sorted({s["rendered"] for s in samples[name]}),
            "validated": sorted({s["validated"] for s in samples[name]}),
            "imports_ms": profiles.get(name, {}),
            "samples_ms": totals,
        }
        if name in restored:
            first_events = [s["total_ms"] for s in restored[name]]
            rows[name]["median_restored_ms"] = statistics.median(first_events)
            rows[name]["restored_ratio_to_baseline"] = statistics.median(first_events) / baseline
    return {
        "baseline": BASELINE,
        "functions": rows,
        "unmeasured": unmeasured,  # functions with no event here: they need one
        "runs": runs,
        "warmup_rounds": warmup,
        # What the children ran: Lambda's Python and the built layer (a temporary directory
        # unless ``runtime`` was given).
        "runtime": {"interpreter": runtime.interpreter, "layer": runtime.path[0]},
    }
