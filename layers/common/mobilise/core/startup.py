"""A function's start: its modules imported with the cyclic garbage collector paused.

Importing a function's modules makes 65,000 to 95,000 objects (boto3 and botocore, their
models, Powertools, pydantic in the API, ours) that live as long as the execution
environment, and 400 to 700 that are garbage (100 to 150 KiB). While they are made,
CPython's collector runs 35 to 47 times over the youngest of them in Lambda's Python: 25 to
35 ms of a cold start of 200 to 300 ms, for next to nothing freed (measured:
docs/performance.md, "Cold starts").

So each function's module imports this module before anything else, which pauses the
collector, and calls :func:`started` once its own code is defined. In Lambda
(``LAMBDA_TASK_ROOT`` set, one function per process, loaded once) what is alive then is
frozen: moved to the permanent generation (:func:`gc.freeze`), which no collection walks
again, so the invocations' collections walk only what they make; the garbage among it is
never freed. Outside Lambda (the tests and the local stack load function modules again and
again, with much else alive) nothing is frozen. Either way the collector runs again as it
did before, and only the first function module a process loads pauses it.

The first event makes more of the same: the clients of the services it calls, their models,
the modules only some events import (pydantic and its models with a body, Jinja2 and a
template with a page). The collector ran 5 to 14 times during a first event, 4 to 21 ms of
it (Lambda's Python, the built layer, ``gc.callbacks``), and freed tens of objects. So in
Lambda, until the first event has been served, a young collection waits for
:data:`FIRST_EVENT_THRESHOLD` new objects rather than Python's 2,000 (no first event of
the benchmark makes that many; one that makes more is still collected, every that many, so
memory stays bounded); then :func:`served` freezes what the first event left alive and gives
Python's thresholds back. Every handler's tracer wrapper calls it after each invocation
(:class:`mobilise.core.observability.LazyTracer`); all but the first find nothing to do.
"""

from __future__ import annotations

import gc
import os

#: New objects (less those freed) before a young collection, until the first event is served.
FIRST_EVENT_THRESHOLD = 100_000

_WAS_ENABLED = gc.isenabled()
_THRESHOLDS = gc.get_threshold()  # Python's, given back after the first event
_first_event = False  # until the first event is served in Lambda: what served() undoes
gc.disable()


def started() -> None:
    """The function's module is loaded: in Lambda only, freeze what is alive and let the first
    event make :data:`FIRST_EVENT_THRESHOLD` objects before a collection; then let the
    collector run again if it ran before this module paused it."""
    global _first_event
    if os.environ.get("LAMBDA_TASK_ROOT"):
        gc.freeze()
        gc.set_threshold(FIRST_EVENT_THRESHOLD, *_THRESHOLDS[1:])
        _first_event = True
    if _WAS_ENABLED:
        gc.enable()


def served() -> None:
    """An event was served. After the first in Lambda: freeze what it left alive (clients,
    models, the modules it imported), and give Python's thresholds back."""
    global _first_event
    if _first_event:
        _first_event = False
        gc.freeze()
        gc.set_threshold(*_THRESHOLDS)
