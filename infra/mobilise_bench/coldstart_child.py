"""One cold start, in a fresh interpreter: ``python -P coldstart_child.py < spec.json``.

Run as a script, never imported by the benchmark, with Lambda's Python (3.13) and the
built layer on ``PYTHONPATH`` (:func:`mobilise_bench.coldstart.lambda_runtime`). Only the
standard library (and :mod:`mobilise_local.runtime`, which uses nothing else) is loaded
before the clock starts; then either

* ``function``: the handler's module is loaded from its ``CodeUri`` under the name
  Lambda gives it (as :func:`mobilise_local.lambdas.load_module` does) and serves one
  event; or
* ``baseline``: ``import boto3`` and one client.

With ``"snapshot": true``, the function's SnapStart before-snapshot hooks run after the
import, and the clock starts after them: the first event of an environment restored from a
snapshot, the restore itself left out.

The last line of stdout is ``BENCH_RESULT {json}`` (the functions log to stdout too).
"""

import json
import os
import sys
import time
from typing import Any

from mobilise_local.runtime import Context, load_handler


def _time_http_sends() -> list[float]:
    """Sum the time botocore waits on the emulator (its HTTP sends), from now on."""
    import botocore.endpoint

    waited = [0.0, 0]
    endpoint: Any = botocore.endpoint.Endpoint
    original = endpoint._send

    def _send(self: object, request: object) -> object:
        begun = time.perf_counter()
        try:
            return original(self, request)
        finally:
            waited[0] += time.perf_counter() - begun
            waited[1] += 1

    endpoint._send = _send
    return waited


def _collections() -> int:
    """How many times the garbage collector has run in this process, all generations."""
    import gc

    return sum(generation["collections"] for generation in gc.get_stats())


def _run_snapshot_hooks() -> float:
    """Run the before-snapshot hooks the handler registered, as Lambda's runtime does before
    it takes a SnapStart snapshot (in reverse order); from now on is what a restored
    environment still does (the restore itself is not measured here)."""
    from snapshot_restore_py import get_before_snapshot

    for hook, args, kwargs in reversed(get_before_snapshot()):
        hook(*args, **kwargs)
    return time.perf_counter()


def main() -> None:
    spec = json.loads(sys.stdin.read())
    started = time.perf_counter()
    if spec["mode"] == "baseline":
        import boto3

        boto3.client(spec.get("service", "sqs"))
        imported = served = time.perf_counter()
        answer = None
        waited = [0.0, 0]
        collections = 0
    else:
        sys.path.insert(0, spec["code_dir"])  # Lambda's /var/task, first on the path
        os.environ["LAMBDA_TASK_ROOT"] = spec["code_dir"]  # as Lambda sets it
        started = time.perf_counter()
        handler = load_handler(spec["code_dir"], spec["handler"])
        if spec.get("snapshot"):
            started = _run_snapshot_hooks()
        imported = time.perf_counter()
        waited = _time_http_sends()  # outside the clock: between the two measured parts
        context = Context(spec["function"], spec["memory"], spec["timeout"])
        before = _collections()
        invoked = time.perf_counter()
        answer = handler(spec["event"], context)
        served = time.perf_counter()
        collections = _collections() - before
        served -= invoked - imported  # the instrumentation is not part of the cold start
    result = {
        "import_ms": (imported - started) * 1000,
        "invoke_ms": (served - imported) * 1000,
        "total_ms": (served - started) * 1000,
        "http_wait_ms": waited[0] * 1000,
        "http_requests": waited[1],
        "collections": collections,  # the garbage collector's, during the first event
        "rendered": "jinja2" in sys.modules,  # whether it loaded the template engine
        "validated": "pydantic" in sys.modules,  # and pydantic (a body read without it)
        "answer": answer,
    }
    sys.stdout.write("\nBENCH_RESULT " + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
