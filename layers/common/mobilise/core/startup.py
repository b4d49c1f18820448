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
"""

from __future__ import annotations

import gc
import os

_WAS_ENABLED = gc.isenabled()
gc.disable()


def started() -> None:
    """The function's module is loaded: freeze what is alive (in Lambda only), and let the
    collector run again if it ran before this module paused it."""
    if os.environ.get("LAMBDA_TASK_ROOT"):
        gc.freeze()
    if _WAS_ENABLED:
        gc.enable()
