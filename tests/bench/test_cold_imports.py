"""What each function imports at its cold start: the heavy modules only some events need must
not be among them (issue 14). Each handler module is loaded in a fresh interpreter, as Lambda
loads it, with tracing on as in Lambda (``LAMBDA_TASK_ROOT`` set) but the invocation not yet
sampled; the test reads ``sys.modules`` there. Not a timing: `make bench` times them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from mobilise_local.fake_aws import FAKE_AWS
from mobilise_local.template import ROOT, read

#: Only some events need these; ``None``: no function may import it before its first event.
HEAVY = {
    "aws_xray_sdk": None,  # the Tracer: built on the first sampled invocation
    "icalendar": None,  # the api's calendar route only
    "aws_lambda_powertools.event_handler": {"ApiFunction"},
}

#: The functions that send or render emails on every event load the renderer at import.
RENDERING = {"jinja2", "babel", "css_inline"}
RENDERS_ON_EVERY_EVENT = {"DeliverFunction"}

_PROBE = """
import json, sys
sys.path.insert(0, {infra!r})
from mobilise_local.runtime import load_handler
load_handler({code_dir!r}, {handler!r})
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_import(logical_id: str) -> set[str]:
    function = read().functions()[logical_id]
    probe = _PROBE.format(
        infra=str(ROOT / "infra"), code_dir=str(ROOT / function.code_uri), handler=function.handler
    )
    return set(_in_lambda(probe, function.code_uri))


def _in_lambda(code: str, code_uri: str) -> Any:
    """What ``code`` prints last (JSON), run in a fresh interpreter with tracing on as in
    Lambda (``LAMBDA_TASK_ROOT`` set) and no invocation's trace header yet."""
    environment = {
        **os.environ,
        **FAKE_AWS,
        "LAMBDA_TASK_ROOT": str(ROOT / code_uri),
        "POWERTOOLS_TRACE_DISABLED": "false",
    }
    environment.pop("_X_AMZN_TRACE_ID", None)
    completed = subprocess.run(
        [sys.executable, "-P", "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout.splitlines()[-1])


def _loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


FUNCTIONS = sorted(read().functions())


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_imports_no_heavy_module_only_some_events_need(logical_id: str) -> None:
    modules = _modules_after_import(logical_id)

    for package, allowed in HEAVY.items():
        if allowed is None or logical_id not in allowed:
            assert not _loaded(modules, package), f"{logical_id} imports {package}"
    assert "boto3" in modules  # the probe did load the handler and what it imports


def test_the_functions_that_render_nothing_import_no_renderer() -> None:
    quiet = ["FanoutFunction", "SesEventsFunction", "SweeperFunction"]

    for logical_id in quiet:
        modules = _modules_after_import(logical_id)
        assert not [p for p in RENDERING | {"email_validator"} if _loaded(modules, p)], logical_id
    assert not RENDERS_ON_EVERY_EVENT & set(quiet)


def test_the_probe_sees_a_module_a_handler_imports() -> None:
    modules = _modules_after_import("DeliverFunction")

    assert {name.split(".")[0] for name in modules} >= RENDERING


_TRACED = """
import json, os, socket, sys
daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
daemon.bind(("127.0.0.1", 0))
daemon.settimeout(10)
os.environ["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:%d" % daemon.getsockname()[1]
from mobilise.core.observability import tracer

@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return event["n"]

root = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled="
os.environ["_X_AMZN_TRACE_ID"] = root + "0"
first = handler({"n": 1}, None)
before = "aws_xray_sdk" in sys.modules
os.environ["_X_AMZN_TRACE_ID"] = root + "1"
second = handler({"n": 2}, None)
sent = daemon.recv(65536).decode()
print(json.dumps([first, before, second, sent]))
"""


def test_a_sampled_invocation_is_traced_and_an_unsampled_one_loads_no_x_ray_sdk() -> None:
    first, loaded_before, second, sent = _in_lambda(_TRACED, "functions/sweeper")
    assert (first, loaded_before, second) == (1, False, 2)
    header, document = sent.split("\n", 1)
    assert json.loads(header) == {"format": "json", "version": 1}
    subsegment = json.loads(document)
    assert subsegment["name"] == "## handler"
    assert subsegment["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert subsegment["annotations"] == {"ColdStart": False, "Service": "mobilise"}
