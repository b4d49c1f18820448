"""Issue 6, item 3: template.yaml and the code cannot drift apart.

The SAM template is translated offline to plain CloudFormation (``aws-sam-translator``,
as ``sam deploy`` does) and created as a stack of moto's CloudFormation; the tests
then read what moto created and hold it against what the code expects:

- the table has the keys and indexes of the PynamoDB models, the idempotency table
  the key Powertools writes;
- every queue a function reads has a dead-letter queue, and the queues the code
  sends to are read by the functions that handle their messages;
- every function's environment resolves to the stack and is exactly what
  ``mobilise.core.config.Settings`` reads;
- every handler imports and can be called;
- the API routes of the template and of ``mobilise.api.app`` are the same.

Each check returns the problems it found, so that the tests at the end can show
it failing on a mutated copy of the template. What moto cannot create is dropped by
type, with the reason, in ``mobilise_local.cloudformation.UNDEPLOYABLE``.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws
from pynamodb.attributes import TTLAttribute

from mobilise.core.config import Settings, SettingsError
from mobilise.table.models import MODELS
from mobilise_local import cloudformation, openapi
from mobilise_local.cloudformation import NO_MODEL, UNDEPLOYABLE, Deployed
from mobilise_local.lambdas import load_handler
from mobilise_local.runtime import Context
from mobilise_local.template import Function, read
from tests.fake_aws import use_fake_aws
from tests.integration.harness import reset_process_caches

app = openapi.resolver()  # every route, as Powertools declares them for the document

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
LAMBDA = "AWS::Lambda::Function"

#: The settings that name a resource of the stack, and the type the code expects it to be.
#: A variable bound to a resource that is not listed here is reported: say what it is.
RESOURCE_SETTINGS = {
    "TABLE_NAME": TABLE,
    "IDEMPOTENCY_TABLE_NAME": TABLE,
    "PUBLISH_QUEUE_URL": QUEUE,
    "DELIVERY_QUEUE_URL": QUEUE,
    "SIGNING_SECRET_ARN": "AWS::SecretsManager::Secret",
    "ORIGIN_SECRET_ARN": "AWS::SecretsManager::Secret",
    "SES_CONFIGURATION_SET": "AWS::SES::ConfigurationSet",
    "PHOTOS_BUCKET": "AWS::S3::Bucket",
    "ALARM_TOPIC_ARN": "AWS::SNS::Topic",
}

#: The queues the code sends to, and the handler that must read what it sends there.
QUEUE_READERS = {
    "PUBLISH_QUEUE_URL": "fanout_function.handler",
    "DELIVERY_QUEUE_URL": "deliver_function.handler",
}

#: Variables read by Powertools, not by the settings.
POWERTOOLS = "POWERTOOLS_"
#: SQS keeps a message's first enqueue time in its dead-letter queue: a DLQ must keep
#: messages longer than its source queue, or they expire there early (14 days at most).
MAX_RETENTION = 14 * 24 * 3600
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# --- The stack ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packaged() -> Iterator[dict[str, Any]]:
    """moto for the module, fake credentials, and the SAM template packaged into its S3 once."""
    with pytest.MonkeyPatch.context() as patch:
        use_fake_aws(patch)
        with mock_aws():
            yield cloudformation.package(cloudformation.sam_document())


@pytest.fixture(scope="module")
def deployed(packaged: dict[str, Any]) -> Deployed:
    """template.yaml, as it is, deployed with its default parameters."""
    return cloudformation.deploy(cloudformation.translate(packaged))


_variants = itertools.count()


def deploy_variant(packaged: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> Deployed:
    """A mutated copy of the template, deployed as another stack of the same moto account."""
    document = copy.deepcopy(packaged)
    change(document)
    return cloudformation.deploy(
        cloudformation.translate(document), stack_name=f"variant-{next(_variants)}"
    )


@dataclass(frozen=True)
class DeployedFunction:
    logical_id: str
    arn: str
    handler: str
    timeout: int
    environment: dict[str, str]


def functions_of(stack: Deployed) -> dict[str, DeployedFunction]:
    """The Lambda functions moto created, as ``GetFunctionConfiguration`` describes them."""
    client = boto3.client("lambda")
    found = {}
    for logical_id, name in stack.of_type(LAMBDA).items():
        config = client.get_function_configuration(FunctionName=name)
        variables = config.get("Environment", {}).get("Variables", {})
        found[logical_id] = DeployedFunction(
            logical_id=logical_id,
            arn=config["FunctionArn"],
            handler=config["Handler"],
            timeout=int(config["Timeout"]),
            # moto keeps a Number parameter as a number; Lambda (and CloudFormation) a string.
            environment={name: str(value) for name, value in variables.items()},
        )
    return found


def logical_id_of(stack: Deployed, physical_id: str) -> str | None:
    return next((k for k, v in stack.physical_ids.items() if v == physical_id), None)


# --- Checks: each returns what it found wrong ---------------------------------------------------


def deployment_problems(stack: Deployed) -> list[str]:
    """Everything not dropped by type was created; the dropped list is current."""
    from moto.cloudformation.parsing import get_model_map

    problems = []
    for name in sorted(stack.template["Resources"].keys() - stack.types.keys()):
        problems.append(f"{name}: in the deployed template, but moto did not create it")
    translated_types = {r["Type"] for r in stack.translated["Resources"].values()}
    for kind in sorted(UNDEPLOYABLE.keys() - translated_types):
        problems.append(f"UNDEPLOYABLE lists {kind}, which the template no longer has")
    for kind, reason in sorted(UNDEPLOYABLE.items()):
        if reason == NO_MODEL and kind in get_model_map():
            problems.append(f"moto's CloudFormation can now create {kind}: deploy it")
    return problems


def _schema_of_models() -> dict[str, Any]:
    """The table the models expect: what PynamoDB's own create_table would ask for."""
    keys: set[tuple[str, str]] = set()
    types: dict[str, str] = {}
    indexes: dict[str, dict[str, Any]] = {"global": {}, "local": {}}
    for model in MODELS:
        schema: Any = model._get_schema()  # what PynamoDB's create_table sends
        keys |= {(k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]}
        types.update(
            {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        )
        for scope in ("global", "local"):
            for index in schema[f"{scope}_secondary_indexes"]:
                indexes[scope][index["index_name"]] = {
                    "keys": _keys(index["key_schema"]),
                    "projection": _projection(index["projection"]),
                }
    return {"keys": sorted(keys, key=lambda k: k[1]), "types": types, "indexes": indexes}


def _keys(schema: list[Any]) -> list[tuple[str, str]]:
    """A key schema as sorted (attribute, HASH|RANGE) pairs: the hash key first."""
    return sorted(((k["AttributeName"], k["KeyType"]) for k in schema), key=lambda k: k[1])


def _projection(projection: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    return projection["ProjectionType"], tuple(sorted(projection.get("NonKeyAttributes", [])))


def _ttl_attribute(stack: Deployed, logical_id: str) -> str | None:
    # moto's CloudFormation ignores TimeToLiveSpecification: read it from what was deployed.
    ttl = stack.template["Resources"][logical_id]["Properties"].get("TimeToLiveSpecification")
    return ttl["AttributeName"] if ttl and ttl.get("Enabled") else None


def _tables_named_by(stack: Deployed, variable: str) -> tuple[list[str], dict[str, str]]:
    """The tables (logical id -> name) that functions find in ``variable``, and problems."""
    problems = []
    tables = {}
    names = {f.environment.get(variable) for f in functions_of(stack).values()} - {None}
    for name in sorted(n for n in names if n is not None):
        logical_id = logical_id_of(stack, name)
        if logical_id is None or stack.types[logical_id] != TABLE:
            problems.append(f"{variable}={name!r} is no table of the stack")
        else:
            tables[logical_id] = name
    return problems, tables


def table_problems(stack: Deployed) -> list[str]:
    """The table of TABLE_NAME has the keys, attribute types, indexes and TTL of the models."""
    problems, tables = _tables_named_by(stack, "TABLE_NAME")
    expected = _schema_of_models()
    for logical_id, name in tables.items():
        table: Any = boto3.client("dynamodb").describe_table(TableName=name)["Table"]
        keys = _keys(table["KeySchema"])
        if keys != expected["keys"]:
            problems.append(f"{logical_id}: keys {keys}, the models {expected['keys']}")
        types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
        for attribute, kind in sorted(expected["types"].items()):
            if types.get(attribute) != kind:
                problems.append(
                    f"{logical_id}: {attribute} is {types.get(attribute)}, the models say {kind}"
                )
        for scope, listed in (
            ("global", "GlobalSecondaryIndexes"),
            ("local", "LocalSecondaryIndexes"),
        ):
            found = {
                index["IndexName"]: {
                    "keys": _keys(index["KeySchema"]),
                    "projection": _projection(index["Projection"]),
                }
                for index in table.get(listed) or []
            }
            wanted = expected["indexes"][scope]
            for index in sorted(wanted.keys() - found.keys()):
                problems.append(f"{logical_id}: no {scope} index {index!r}, which the models query")
            for index in sorted(found.keys() - wanted.keys()):
                problems.append(f"{logical_id}: {scope} index {index!r} has no model")
            for index in sorted(wanted.keys() & found.keys()):
                for part in ("keys", "projection"):
                    if found[index][part] != wanted[index][part]:
                        problems.append(
                            f"{logical_id}: index {index!r} {part} {found[index][part]}, "
                            f"the models {wanted[index][part]}"
                        )
        # DynamoDB expires items on one attribute a table: every TTLAttribute must be it.
        ttl = _ttl_attribute(stack, logical_id)
        for model in MODELS:
            for attribute in model.get_attributes().values():
                if isinstance(attribute, TTLAttribute) and attribute.attr_name != ttl:
                    problems.append(
                        f"{model.__name__}.{attribute.attr_name} is a TTL attribute, but "
                        f"{logical_id} expires items on {ttl}"
                    )
    return problems


def idempotency_problems(stack: Deployed) -> list[str]:
    """The table of IDEMPOTENCY_TABLE_NAME takes the records Powertools writes (as the code
    builds its persistence layer: ``DynamoDBPersistenceLayer(table_name=...)``)."""
    problems, tables = _tables_named_by(stack, "IDEMPOTENCY_TABLE_NAME")
    for logical_id, name in tables.items():
        persistence = DynamoDBPersistenceLayer(table_name=name)
        wanted = [(persistence.key_attr, "HASH")]
        if persistence.sort_key_attr:
            wanted.append((persistence.sort_key_attr, "RANGE"))
        table = boto3.client("dynamodb").describe_table(TableName=name)["Table"]
        keys = _keys(table["KeySchema"])
        if keys != wanted:
            problems.append(f"{logical_id}: keys {keys}, Powertools writes {wanted}")
        ttl = _ttl_attribute(stack, logical_id)
        if ttl != persistence.expiry_attr:
            problems.append(
                f"{logical_id} expires items on {ttl}, Powertools sets {persistence.expiry_attr}"
            )
        failure = _idempotent_twice(persistence)
        if failure is not None:
            problems.append(f"{logical_id}: {failure}")
    return problems


def _idempotent_twice(persistence: DynamoDBPersistenceLayer) -> str | None:
    """What goes wrong when Powertools keeps a record in the table and finds it again."""
    calls: list[str] = []
    config = IdempotencyConfig(event_key_jmespath="id")
    config.register_lambda_context(cast(LambdaContext, Context("contract", 128, 60)))

    @idempotent_function(
        data_keyword_argument="payload", config=config, persistence_store=persistence
    )
    def once(payload: dict[str, str]) -> dict[str, str]:
        calls.append(payload["id"])
        return {"ran": payload["id"]}

    try:
        once(payload={"id": "contract"})
        once(payload={"id": "contract"})
    except Exception as error:
        return f"Powertools cannot keep a record there: {error!r}"
    if calls != ["contract"]:
        return f"an idempotent call ran {len(calls)} times"
    return None


def queue_problems(stack: Deployed) -> list[str]:
    """Every queue is read (with partial failures) or is a DLQ; every read queue has a DLQ that
    outlives it and a visibility timeout of 6 x its reader's timeout; the queues the code sends
    to are read by the handlers that process their messages."""
    problems = []
    urls = stack.of_type(QUEUE)
    sqs = boto3.client("sqs")
    attributes = {
        name: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        for name, url in urls.items()
    }
    by_arn = {attrs["QueueArn"]: name for name, attrs in attributes.items()}
    functions = {f.arn: f for f in functions_of(stack).values()}
    mappings = [
        mapping
        for mapping in boto3.client("lambda").list_event_source_mappings()["EventSourceMappings"]
        if mapping["FunctionArn"] in functions and mapping["EventSourceArn"] in by_arn
    ]
    readers: dict[str, set[str]] = {name: set() for name in urls}
    # moto does not create SNS subscriptions: the queues their RedrivePolicy names are read
    # from the template (SNS sends there what it could not deliver).
    dead_letter_queues = {
        named[0]
        for name in stack.dropped
        if (named := _named(_redrive_target(stack.translated["Resources"][name])))
        and named[0] in urls
    }
    for mapping in mappings:
        queue = by_arn[mapping["EventSourceArn"]]
        reader = functions[mapping["FunctionArn"]]
        readers[queue].add(reader.handler)
        if "ReportBatchItemFailures" not in mapping.get("FunctionResponseTypes", []):
            problems.append(f"{reader.logical_id} reads {queue} without partial batch failures")
        visibility = int(attributes[queue]["VisibilityTimeout"])
        if visibility < 6 * reader.timeout:
            problems.append(
                f"{queue}: visibility timeout {visibility} s < 6 x {reader.logical_id}'s "
                f"timeout ({reader.timeout} s)"
            )
        redrive = attributes[queue].get("RedrivePolicy")
        if redrive is None:
            problems.append(f"{queue} (read by {reader.logical_id}) has no dead-letter queue")
            continue
        policy = json.loads(redrive)
        dead_letter_queue = by_arn.get(policy["deadLetterTargetArn"])
        if dead_letter_queue is None:
            problems.append(f"{queue}: its dead-letter queue is not in the stack")
            continue
        dead_letter_queues.add(dead_letter_queue)
        if int(policy["maxReceiveCount"]) < 1:
            problems.append(f"{queue}: maxReceiveCount {policy['maxReceiveCount']}")
        kept = int(attributes[dead_letter_queue]["MessageRetentionPeriod"])
        source = int(attributes[queue]["MessageRetentionPeriod"])
        if kept <= source and kept < MAX_RETENTION:
            problems.append(
                f"{dead_letter_queue} keeps messages {kept} s, no longer than {queue} ({source} s)"
            )
    for queue, found in sorted(readers.items()):
        if not found and queue not in dead_letter_queues:
            problems.append(f"{queue}: no function reads it and it is no dead-letter queue")
    for function in functions.values():
        for variable, handler in QUEUE_READERS.items():
            url = function.environment.get(variable)
            if url is None:
                continue  # reported by the settings' check
            target = logical_id_of(stack, url)
            read_by = sorted(readers.get(target, set())) if target else []
            if handler not in read_by:
                problems.append(
                    f"{function.logical_id}: {variable} is {target or url}, read by "
                    f"{read_by or 'nobody'}; the code expects {handler} to read it"
                )
    return problems


def _redrive_target(resource: dict[str, Any]) -> Any:
    return resource.get("Properties", {}).get("RedrivePolicy", {}).get("deadLetterTargetArn")


def _named(expression: Any) -> tuple[str, str | None] | None:
    """The logical id (and attribute) a ``Ref``/``Fn::GetAtt`` expression names."""
    if isinstance(expression, dict) and set(expression) == {"Ref"}:
        return str(expression["Ref"]), None
    if isinstance(expression, dict) and set(expression) == {"Fn::GetAtt"}:
        logical_id, attribute = expression["Fn::GetAtt"]
        return str(logical_id), str(attribute)
    return None


def environment_problems(stack: Deployed) -> list[str]:
    """Every variable of every function resolves to what its template expression names: a
    parameter's value, a literal, or a resource of the stack of the type the code expects."""
    problems = []
    parameters = stack.translated.get("Parameters", {})
    functions = functions_of(stack)
    declared_functions = {
        name for name, r in stack.translated["Resources"].items() if r["Type"] == LAMBDA
    }
    for name in sorted(declared_functions - functions.keys()):
        problems.append(f"{name}: not deployed")
    for logical_id, function in sorted(functions.items()):
        properties = stack.translated["Resources"][logical_id]["Properties"]
        declared = properties.get("Environment", {}).get("Variables", {})
        for variable in sorted(declared.keys() - function.environment.keys()):
            problems.append(f"{logical_id}: {variable} is declared but its value did not resolve")
        for variable, expression in sorted(declared.items()):
            value = function.environment.get(variable)
            if value is None:
                continue
            wanted_type = RESOURCE_SETTINGS.get(variable)
            named = _named(expression)
            wanted: str | None = None
            if named is None:
                if isinstance(expression, str | int | float | bool):
                    wanted = str(expression)
                elif not value or "${" in value:
                    problems.append(f"{logical_id}: {variable}={value!r} did not resolve")
                if wanted_type is not None:
                    problems.append(f"{logical_id}: {variable} should name a {wanted_type}")
            elif named[0] in parameters or named[0].startswith("AWS::"):
                wanted = stack.parameters.get(named[0])
                if wanted_type is not None:
                    problems.append(
                        f"{logical_id}: {variable} is the parameter {named[0]}; the code expects "
                        f"a {wanted_type} of the stack"
                    )
            else:
                resource, attribute = named
                kind = stack.types.get(resource) or stack.dropped.get(resource)
                if wanted_type is None:
                    problems.append(
                        f"{logical_id}: {variable} names {resource} ({kind}): add it to "
                        "RESOURCE_SETTINGS with the type the code expects"
                    )
                elif kind != wanted_type:
                    problems.append(
                        f"{logical_id}: {variable} names {resource}, a {kind}; the code expects "
                        f"a {wanted_type}"
                    )
                if resource in stack.dropped:
                    wanted = cloudformation.placeholder(
                        stack.dropped[resource], resource, attribute
                    )
                elif attribute is None:
                    wanted = stack.physical_ids.get(resource)
                elif not value or cloudformation.is_placeholder(value):
                    problems.append(f"{logical_id}: {variable}={value!r} did not resolve")
            if wanted is not None and value != wanted:
                problems.append(f"{logical_id}: {variable}={value!r}; the template says {wanted!r}")
    return problems


def _settings_variables() -> tuple[set[str], set[str]]:
    """The variables ``Settings`` reads, and those of them it cannot do without."""
    variables = Settings.variables()
    return set(variables), {name for name, needed in variables.items() if needed}


def settings_problems(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each function's variables are every required setting and nothing the code never reads
    (Powertools' aside), and ``Settings`` accepts their values."""
    problems = []
    reads, required = _settings_variables()
    for logical_id, function in sorted(functions_of(stack).items()):
        names = set(function.environment)
        for variable in sorted(required - names):
            problems.append(f"{logical_id}: {variable} is a required setting and is not set")
        for variable in sorted(n for n in names - reads if not n.startswith(POWERTOOLS)):
            problems.append(f"{logical_id}: {variable} is set but Settings never reads it")
        with monkeypatch.context() as patch:
            for variable in [v for v in os.environ if v.upper() in reads]:
                patch.delenv(variable)
            for variable, value in function.environment.items():
                patch.setenv(variable, value)
            try:
                Settings.from_environment()
            except SettingsError as error:
                fields = sorted(error.problems)
                problems.append(f"{logical_id}: Settings refuses its environment: {fields}")
    return problems


def handler_problems(
    stack: Deployed, code_uris: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Each deployed Handler, loaded from its CodeUri with its function's environment set
    (a fresh import), is a callable taking (event, context); each function has a layer."""
    problems = []
    for logical_id, function in sorted(functions_of(stack).items()):
        layers = stack.translated["Resources"][logical_id]["Properties"].get("Layers", [])
        named = [_named(layer) for layer in layers]
        # moto's Lambda drops Layers: they are read from the template.
        if not any(n and stack.types.get(n[0]) == "AWS::Lambda::LayerVersion" for n in named):
            problems.append(f"{logical_id}: no layer of the stack (mobilise ships in one)")
        if logical_id not in code_uris:
            problems.append(f"{logical_id}: no CodeUri in the template")
            continue
        local = Function(logical_id, code_uris[logical_id], function.handler, function.timeout, 128)
        module_name = function.handler.rpartition(".")[0]
        previous = sys.modules.get(module_name)
        with monkeypatch.context() as patch:
            patch.delitem(sys.modules, module_name, raising=False)
            for variable, value in function.environment.items():
                patch.setenv(variable, value)
            reset_process_caches()
            try:
                handler = load_handler(local)
                inspect.signature(handler).bind({}, None)
            except Exception as error:
                problems.append(f"{logical_id}: {function.handler} cannot be called: {error!r}")
        if previous is None:
            sys.modules.pop(module_name, None)
    reset_process_caches()
    return problems


def template_routes(translated: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(METHOD, path) -> the function it reaches, from the OpenAPI body of every RestApi."""
    routes = {}
    for resource in translated["Resources"].values():
        if resource["Type"] != "AWS::ApiGateway::RestApi":
            continue
        for path, item in resource["Properties"].get("Body", {}).get("paths", {}).items():
            for method, operation in item.items():
                if method == "x-amazon-apigateway-any-method":
                    method = "any"
                elif method not in HTTP_METHODS:
                    continue
                uri = json.dumps(operation.get("x-amazon-apigateway-integration", {}).get("uri"))
                target = re.search(r"\$\{(\w+)\.Arn\}", uri)
                routes[(method.upper(), path)] = target.group(1) if target else uri
    return routes


def code_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every route of ``mobilise.api.app``, from its OpenAPI schema."""
    schema = app.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, item in (schema.paths or {}).items()
        for method in HTTP_METHODS
        if getattr(item, method, None) is not None
    }


def route_problems(translated: dict[str, Any]) -> list[str]:
    template = template_routes(translated)
    code = code_routes()
    problems = [
        f"{m} {p}: in the template, not in mobilise.api.app"
        for m, p in sorted(template.keys() - code)
    ]
    problems += [
        f"{m} {p}: in mobilise.api.app, not in the template"
        for m, p in sorted(code - template.keys())
    ]
    targets = sorted(set(template.values()))
    if len(targets) > 1:
        problems.append(f"the routes reach several functions {targets}; the app is one")
    return problems


# --- The contract ----------------------------------------------------------------------------


def test_moto_creates_every_resource_but_the_types_listed_with_a_reason(deployed: Deployed) -> None:
    # Given template.yaml, translated and deployed into moto's CloudFormation
    # Then everything but the listed types was created, and the list is current
    assert deployment_problems(deployed) == []
    assert set(deployed.dropped.values()) <= UNDEPLOYABLE.keys()
    assert {r["Type"] for r in deployed.template["Resources"].values()}.isdisjoint(UNDEPLOYABLE)
    created = set(deployed.types.values())
    assert {LAMBDA, TABLE, QUEUE, "AWS::Lambda::EventSourceMapping", "AWS::SNS::Topic"} <= created


def test_the_table_has_the_keys_indexes_and_ttl_of_the_models(deployed: Deployed) -> None:
    assert table_problems(deployed) == []


def test_the_idempotency_table_keeps_the_records_powertools_writes(deployed: Deployed) -> None:
    assert idempotency_problems(deployed) == []


def test_every_queue_is_read_with_a_dead_letter_queue_by_the_right_function(
    deployed: Deployed,
) -> None:
    assert queue_problems(deployed) == []


def test_every_variable_of_every_function_resolves_to_the_stack(deployed: Deployed) -> None:
    assert environment_problems(deployed) == []


def test_every_function_sets_exactly_what_the_settings_read(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings_problems(deployed, monkeypatch) == []


def test_every_handler_imports_and_can_be_called(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = handler_problems(deployed, _code_uris(), monkeypatch)
    assert problems == []


def test_the_routes_of_the_template_are_the_routes_of_the_code(deployed: Deployed) -> None:
    assert route_problems(deployed.translated) == []
    # and the local stack's gateway, which reads the SAM events, has the same routes
    local = {(route.method, route.path) for route in read().routes()}
    assert local == set(template_routes(deployed.translated))


def _code_uris() -> dict[str, str]:
    return {name: function.code_uri for name, function in read().functions().items()}


# --- The contract can fail: mutated copies of the template ------------------------------------
# Each test deploys a copy of the template with one drift and asserts that the check reports
# it: the problems the variant has and template.yaml itself has not.


def _new(check: Callable[[Deployed], list[str]], base: Deployed, variant: Deployed) -> list[str]:
    before = set(check(base))
    return sorted(problem for problem in check(variant) if problem not in before)


def _api_events(document: dict[str, Any]) -> dict[str, Any]:
    events: dict[str, Any] = document["Resources"]["ApiFunction"]["Properties"]["Events"]
    return events


def _variables(document: dict[str, Any]) -> dict[str, Any]:
    variables: dict[str, Any] = document["Globals"]["Function"]["Environment"]["Variables"]
    return variables


def _translated_routes(document: dict[str, Any], base: Deployed) -> list[str]:
    before = set(route_problems(base.translated))
    after = route_problems(cloudformation.translate(document))
    return sorted(problem for problem in after if problem not in before)


def test_a_route_only_in_the_template_is_caught(
    packaged: dict[str, Any], deployed: Deployed
) -> None:
    # Given a route added to the template only
    document = copy.deepcopy(packaged)
    _api_events(document)["Extra"] = {
        "Type": "Api",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "Path": "/petitions/{petition_id}/extra",
            "Method": "delete",
        },
    }

    # Then the route check names it
    assert _translated_routes(document, deployed) == [
        "DELETE /petitions/{petition_id}/extra: in the template, not in mobilise.api.app"
    ]


def test_a_route_only_in_the_code_is_caught(packaged: dict[str, Any], deployed: Deployed) -> None:
    # Given a route of the code taken out of the template
    document = copy.deepcopy(packaged)
    del _api_events(document)["Unsubscribe"]

    # Then the route check names it
    assert _translated_routes(document, deployed) == [
        "POST /unsubscribe/{token}: in mobilise.api.app, not in the template"
    ]


def test_a_renamed_environment_variable_is_caught(
    packaged: dict[str, Any], deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given TABLE_NAME renamed in the template
    def rename(document: dict[str, Any]) -> None:
        _variables(document)["DYNAMODB_TABLE"] = _variables(document).pop("TABLE_NAME")

    variant = deploy_variant(packaged, rename)

    # Then every function misses a required setting and sets one nobody reads
    def check(stack: Deployed) -> list[str]:
        return settings_problems(stack, monkeypatch)

    problems = _new(check, deployed, variant)
    assert [p for p in problems if p.startswith("ApiFunction:")] == [
        "ApiFunction: DYNAMODB_TABLE is set but Settings never reads it",
        "ApiFunction: Settings refuses its environment: ['table_name']",
        "ApiFunction: TABLE_NAME is a required setting and is not set",
    ]
    assert len(problems) == 3 * len(functions_of(variant))


def test_a_variable_naming_the_wrong_resource_is_caught(
    packaged: dict[str, Any], deployed: Deployed
) -> None:
    # Given the publish queue's variable pointing at the delivery queue, the table's at a queue
    def misdirect(document: dict[str, Any]) -> None:
        _variables(document)["PUBLISH_QUEUE_URL"] = {"Ref": "DeliveryQueue"}
        _variables(document)["TABLE_NAME"] = {"Ref": "PublishQueue"}

    variant = deploy_variant(packaged, misdirect)

    # Then the jobs the api sends would reach the deliver function, and the table is no table
    assert (
        "ApiFunction: PUBLISH_QUEUE_URL is DeliveryQueue, read by ['deliver_function.handler']; "
        "the code expects fanout_function.handler to read it"
    ) in _new(queue_problems, deployed, variant)
    assert (
        "ApiFunction: TABLE_NAME names PublishQueue, a AWS::SQS::Queue; "
        "the code expects a AWS::DynamoDB::Table"
    ) in _new(environment_problems, deployed, variant)
    table = _new(table_problems, deployed, variant)
    assert len(table) == 1
    assert table[0].startswith("TABLE_NAME='https://sqs.")
    assert table[0].endswith("' is no table of the stack")


def test_an_outbox_index_that_drifted_from_the_models_is_caught(
    packaged: dict[str, Any], deployed: Deployed
) -> None:
    # Given the outbox index projecting keys only, sorted on another attribute
    def drift(document: dict[str, Any]) -> None:
        table = document["Resources"]["Table"]["Properties"]
        for definition in table["AttributeDefinitions"]:
            if definition["AttributeName"] == "outbox_sk":
                definition["AttributeName"] = "outbox_at"
        (index,) = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == "outbox"]
        index["KeySchema"][-1]["AttributeName"] = "outbox_at"
        index["Projection"] = {"ProjectionType": "KEYS_ONLY"}

    problems = _new(table_problems, deployed, deploy_variant(packaged, drift))

    # Then the table check names the keys, the projection and the attribute
    assert problems == [
        "Table: index 'outbox' keys [('outbox_pk', 'HASH'), ('outbox_at', 'RANGE')], the models "
        "[('outbox_pk', 'HASH'), ('outbox_sk', 'RANGE')]",
        "Table: index 'outbox' projection ('KEYS_ONLY', ()), the models "
        "('INCLUDE', ('petition_id', 'update_id'))",
        "Table: outbox_sk is None, the models say S",
    ]


def test_an_idempotency_table_keyed_otherwise_is_caught(
    packaged: dict[str, Any], deployed: Deployed
) -> None:
    # Given the idempotency table keyed on pk, as the main table
    def rekey(document: dict[str, Any]) -> None:
        table = document["Resources"]["IdempotencyTable"]["Properties"]
        table["AttributeDefinitions"] = [{"AttributeName": "pk", "AttributeType": "S"}]
        table["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"}]

    problems = _new(idempotency_problems, deployed, deploy_variant(packaged, rekey))

    # Then the schema differs and Powertools cannot write its records there
    assert len(problems) == 2
    assert problems[0].startswith("IdempotencyTable: Powertools cannot keep a record there")
    assert problems[1] == (
        "IdempotencyTable: keys [('pk', 'HASH')], Powertools writes [('id', 'HASH')]"
    )


def test_a_queue_without_dead_letter_queue_or_with_a_short_visibility_is_caught(
    packaged: dict[str, Any], deployed: Deployed
) -> None:
    # Given a delivery queue without its DLQ, and a publish queue hiding messages too briefly
    def weaken(document: dict[str, Any]) -> None:
        del document["Resources"]["DeliveryQueue"]["Properties"]["RedrivePolicy"]
        document["Resources"]["PublishQueue"]["Properties"]["VisibilityTimeout"] = 60

    problems = _new(queue_problems, deployed, deploy_variant(packaged, weaken))

    # Then both are named, and the DLQ left without a source queue too
    assert problems == [
        "DeliveryDeadLetterQueue: no function reads it and it is no dead-letter queue",
        "DeliveryQueue (read by DeliverFunction) has no dead-letter queue",
        "PublishQueue: visibility timeout 60 s < 6 x FanoutFunction's timeout (120 s)",
    ]


def test_a_handler_that_does_not_exist_is_caught(
    packaged: dict[str, Any], deployed: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a handler name with a typo
    def typo(document: dict[str, Any]) -> None:
        document["Resources"]["FanoutFunction"]["Properties"]["Handler"] = "fanout_function.handle"

    def check(stack: Deployed) -> list[str]:
        return handler_problems(stack, _code_uris(), monkeypatch)

    problems = _new(check, deployed, deploy_variant(packaged, typo))

    # Then loading it fails, and only it
    assert len(problems) == 1
    assert problems[0].startswith("FanoutFunction: fanout_function.handle cannot be called")


def test_a_resource_type_moto_cannot_create_must_be_listed_with_a_reason(
    packaged: dict[str, Any],
) -> None:
    # Given a resource of a type moto's CloudFormation does not know, and is not listed
    def add_identity(document: dict[str, Any]) -> None:
        document["Resources"]["SenderDomain"] = {
            "Type": "AWS::SES::EmailIdentity",
            "Properties": {"EmailIdentity": "example.org"},
        }

    # Then the deployment stops and says what to do, rather than skip it in silence
    with pytest.raises(ValueError, match=r"AWS::SES::EmailIdentity.*UNDEPLOYABLE"):
        deploy_variant(packaged, add_identity)


#: The functions that alert the operators on AlarmTopic (mobilise.delivery.alarms): those that
#: may meet SES pausing the account's sending (a delivery, a reminders run, a request's test
#: send or decision-maker sending: mobilise.delivery.pausing.account_refused), and the SES
#: events function, whose circuit breaker pauses an update. Without the permission, AWS
#: refuses the publish: logged, and nobody alerted.
ALERTING = {"ApiFunction", "DeliverFunction", "RemindersFunction", "SesEventsFunction"}


def test_the_functions_that_alert_the_operators_and_only_they_may_publish_on_their_topic() -> None:
    template = read()
    publishing = set()
    for name in template.functions():
        role = template.resources[name]["Properties"]["Role"].value[0]
        policies = template.resources[role]["Properties"]["Policies"]
        statements = [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]
        if any(
            statement["Action"] == "sns:Publish"
            and getattr(statement["Resource"], "value", None) == "AlarmTopic"
            for statement in statements
        ):
            publishing.add(name)

    assert publishing == ALERTING
