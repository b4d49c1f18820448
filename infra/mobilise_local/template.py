"""``template.yaml`` as data: functions, routes, queue event sources, resources."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@dataclass(frozen=True)
class Tag:
    """A CloudFormation short-form function (``!Ref X`` -> ``Tag("Ref", "X")``)."""

    name: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


def _construct_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Tag:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Tag(suffix, value)


_Loader.add_multi_constructor("!", _construct_tag)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template, with short-form functions as :class:`Tag` values."""
    with path.open() as stream:
        document: dict[str, Any] = yaml.load(stream, Loader=_Loader)  # noqa: S506 (safe subclass)
    return document


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str  # API Gateway resource path, e.g. /petitions/{petition_id}
    authorized: bool


@dataclass(frozen=True)
class QueueSource:
    function: str
    queue: str  # logical id of the queue
    batch_size: int
    batching_window_seconds: int
    report_batch_item_failures: bool
    maximum_concurrency: Any  # a number, or !Ref to a parameter


@dataclass(frozen=True)
class Schedule:
    name: str
    function: str
    expression: str  # rate(5 minutes), cron(...)
    input: str | None = None  # the JSON EventBridge sends instead of the scheduled event

    @property
    def every_seconds(self) -> int | None:
        """The period of a ``rate(...)`` expression; None for a cron expression."""
        found = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", self.expression)
        if found is None:
            return None
        unit = {"minute": 60, "hour": 3600, "day": 86400}[found.group(2)]
        return int(found.group(1)) * unit


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    document: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.document["Resources"]
        return resources

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    @property
    def globals(self) -> dict[str, Any]:
        found: dict[str, Any] = self.document.get("Globals", {}).get("Function", {})
        return found

    def functions(self) -> dict[str, Function]:
        found = {}
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            properties = resource["Properties"]
            environment = dict(self.globals.get("Environment", {}).get("Variables", {}))
            environment.update(properties.get("Environment", {}).get("Variables", {}))
            found[name] = Function(
                logical_id=name,
                code_uri=properties["CodeUri"],
                handler=properties["Handler"],
                timeout=int(properties.get("Timeout", self.globals.get("Timeout", 3))),
                memory=int(properties.get("MemorySize", self.globals.get("MemorySize", 128))),
                environment=environment,
            )
        return found

    def _events(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        found = []
        for name, resource in self.of_type("AWS::Serverless::Function").items():
            for event_name, event in resource["Properties"].get("Events", {}).items():
                if event["Type"] == kind:
                    found.append((name, event_name, event.get("Properties", {})))
        return found

    def routes(self) -> list[Route]:
        apis = self.of_type("AWS::Serverless::Api")
        routes = []
        for function, _, properties in self._events("Api"):
            api = apis[properties["RestApiId"].value]
            default = api["Properties"].get("Auth", {}).get("DefaultAuthorizer")
            chosen = properties.get("Auth", {}).get("Authorizer", default)
            routes.append(
                Route(
                    function=function,
                    method=properties["Method"].upper(),
                    path=properties["Path"],
                    authorized=chosen not in (None, "NONE"),
                )
            )
        return routes

    def queue_sources(self) -> list[QueueSource]:
        sources = []
        for function, _, properties in self._events("SQS"):
            queue = properties["Queue"]
            sources.append(
                QueueSource(
                    function=function,
                    queue=queue.value[0],
                    batch_size=int(properties.get("BatchSize", 10)),
                    batching_window_seconds=int(
                        properties.get("MaximumBatchingWindowInSeconds", 0)
                    ),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in properties.get("FunctionResponseTypes", []),
                    maximum_concurrency=properties.get("ScalingConfig", {}).get(
                        "MaximumConcurrency"
                    ),
                )
            )
        return sources

    def schedules(self) -> dict[str, Schedule]:
        """Schedule event name -> what it runs and how often."""
        found = {}
        for kind, key in (("Schedule", "Schedule"), ("ScheduleV2", "ScheduleExpression")):
            for function, event_name, properties in self._events(kind):
                found[event_name] = Schedule(
                    event_name, function, properties[key], properties.get("Input")
                )
        return found

    def gateway_responses(self) -> dict[str, dict[str, Any]]:
        responses: dict[str, dict[str, Any]] = {}
        for api in self.of_type("AWS::Serverless::Api").values():
            responses.update(api["Properties"].get("GatewayResponses", {}))
        return responses

    def parameter_defaults(self) -> dict[str, str]:
        return {
            name: str(spec.get("Default", ""))
            for name, spec in self.document.get("Parameters", {}).items()
        }


@cache
def read() -> Template:
    return Template(load())
