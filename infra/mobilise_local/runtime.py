"""What the Lambda runtime gives a function, with the standard library only: its context
object and its handler, loaded as Lambda loads it.

The local stack (:mod:`mobilise_local.lambdas`), the tests' in-process system and the
benchmarks' children (:mod:`mobilise_bench.coldstart_child`,
:mod:`mobilise_bench.fanout_child`) all use it. The children are fresh interpreters that
must load nothing but the standard library before their clock starts, and nothing the
function would not load into the memory they measure: this module reads no template.
"""

import importlib.util
import sys
import time
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]


class Context:
    """The parts of the Lambda context object the functions use."""

    def __init__(self, name: str, memory: int, timeout: float) -> None:
        self.function_name = name
        self.memory_limit_in_mb = memory
        self.function_version = "$LATEST"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/local"
        self.log_stream_name = "local"
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_module(code_dir: str, path_name: str, module_name: str | None = None) -> ModuleType:
    """The module ``path_name`` (dotted) loaded from ``code_dir`` as Lambda loads it: under
    the name Lambda gives it, or under ``module_name`` for a module of its own."""
    name = module_name or path_name
    path = f"{code_dir}/{path_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_handler(code_dir: str, handler: str, module_name: str | None = None) -> Handler:
    """``handler`` (``module.attribute``) loaded from ``code_dir`` (see :func:`load_module`)."""
    path_name, attribute = handler.rsplit(".", 1)
    loaded: Handler = getattr(load_module(code_dir, path_name, module_name), attribute)
    return loaded
