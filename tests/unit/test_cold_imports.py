"""What each function imports at its cold start (issue 14): the heavy modules only some events
need must not be among them, and SnapStart's hook imports them before the snapshot instead.
Each handler module is loaded in a fresh interpreter, as Lambda loads it, with tracing on as
in Lambda (``LAMBDA_TASK_ROOT`` set) but the invocation not yet sampled; the test reads
``sys.modules`` there. Every function of template.yaml is checked, those added later too.
Not a timing: `make bench` times them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from mobilise.api import MODULES
from mobilise_local.fake_aws import FAKE_AWS
from mobilise_local.template import ROOT, read

TEMPLATES = "layers/common/mobilise/emails/templates"
#: The functions that may have each heavy module loaded once their handler module is
#: imported: those whose every event uses it. Any other loads it with the first event that
#: needs it, or never. Every direct dependency of the layer is here, and the parts of
#: Powertools and of our own code that only some functions use.
AT_INIT: dict[str, frozenset[str]] = {
    "aws_xray_sdk": frozenset(),  # the Tracer: built on the first sampled invocation
    "icalendar": frozenset(),  # the api's calendar route only
    "altcha": frozenset(),  # signing's proof of work: with the signing routes
    "babel": frozenset(),  # none: not in the layer (mobilise.i18n.cldr writes numbers and dates)
    # Settings are read by their model (mobilise.core.config), with none of these:
    "pydantic_settings": frozenset(),
    "dotenv": frozenset(),
    "argparse": frozenset(),
    # Powertools' event handler writes the API's document (mobilise_local.openapi); the api
    # function serves its routes with mobilise.api.http.
    "aws_lambda_powertools.event_handler": frozenset(),
    # Powertools' batch utility imports asyncio and every one of its event classes: the
    # queues' functions answer partial batches with mobilise.core.batches. The event handler
    # imports them too. The parser: none (our own code reads the records and requests).
    "aws_lambda_powertools.utilities.batch": frozenset(),
    "aws_lambda_powertools.utilities.data_classes": frozenset(),
    "asyncio": frozenset(),
    "aws_lambda_powertools.utilities.parser": frozenset(),
    # Confirmations' idempotency (mobilise.delivery.confirmations): the deliver function
    # imports it with its first confirmation; erasure imports it to name the records it
    # deletes, an export does not. A person's digest: with the first digest message.
    "aws_lambda_powertools.utilities.idempotency": frozenset(),
    "mobilise.delivery.confirmations": frozenset(),
    "mobilise.digests.sending": frozenset(),
    "mobilise.digests.compose": frozenset(),
    # The renderer (mobilise.emails.rendering: Jinja2, css-inline): an update's email was
    # rendered when it was released (mobilise.table.update_emails); the deliver function
    # imports it with its first confirmation, digest, or update released without one.
    "jinja2": frozenset(),
    "markupsafe": frozenset(),
    "css_inline": frozenset(),
    "mobilise.emails.rendering": frozenset(),
    # Signing's full check of an address (the API's first signature); the privacy function
    # looks addresses up by their hash (mobilise.core.operator_requests.email_address).
    "email_validator": frozenset(),
    # pydantic: the API's request and answer models only, which come with the routes of a
    # request, and its JSON parser, with the first body. The settings, the queues' messages
    # and the operators' requests are read by our own code (40 to 60 ms of a cold start).
    "pydantic": frozenset(),
    "pydantic_core": frozenset(),
    # The API's models; the other functions release updates and tell starters through
    # mobilise.publishing.releasing, without them. The API imports them with the routes of
    # its first request, and builds the update and answer models by their first use
    # (test_no_function_builds_the_update_and_answer_models_at_init).
    "mobilise.petitions.schemas": frozenset(),
    "mobilise.publishing.schemas": frozenset(),
    # The API's routes: each with its first request (mobilise.api.ROUTES).
    **{f"mobilise.api.{name}": frozenset() for name in MODULES},
}

_PROBE = """
import json, sys
sys.path.insert(0, {infra!r})
from mobilise_local.runtime import load_handler
load_handler({code_dir!r}, {handler!r})
{then}
print(json.dumps(sorted(sys.modules)))
"""

#: The before-snapshot hooks run as Lambda's runtime runs them (in reverse order), then
#: whether the process read credentials, and which templates it holds loaded.
_SNAPSHOT = """
import boto3, snapshot_restore_py
hooks = snapshot_restore_py.get_before_snapshot()
for hook, args, kwargs in reversed(hooks):
    hook(*args, **kwargs)
rendering = sys.modules.get("mobilise.emails.rendering")
loaded = sorted(name for _, name in rendering._templates().cache.keys()) if rendering else []
no_credentials = boto3._get_default_session()._session._credentials is None
print(json.dumps([len(hooks), no_credentials, loaded]))
"""
#: The functions that render emails or pages: their snapshot holds every template loaded.
RENDERING = {
    "ApiFunction",
    "DeliverFunction",
    "ModerationFunction",
    "PrivacyFunction",
    "RemindersFunction",
    "ScheduledPublishFunction",
}


def _modules_after_import(logical_id: str, then: str = "") -> Any:
    return _probed(_PROBE, logical_id, then=then)


def _probed(template: str, logical_id: str, *, in_lambda: bool = True, **fields: str) -> Any:
    """What ``template`` (a probe loading the function's handler) prints, run as
    :func:`_in_lambda` runs it."""
    function = read().functions()[logical_id]
    probe = template.format(
        infra=str(ROOT / "infra"),
        code_dir=str(ROOT / function.code_uri),
        handler=function.handler,
        **fields,
    )
    return _in_lambda(probe, function.code_uri, in_lambda=in_lambda)


def _in_lambda(code: str, code_uri: str, *, in_lambda: bool = True) -> Any:
    """What ``code`` prints (JSON lines), run in a fresh interpreter with tracing on as in
    Lambda (``LAMBDA_TASK_ROOT`` set) and no invocation's trace header yet; or, not
    ``in_lambda``, without ``LAMBDA_TASK_ROOT``, as the tests and the local stack run."""
    environment = {
        **os.environ,
        **FAKE_AWS,
        "LAMBDA_TASK_ROOT": str(ROOT / code_uri),
        "POWERTOOLS_TRACE_DISABLED": "false",
    }
    environment.pop("_X_AMZN_TRACE_ID", None)
    if not in_lambda:
        del environment["LAMBDA_TASK_ROOT"]
    completed = subprocess.run(
        [sys.executable, "-P", "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line[:1] in "[{"]
    return lines if len(lines) > 1 else lines[-1]


def _loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


FUNCTIONS = sorted(read().functions())


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_imports_no_heavy_module_only_some_events_need(logical_id: str) -> None:
    modules = set(_modules_after_import(logical_id))

    loaded = {package for package in AT_INIT if _loaded(modules, package)}
    assert loaded == {package for package, who in AT_INIT.items() if logical_id in who}
    assert "boto3" in modules  # the probe did load the handler and what it imports


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_the_snapshot_holds_the_heavy_modules_and_no_credentials(logical_id: str) -> None:
    """Lambda's runtime runs the registered hooks before the snapshot: after them, the X-Ray
    SDK and what the function's events load lazily are imported; no credentials were read."""
    before, (hooks, no_credentials, templates), after = _modules_after_import(
        logical_id, then=f"print(json.dumps(sorted(sys.modules)))\n{_SNAPSHOT}"
    )

    assert hooks == 1
    assert no_credentials
    every = sorted(path.name for path in (ROOT / TEMPLATES).iterdir())
    assert templates == (every if logical_id in RENDERING else [])
    assert {"aws_xray_sdk.core", "aws_lambda_powertools.tracing"} <= set(after)
    assert not _loaded(set(before), "aws_xray_sdk")
    if logical_id == "ApiFunction":
        assert {"jinja2", "email_validator", "icalendar"} <= set(after) - set(before)
        assert {f"mobilise.api.{name}" for name in MODULES} <= set(after) - set(before)
    if logical_id == "DeliverFunction":
        lazy = {
            "mobilise.delivery.confirmations",
            "mobilise.digests.sending",
            "mobilise.emails.rendering",
            "jinja2",
        }
        assert lazy | {"aws_lambda_powertools.utilities.idempotency"} <= set(after) - set(before)


#: The models of the update and answer routes (and the update types' adapter) built when the
#: handler module has been imported.
_BUILT = """
from pydantic import BaseModel
built = []
for module in ("mobilise.publishing.schemas", "mobilise.answers.schemas"):
    for name, value in vars(sys.modules.get(module, json)).items():
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module:
            built += [name] if value.__pydantic_complete__ else []
adapter = getattr(sys.modules.get("mobilise.publishing.schemas"), "update_in", None)
built += ["update_in"] if adapter is not None and adapter.pydantic_complete else []
print(json.dumps(built))
"""


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_no_function_builds_the_update_and_answer_models_at_init(logical_id: str) -> None:
    """The API imports the update and answer models with its routes; most of its requests
    validate none: each model is built by its first use (``defer_build``), not at import."""
    built, _ = _modules_after_import(logical_id, then=_BUILT)

    assert built == []


def test_reading_or_starting_a_petition_imports_no_request_model_nor_pydantic() -> None:
    """The API's first request reads a petition by its id (the bench's cold start, and a
    shared petition's first visitor) or starts one: their routes' modules and what they
    import load neither pydantic nor its JSON parser, nor the request models (a new
    petition's body is read without them when it can be: mobilise.petitions.plain); a route
    whose body only a model reads does."""
    read = "from mobilise import api\napi.include('petition')"
    start = "from mobilise import api\napi.include('petitions')"
    body = "from mobilise import api\napi.include('updates')"
    reading = set(_modules_after_import("ApiFunction", then=read))
    starting = set(_modules_after_import("ApiFunction", then=start))
    writing = set(_modules_after_import("ApiFunction", then=body))

    heavy = {"pydantic", "pydantic_core", "mobilise.petitions.schemas", "mobilise.core.fields"}
    assert {"mobilise.api.petition", "mobilise.petitions.public"} <= reading
    assert {"mobilise.api.petitions", "mobilise.petitions.plain"} <= starting
    assert not {package for package in heavy if _loaded(reading, package)}
    assert not {package for package in heavy if _loaded(starting, package)}
    assert {"pydantic", "pydantic_core"} <= {p for p in heavy if _loaded(writing, p)}


def test_showing_a_petitions_page_imports_nothing_only_its_form_post_needs() -> None:
    """The petition's page is what a shared link opens: its routes' module and what it
    imports load neither pydantic, the request models, signing (and its proof of work), the
    decision-maker's answer flow nor what releases an update (its queues, its stored emails);
    the form's post imports them when it is sent."""
    shown = set(
        _modules_after_import("ApiFunction", then="from mobilise import api\napi.include('pages')")
    )

    posted_only = {
        "pydantic",
        "pydantic_core",
        "altcha",
        "mobilise.petitions.schemas",
        "mobilise.petitions.signing",
        "mobilise.answers.flow",
        "mobilise.publishing.releasing",
        "mobilise.delivery.queues",
        "mobilise.table.update_emails",
    }
    assert {"mobilise.api.pages", "mobilise.answers.shown"} <= shown
    assert not {package for package in posted_only if _loaded(shown, package)}


def test_rendering_a_page_imports_nothing_only_an_email_needs() -> None:
    """A page rendered (the renderer and every template loaded) has no MIME written, no CSS
    inlined, nothing sent; time zones come with the first event's date."""
    rendered = set(
        _modules_after_import(
            "ApiFunction",
            then="from mobilise import api\napi.include('pages', 'petition_page')\n"
            "from mobilise.emails import rendering\nrendering.load_templates()",
        )
    )

    emails_only = {"mobilise.emails.wire", "css_inline", "mobilise.delivery.ses", "zoneinfo"}
    assert {"jinja2", "mobilise.emails.rendering", "mobilise.petitions.pages"} <= rendered
    assert not {package for package in emails_only if _loaded(rendered, package)}


def test_the_deferred_update_models_validate_and_refuse_unknown_fields_as_before() -> None:
    from pydantic import ValidationError

    from mobilise.publishing import schemas

    body = {"type": "victory", "title": "We won", "body": "The council kept the library open."}
    update = schemas.update_in.validate_python(body)

    assert isinstance(update, schemas.VictoryIn)
    assert schemas.update_in.pydantic_complete
    with pytest.raises(ValidationError, match="extra_forbidden"):
        schemas.update_in.validate_python({**body, "owner": "someone else"})
    assert schemas.VictoryIn.model_validate(body) == update
    assert schemas.VictoryIn.__pydantic_complete__


def test_the_probe_sees_a_module_a_handler_imports() -> None:
    modules = _modules_after_import("DeliverFunction")

    assert {"pynamodb", "mobilise.emails.rendered"} <= {
        name if name.startswith("mobilise.") else name.split(".")[0] for name in modules
    }


_DEFERRED = """
import json, sys
from mobilise.emails import rendering
before = "jinja2" in sys.modules
slot = rendering.UNSUBSCRIBE_SLOT
import mobilise.emails.rendering as module
rendering.UNSUBSCRIBE_SLOT = "changed"
print(json.dumps([before, "jinja2" in sys.modules, slot, module.UNSUBSCRIBE_SLOT]))
"""


def test_the_renderer_is_imported_by_its_first_use_and_writes_reach_it() -> None:
    before, after, slot, written = _in_lambda(_DEFERRED, "functions/api")

    assert (before, after) == (False, True)
    assert slot == "mobilise-unsubscribe-url-slot"
    assert written == "changed"  # a test's monkeypatch through the name reaches the module


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


#: How the collector fared while the handler module was loaded (mobilise.core.startup): the
#: collections that ran, whether it runs after, how many objects were frozen, and then how
#: many of them a full collection would have found to be garbage.
_COLLECTOR = """
import gc, json, sys
sys.path.insert(0, {infra!r})
from mobilise_local.runtime import load_handler
{before}
gc.collect()
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else 0)
load_handler({code_dir!r}, {handler!r})
gc.callbacks.clear()
state = {{"collections": len(runs), "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}
gc.unfreeze()
print(json.dumps({{**state, "garbage": gc.collect()}}))
"""


def _collector(logical_id: str, *, in_lambda: bool = True, before: str = "") -> Any:
    return _probed(_COLLECTOR, logical_id, in_lambda=in_lambda, before=before)


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_loads_without_a_collection_then_freezes_what_it_loaded(
    logical_id: str,
) -> None:
    """In Lambda, no collection runs while a handler module loads (its first import pauses
    the collector), what it loaded is frozen, and the collector runs again; the garbage kept
    frozen for good is a few hundred objects."""
    state = _collector(logical_id)

    assert state["collections"] == 0
    assert state["enabled"]
    assert state["frozen"] > 10_000  # boto3, botocore, Powertools and ours
    assert state["garbage"] < 2_000


def test_outside_lambda_nothing_is_frozen_and_a_paused_collector_stays_paused() -> None:
    """The tests and the local stack load function modules again and again: nothing frozen.
    A collector its process had turned off before is left off."""
    state = _collector("SweeperFunction", in_lambda=False)
    assert (state["collections"], state["enabled"], state["frozen"]) == (0, True, 0)

    paused = _collector("SweeperFunction", before="gc.disable()")
    assert (paused["collections"], paused["enabled"]) == (0, False)


#: A handler as each function's module has it (mobilise.core.startup first, the tracer's
#: wrapper, started() last), whose events keep ``objects`` new lists alive.
_FIRST_EVENT = """
import gc, json
python = gc.get_threshold()
from mobilise.core import startup
from mobilise.core.observability import tracer
runs, kept = [], []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else 0)

@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    kept.append([[n] for n in range(event["objects"])])
    if event.get("fails"):
        raise RuntimeError("the event failed")
    return len(runs)

startup.started()
state = {{"python": python, "loaded": gc.get_threshold(), "frozen": gc.get_freeze_count()}}
try:
    state["first"] = handler({{"objects": {objects}, "fails": {fails}}}, None)
except RuntimeError:
    state["first"] = len(runs)
state["after"], state["frozen_after"] = gc.get_threshold(), gc.get_freeze_count()
state["second"] = handler({{"objects": {objects}}}, None) - state["first"]
print(json.dumps(state))
"""


def _first_event(*, objects: int, fails: bool = False, in_lambda: bool = True) -> Any:
    probe = _FIRST_EVENT.format(objects=objects, fails=fails)
    return _in_lambda(probe, "functions/sweeper", in_lambda=in_lambda)


@pytest.mark.parametrize("fails", [False, True])
def test_the_first_event_runs_without_a_collection_then_the_collector_is_pythons(
    fails: bool,
) -> None:
    """In Lambda, a first event that makes fewer than FIRST_EVENT_THRESHOLD objects runs
    without a collection; once it has ended (served or failed), what it left alive is frozen
    and Python's thresholds are back, so the second event's objects are collected as ever."""
    from mobilise.core.startup import FIRST_EVENT_THRESHOLD

    objects = FIRST_EVENT_THRESHOLD * 3 // 5
    state = _first_event(objects=objects, fails=fails)

    assert state["loaded"] == [FIRST_EVENT_THRESHOLD, *state["python"][1:]]
    assert state["first"] == 0
    assert state["after"] == state["python"]
    assert state["frozen_after"] - state["frozen"] >= objects  # the first event's, kept
    assert state["second"] > 0


def test_a_first_event_that_makes_more_objects_is_still_collected() -> None:
    """The threshold bounds what a long first event keeps uncollected: past it, the
    collector runs."""
    from mobilise.core.startup import FIRST_EVENT_THRESHOLD

    assert _first_event(objects=FIRST_EVENT_THRESHOLD * 3)["first"] >= 2


def test_outside_lambda_the_first_event_is_collected_as_any() -> None:
    state = _first_event(objects=5_000, in_lambda=False)  # the tests, the local stack
    assert state["loaded"] == state["after"] == state["python"]
    assert state["first"] > 0
    assert state["frozen_after"] == state["frozen"] == 0
