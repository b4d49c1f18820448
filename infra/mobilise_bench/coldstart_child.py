"""One cold start, in a fresh interpreter: ``python -P coldstart_child.py < spec.json``.

Run as a script, never imported by the benchmark. Only the standard library is loaded
before the clock starts; then either

* ``function``: the handler's module is loaded from its ``CodeUri`` under the name
  Lambda gives it (as :func:`mobilise_local.lambdas.load_module` does) and serves one
  event; or
* ``baseline``: ``import boto3`` and one client.

The last line of stdout is ``BENCH_RESULT {json}`` (the functions log to stdout too).
"""

import importlib.util
import json
import sys
import time
import uuid
from typing import Any


class Context:
    """The parts of the Lambda context object the functions use (as mobilise_local.lambdas)."""

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


def main() -> None:
    spec = json.loads(sys.stdin.read())
    started = time.perf_counter()
    if spec["mode"] == "baseline":
        import boto3

        boto3.client(spec.get("service", "sqs"))
        imported = served = time.perf_counter()
        answer = None
        waited = [0.0, 0]
    else:
        module_name, attribute = spec["handler"].rsplit(".", 1)
        path = f"{spec['code_dir']}/{module_name.replace('.', '/')}.py"
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        if loader_spec is None or loader_spec.loader is None:
            raise ImportError(f"no module at {path}")
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[module_name] = module
        loader_spec.loader.exec_module(module)
        handler = getattr(module, attribute)
        imported = time.perf_counter()
        waited = _time_http_sends()  # outside the clock: between the two measured parts
        context = Context(spec["function"], spec["memory"], spec["timeout"])
        invoked = time.perf_counter()
        answer = handler(spec["event"], context)
        served = time.perf_counter()
        served -= invoked - imported  # the instrumentation is not part of the cold start
    result = {
        "import_ms": (imported - started) * 1000,
        "invoke_ms": (served - imported) * 1000,
        "total_ms": (served - started) * 1000,
        "http_wait_ms": waited[0] * 1000,
        "http_requests": waited[1],
        "answer": answer,
    }
    sys.stdout.write("\nBENCH_RESULT " + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
