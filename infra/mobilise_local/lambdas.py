"""Load and call the functions of the template as the Lambda runtime would."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from mobilise_local.template import ROOT, Function

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Context:
    """The parts of the Lambda context object the functions use."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: float
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        region = "eu-west-1"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{region}:123456789012:function:{self.function_name}"
        )

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_module(function: Function) -> ModuleType:
    """The handler's module, loaded from ``CodeUri`` under the name Lambda gives it."""
    module_name, _ = function.handler.rsplit(".", 1)
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = ROOT / function.code_uri / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{function.logical_id}: no module at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def load_handler(function: Function) -> Handler:
    _, attribute = function.handler.rsplit(".", 1)
    handler: Handler = getattr(load_module(function), attribute)
    return handler


def context_for(function: Function, timeout_seconds: float | None = None) -> Context:
    return Context(
        function_name=function.logical_id,
        memory_limit_in_mb=function.memory,
        timeout_seconds=function.timeout if timeout_seconds is None else timeout_seconds,
    )


def invoke(function: Function, event: dict[str, Any], timeout_seconds: float | None = None) -> Any:
    return load_handler(function)(event, context_for(function, timeout_seconds))


_environments: dict[str, threading.Lock] = {}
_environments_lock = threading.Lock()


def invoke_in_environment(
    function: Function, event: dict[str, Any], timeout_seconds: float | None = None
) -> Any:
    """Invoke as Lambda does: one event at a time per execution environment.

    A process holds one copy of the handler module and of the layer's singletons (the
    Powertools resolver keeps the current event on its class, a batch processor its
    records): the local stack runs one environment per function, so one event at a time.
    """
    with _environments_lock:
        lock = _environments.setdefault(function.logical_id, threading.Lock())
    with lock:
        return invoke(function, event, timeout_seconds)
