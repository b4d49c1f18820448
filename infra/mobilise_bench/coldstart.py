"""Benchmark 3: the cold start of every function of template.yaml.

Each sample is a fresh interpreter (:mod:`mobilise_bench.coldstart_child`) that loads
the handler module and serves one minimal valid event, timed inside the child with
``time.perf_counter`` from just before the import to just after the answer: the
interpreter's own start and moto's are not in it. The AWS services are moto's server,
running in this process on a loopback port and set up before the first child, so
the child imports nothing of moto. The baseline is ``import boto3`` and one client,
timed the same way by the same script, in the same rounds. The API function has a row for
each of three first requests (:data:`API_ROWS`): what an environment loads depends on the
route it serves first, and the target is judged on every row.

Every child imports the common layer as ``sam build`` ships it (:func:`lambda_runtime`:
``sam build CommonLayer``, layers/common/Makefile), with Lambda's Python 3.13 and nothing
else on its path but the function's code, the runtime's ``snapshot_restore_py`` and
``mobilise_local.runtime``; it writes no bytecode (Lambda's /opt is read-only), so it uses
the bytecode the build wrote and compiles what the build left as source. The function's own
folder is used as it is: ``sam build`` copies it, no more (a handler module of some 40 lines
is compiled at each cold start, as on Lambda). The baseline imports the layer's boto3, with
its bytecode, as the runtime's own would be.

Rounds go through the functions in turn (the baseline among them), so noise on a
shared machine spreads over all of them alike; the first round only brings the files
into the page cache (no child writes bytecode) and is not counted.

Each function is also started once more per round with its SnapStart before-snapshot
hooks run before the clock (:mod:`mobilise.core.snapstart`): its first event as an
environment restored from a snapshot serves it. The restore itself cannot run here and is
not in that figure; the target is judged on the cold start without SnapStart.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from mobilise.delivery.messages import DeliveryMessage, FanoutMessage
from mobilise.table import models
from mobilise_bench.env import child_environment, python313
from mobilise_bench.servers import moto_server
from mobilise_bench.system import STARTER, System, built, seed_signatures, signer_email
from mobilise_local.pollers import sqs_record
from mobilise_local.template import ROOT, Function

CHILD = Path(__file__).with_name("coldstart_child.py")
BASELINE = "boto3 + client (baseline)"
_MARKER = "BENCH_RESULT "
LAYER = "CommonLayer"
PAGE = "GET /p/{id}"
WITH_BODY = "POST /petitions"


@dataclass(frozen=True)
class Runtime:
    """The interpreter a child runs and what is on its path (``PYTHONPATH``, before the
    standard library; no site-packages)."""

    interpreter: str
    path: tuple[str, ...]

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        return child_environment(
            {**extra, "PYTHONPATH": os.pathsep.join(self.path), "PYTHONDONTWRITEBYTECODE": "1"}
        )


def lambda_runtime(build_dir: Path) -> Runtime:
    """``sam build CommonLayer`` into ``build_dir`` (what ``make build`` ships) and Lambda's
    runtime beside it: Python 3.13, and ``snapshot_restore_py`` as its /var/runtime has it."""
    built = subprocess.run(  # noqa: S603 (our own build script)
        ["bash", str(ROOT / "infra" / "sam.sh"), "build", LAYER, "--build-dir", str(build_dir)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise RuntimeError(f"sam build {LAYER} failed: {built.stderr[-2000:]}")
    return runtime_for(build_dir / LAYER / "python")


def runtime_for(layer: Path) -> Runtime:
    """Lambda's Python 3.13 with ``layer`` (a built layer's ``python/``) as its /opt/python."""
    runtime = layer.parent / "runtime"  # Lambda's /var/runtime, for the SnapStart hooks
    runtime.mkdir(exist_ok=True)
    hooks = find_spec("snapshot_restore_py")
    if hooks is None or hooks.origin is None:
        raise RuntimeError("snapshot-restore-py is not installed (make install)")
    shutil.copy(hooks.origin, runtime)
    return Runtime(python313(), (str(layer), str(runtime), str(ROOT / "infra")))


@contextmanager
def built_runtime() -> Iterator[Runtime]:
    with tempfile.TemporaryDirectory(prefix="coldstart-") as build_dir:
        yield lambda_runtime(Path(build_dir))


class NoEvent(Exception):
    """A function of the template this benchmark has no event for (add one to event_for)."""


@dataclass(frozen=True)
class Fixture:
    """A petition with three signers and a published update: what one sample's event uses."""

    petition_id: str
    update_id: str
    email_hash: str
    email: str

    @property
    def shard(self) -> int:
        return models.shard_of(self.email_hash)


def prepare(system: System, index: int) -> Fixture:
    petition_id = system.create_petition(STARTER, title=f"Cold start {index}")
    tag = f"cold{index}"
    hashes = seed_signatures(petition_id, 3, tag=tag)
    reply = system.publish(petition_id, STARTER)
    if reply.status != 201:
        raise RuntimeError(f"publish answered {reply.status}: {reply.text}")
    return Fixture(petition_id, reply.json()["update_id"], hashes[0], signer_email(0, tag))


def _sqs_event(system: System, queue: str, body: str) -> dict[str, Any]:
    message = {
        "MessageId": f"cold-{time.monotonic_ns()}",
        "ReceiptHandle": "cold-start",
        "Body": body,
        "MD5OfBody": "0" * 32,
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": str(int(time.time() * 1000)),
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
        },
    }
    return {"Records": [sqs_record(message, system.queue_arn(queue))]}


def _ses_bounce(fixture: Fixture) -> str:
    event = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": fixture.email, "status": "5.1.1"}],
            "timestamp": "2026-11-24T10:00:04.000Z",
        },
        "mail": {
            "messageId": "0102018d-cold-start",
            "destination": [fixture.email],
            "tags": {"petition_id": [fixture.petition_id], "update_id": [fixture.update_id]},
        },
    }
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "cold-start",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:mobilise-SesEventsTopic",
            "Message": json.dumps(event),
            "Timestamp": "2026-11-24T10:00:05.000Z",
        }
    )


#: The API function's rows: the first request of an environment decides what it loads, so
#: besides the JSON read of a petition (the function's row) two first requests have their
#: own: the petition's page (what a shared link opens, the commonest first request) and a
#: request with a body (a starter's new petition; validating a body loads pydantic).
API_ROWS = {
    "ApiFunction": "GET /petitions/{id}",
    f"ApiFunction {PAGE}": PAGE,
    f"ApiFunction {WITH_BODY}": WITH_BODY,
}


def function_of(row: str) -> str:
    """The template's function a row of the table starts."""
    return row.split(" ", 1)[0]


def rows_of(functions: dict[str, Function]) -> list[str]:
    """The rows measured: one per function, the API's one per first request of API_ROWS."""
    return [row for name in functions for row in (API_ROWS if name == "ApiFunction" else [name])]


def _api_event(system: System, route: str, fixture: Fixture) -> dict[str, Any]:
    method, path = route.split(" ")
    body = None
    if route == WITH_BODY:
        body = {
            "title": f"Started by a cold start on {fixture.petition_id}",
            "description": "The first request of a fresh environment, with a body.",
            "language": "en",
            "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
        }
    path = path.replace("{id}", fixture.petition_id)
    _, event = system.api_event(method, path, body, user=STARTER if body else None)
    return event


def event_for(
    system: System, function: Function, fixture: Fixture, row: str | None = None
) -> dict[str, Any]:
    """A minimal valid event for each function of the template (for the API function,
    the first request of ``row``, its JSON read of a petition by default)."""
    name = function.logical_id
    if name == "ApiFunction":
        return _api_event(system, API_ROWS[row or name], fixture)
    if name == "FanoutFunction":
        job = FanoutMessage(
            petition_id=fixture.petition_id, update_id=fixture.update_id, shard=fixture.shard
        )
        return _sqs_event(system, "PublishQueue", job.to_json())
    if name == "DeliverFunction":
        message = DeliveryMessage(
            petition_id=fixture.petition_id,
            update_id=fixture.update_id,
            recipients=[fixture.email_hash],
        )
        return _sqs_event(system, "DeliveryQueue", message.to_json())
    if name == "SesEventsFunction":
        return _sqs_event(system, "SesEventsQueue", _ses_bounce(fixture))
    if name == "PrivacyFunction":
        return {"action": "export", "email": fixture.email}
    if name == "ModerationFunction":
        return {"action": "list"}  # an operator's first look at the held updates
    if name in ("SweeperFunction", "ScheduledPublishFunction"):
        return _scheduled_event(name)
    if name == "RemindersFunction":
        return {"job": "nudges"}  # the schedule's Input
    raise NoEvent(name)


def _scheduled_event(rule: str) -> dict[str, Any]:
    return {
        "version": "0",
        "source": "aws.events",
        "detail-type": "Scheduled Event",
        "resources": [f"arn:aws:events:eu-west-1:123456789012:rule/{rule}"],
        "detail": {},
    }


def served(row: str, answer: Any) -> bool:
    """Whether the one event was served without an error."""
    if row.startswith("ApiFunction"):
        expected = 201 if row.endswith(WITH_BODY) else 200
        return isinstance(answer, dict) and answer.get("statusCode") == expected
    if row == "PrivacyFunction":
        return isinstance(answer, dict) and bool(answer.get("signatures"))
    if row == "ModerationFunction":
        return isinstance(answer, dict) and isinstance(answer.get("held"), list)
    if isinstance(answer, dict) and "batchItemFailures" in answer:
        return not answer["batchItemFailures"]
    return answer is not None


def import_profile(stderr: str, top: int = 8) -> dict[str, float]:
    """Milliseconds of import by top-level package, from ``python -X importtime``."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _, name = (part.strip() for part in re.split(r"[:|]", line, maxsplit=3))
        package = name.split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(self_us) / 1000
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return dict(ranked[:top])


def _child(
    spec: dict[str, Any], runtime: Runtime, environment: dict[str, str], *, importtime: bool = False
) -> dict[str, Any]:
    options = ["-X", "importtime"] if importtime else []
    completed = subprocess.run(  # noqa: S603 (Lambda's interpreter and our own script)
        [runtime.interpreter, "-S", "-P", *options, str(CHILD)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(_MARKER)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"cold start of {spec.get('function', 'baseline')} failed "
            f"({completed.returncode}): {completed.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(_MARKER))
    if importtime:
        result["imports_ms"] = import_profile(completed.stderr)
    return result


def _spec(
    system: System, functions: dict[str, Function], row: str, fixture: Fixture
) -> dict[str, Any]:
    if row == BASELINE:
        return {"mode": "baseline"}
    function = functions[function_of(row)]
    return {
        "mode": "function",
        "function": function.logical_id,
        "handler": function.handler,
        "code_dir": str(ROOT / function.code_uri),
        "memory": function.memory,
        "timeout": function.timeout,
        "event": event_for(system, function, fixture, row),
    }


def measure(
    runs: int,
    *,
    warmup: int = 1,
    profile_imports: bool = True,
    progress: Any = None,
    runtime: Runtime | None = None,
) -> dict[str, Any]:
    """Median cold start of every function and of the baseline, ``runs`` samples each, with
    the layer ``sam build`` ships (or ``runtime``'s)."""
    with (
        built_runtime() if runtime is None else contextlib.nullcontext(runtime) as runtime,
        moto_server(),
        built({"DoubleOptIn": "false", "SesMaxSendRate": "100"}) as system,
    ):
        functions = system.template.functions()
        rounds = warmup + runs
        # One fixture per sample (a first event on a fresh petition), one for the profile.
        fixtures = [prepare(system, index) for index in range(2 * rounds + 1)]
        environment = runtime.environment(
            {
                "POWERTOOLS_METRICS_DISABLED": "false",
                "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            }
        )
        unmeasured = []
        for name, function in functions.items():
            try:
                event_for(system, function, fixtures[0])
            except NoEvent:
                unmeasured.append(name)
        names = [
            BASELINE,
            *(row for row in rows_of(functions) if function_of(row) not in unmeasured),
        ]
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        restored: dict[str, list[dict[str, Any]]] = {name: [] for name in names[1:]}
        failures: dict[str, int] = {name: 0 for name in names}
        for round_number in range(rounds):
            turn = round_number % len(names)
            for name in names[turn:] + names[:turn]:
                spec = _spec(system, functions, name, fixtures[round_number])
                result = _child(spec, runtime, environment)
                if name != BASELINE:
                    # The same function once more, its SnapStart hooks run before the clock.
                    again = _spec(system, functions, name, fixtures[rounds + round_number])
                    after = _child({**again, "snapshot": True}, runtime, environment)
                if round_number >= warmup:
                    samples[name].append(result)
                    if name != BASELINE:
                        restored[name].append(after)
                        if not served(name, result["answer"]) or not served(name, after["answer"]):
                            failures[name] += 1
            if progress is not None:
                progress(f"cold starts: round {round_number + 1} of {rounds}")
        # Once more each, not timed, with -X importtime: where the import time goes.
        profiles = {
            name: _child(
                _spec(system, functions, name, fixtures[-1]), runtime, environment, importtime=True
            )["imports_ms"]
            for name in (names if profile_imports else [])
        }
    baseline = statistics.median(s["total_ms"] for s in samples[BASELINE])
    rows = {}
    for name in names:
        totals = [s["total_ms"] for s in samples[name]]
        median = statistics.median(totals)
        rows[name] = {
            "runs": len(totals),
            "median_ms": median,
            "median_import_ms": statistics.median(s["import_ms"] for s in samples[name]),
            "median_first_invoke_ms": statistics.median(s["invoke_ms"] for s in samples[name]),
            "min_ms": min(totals),
            "max_ms": max(totals),
            "ratio_to_baseline": median / baseline,
            "served": len(totals) - failures[name] if name != BASELINE else None,
            "median_http_wait_ms": statistics.median(s["http_wait_ms"] for s in samples[name]),
            "http_requests": samples[name][0]["http_requests"] if samples[name] else 0,
            # Garbage collections during the first event, at most (mobilise.core.startup).
            "first_event_collections": max(s["collections"] for s in samples[name]),
            "imports_ms": profiles.get(name, {}),
            "samples_ms": totals,
        }
        if name in restored:
            first_events = [s["total_ms"] for s in restored[name]]
            rows[name]["median_restored_ms"] = statistics.median(first_events)
            rows[name]["restored_ratio_to_baseline"] = statistics.median(first_events) / baseline
    return {
        "baseline": BASELINE,
        "functions": rows,
        "unmeasured": unmeasured,  # functions with no event here: they need one
        "runs": runs,
        "warmup_rounds": warmup,
        # What the children ran: Lambda's Python and the built layer (a temporary directory
        # unless ``runtime`` was given).
        "runtime": {"interpreter": runtime.interpreter, "layer": runtime.path[0]},
    }
