"""Every benchmark of :data:`mobilise_bench.sections.SECTIONS`, in order, into ``results.json``
and ``results.md``."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import time
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from mobilise_bench.console import log
from mobilise_bench.env import scoped, use_fake_aws
from mobilise_bench.report import markdown
from mobilise_bench.sections import SECTIONS, Context, Section
from mobilise_bench.sizes import FULL, SMOKE

#: Where the worker processes append what their functions print (see :func:`functions_log`).
FUNCTIONS_LOG = "MOBILISE_BENCH_FUNCTIONS_LOG"


@contextlib.contextmanager
def functions_log(path: Path, mode: str = "w") -> Iterator[IO[str]]:
    """What the functions print (Powertools logs and metrics) goes to a file, not the console;
    worker processes started meanwhile append to it too."""
    from mobilise.core.observability import logger

    handler: Any = logger.registered_handler
    with (
        path.open(mode) as stream,
        contextlib.redirect_stdout(stream),
        scoped({FUNCTIONS_LOG: str(path)}),
    ):
        previous = handler.setStream(stream)
        try:
            yield stream
        finally:
            handler.setStream(previous)


def _step(results: dict[str, Any], section: Section, context: Context) -> None:
    name = section.name
    log(f"{name}: starting")
    started = time.perf_counter()
    try:
        found = section.run(context)
    except Exception as error:
        log(f"{name}: FAILED: {error!r}")
        results.setdefault("errors", {})[name] = traceback.format_exc()
        return
    found["seconds"] = time.perf_counter() - started
    found["load_average"] = os.getloadavg()[1]  # the machine's, over the last 5 minutes
    results[name] = found
    log(f"{name}: done in {found['seconds']:.0f} s")


def _git(*arguments: str) -> str:
    git = shutil.which("git") or "git"
    return subprocess.run(  # noqa: S603 (git, read only)
        [git, *arguments], capture_output=True, text=True, check=True
    ).stdout.strip()


def _commit() -> str:
    """The commit measured, with ``+`` when the work tree differs from it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def _write(out: Path, results: dict[str, Any]) -> None:
    """``results.json`` and ``results.md``, and a copy of both under the run's date."""
    dated = out / results["started_at"].replace(":", "")
    dated.mkdir(parents=True, exist_ok=True)
    page = markdown(results, SECTIONS)
    data = json.dumps(results, indent=2, default=str) + "\n"
    for directory in (out, dated):
        (directory / "results.json").write_text(data)
        (directory / "results.md").write_text(page)


def run(out: Path, *, smoke: bool = False, only: list[str] | None = None) -> dict[str, Any]:
    """Run every section (or those named in ``only``); write ``results.json`` and
    ``results.md`` under ``out``."""
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
            "commit": _commit(),
        },
        "sizes": asdict(sizes),
    }
    context = Context(sizes, smoke)
    with functions_log(out / "functions.log"):
        try:
            for section in SECTIONS:
                if only is None or section.name in only:
                    _step(results, section, context)
        finally:
            context.close()
    results["duration_seconds"] = time.perf_counter() - started
    results["targets"] = [
        target
        for section in SECTIONS
        if section.name in results
        for target in section.targets(results[section.name])
    ]
    _write(out, results)
    if not smoke and only is None:  # a complete run: the documentation shows it
        from mobilise_bench import docs

        docs.embed(results)
        log(f"tables of {docs.PAGE} written again")
    log(f"results in {out}/results.md and results.json ({results['duration_seconds']:.0f} s)")
    return results
