"""Load and call the functions of the template as the Lambda runtime would."""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any

from mobilise_local import iam, runtime
from mobilise_local.runtime import Context, Handler
from mobilise_local.template import ROOT, Function


def load_module(function: Function) -> ModuleType:
    """The handler's module, loaded from ``CodeUri`` under the name Lambda gives it, once."""
    module_name, _ = function.handler.rsplit(".", 1)
    if module_name in sys.modules:
        return sys.modules[module_name]
    return runtime.load_module(str(ROOT / function.code_uri), module_name)


def load_handler(function: Function) -> Handler:
    _, attribute = function.handler.rsplit(".", 1)
    handler: Handler = getattr(load_module(function), attribute)
    return handler


def context_for(function: Function, timeout_seconds: float | None = None) -> Context:
    timeout = function.timeout if timeout_seconds is None else timeout_seconds
    return Context(function.logical_id, function.memory, timeout)


def invoke(function: Function, event: dict[str, Any], timeout_seconds: float | None = None) -> Any:
    """Call the function's handler, its requests checked against its role (:mod:`.iam`)."""
    with iam.acting(function.logical_id):
        return load_handler(function)(event, context_for(function, timeout_seconds))


_environments: dict[str, threading.Lock] = {}
_environments_lock = threading.Lock()


def invoke_in_environment(
    function: Function, event: dict[str, Any], timeout_seconds: float | None = None
) -> Any:
    """Invoke as Lambda does: one event at a time per execution environment.

    A process holds one copy of the handler module and of the layer's singletons (the
    Powertools resolver keeps the current event on its class): the local stack runs one
    environment per function, so one event at a time.
    """
    with _environments_lock:
        lock = _environments.setdefault(function.logical_id, threading.Lock())
    with lock:
        return invoke(function, event, timeout_seconds)
