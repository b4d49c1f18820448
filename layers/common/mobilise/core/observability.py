"""The Powertools logger, tracer and metrics, built once and imported everywhere.

The tracer is Powertools' ``Tracer``, built on the first invocation that X-Ray
samples rather than at import: building it imports the X-Ray SDK and patches
botocore (about 100 ms, a third of a cold start), which an invocation X-Ray does
not record has no use for. Lambda's active tracing still records every sampled
invocation's segment; the Tracer adds the handler's subsegment, one per AWS call
(patched at class level, so clients made before it are traced too) and the
``ColdStart`` and ``Service`` annotations.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

Handler = TypeVar("Handler", bound=Callable[..., Any])

_TRACE_HEADER = "_X_AMZN_TRACE_ID"  # set by Lambda for each invocation, with its sampling
_DISABLED = "POWERTOOLS_TRACE_DISABLED"


def sampled() -> bool:
    """Whether X-Ray records this invocation: Lambda's trace header says ``Sampled=1``
    (never outside Lambda), and Powertools' switch has not turned tracing off."""
    if os.environ.get(_DISABLED, "false").lower() in ("1", "true", "yes", "on"):
        return False
    fields = os.environ.get(_TRACE_HEADER, "").split(";")
    return "Sampled=1" in fields


def _served() -> None:
    """Tell :func:`mobilise.core.startup.served` an invocation ended, if the function's module
    imported it (each does, first); never imported here, since importing it pauses the
    collector (the tests and the local stack import this module without it)."""
    startup = sys.modules.get("mobilise.core.startup")
    if startup is not None:
        startup.served()


class LazyTracer:
    """``capture_lambda_handler`` as Powertools' Tracer offers it, the Tracer built on the
    first sampled invocation (see the module's docstring). Every handler has it, so it also
    tells :func:`mobilise.core.startup.served` that an invocation ended."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._tracer: Tracer | None = None
        self._invoked = False

    @property
    def built(self) -> bool:
        return self._tracer is not None

    def tracer(self, *, cold_start: bool = True) -> Tracer:
        if self._tracer is None:
            from aws_lambda_powertools.tracing import Tracer, tracer

            # Powertools annotates its first traced invocation as the cold start.
            tracer.is_cold_start = cold_start and tracer.is_cold_start
            self._tracer = Tracer(service=self.service)
        return self._tracer

    def capture_lambda_handler(
        self, *, capture_response: bool = True
    ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            traced: Callable[..., Any] | None = None

            @functools.wraps(handler)
            def invoke(event: Any, context: Any) -> Any:
                nonlocal traced
                first, self._invoked = not self._invoked, True
                try:
                    if not sampled():
                        return handler(event, context)
                    if traced is None:
                        traced = self.tracer(cold_start=first).capture_lambda_handler(
                            handler, capture_response=capture_response
                        )
                    return traced(event, context)
                finally:
                    _served()

            return invoke  # type: ignore[return-value]

        return decorate


logger = Logger(service="mobilise")
tracer = LazyTracer(service="mobilise")
metrics = Metrics(namespace="Mobilise", service="mobilise")
