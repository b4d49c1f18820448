"""The OpenAPI document of the HTTP API, and its reference for people:
``python -m mobilise_local.openapi`` writes ``infra/openapi.json`` and ``docs/api.md``;
``tests/unit/test_openapi.py`` checks both are current.

The routes write the contract: Powertools builds it from their decorators (summary,
description, responses, operation id, tags) and their pydantic models, declared as its event
handler declares them and served by :mod:`mobilise.api.http` (:func:`resolver`). What only the
template knows is added here: the servers, the Cognito authorizer and the routes it guards
(with their 401). A route of the app that is not an API event of the template, or the other
way round, or a route whose decorator does not describe it, stops the build.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import re
import sys
import tomllib
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler import Response as TheirResponse
from aws_lambda_powertools.event_handler.openapi import params as their
from aws_lambda_powertools.event_handler.openapi.models import (
    HTTPBearer,
    Server,
    ServerVariable,
    Tag,
)
from pydantic import AfterValidator, BaseModel, StringConstraints

from mobilise.api import contract, everything, http
from mobilise.core import fields
from mobilise.petitions import schemas as petition_schemas
from mobilise.publishing import schemas as publishing_schemas
from mobilise_local import api_reference
from mobilise_local.template import ROOT, Template, read

OUTPUT = ROOT / "infra" / "openapi.json"
REFERENCE = ROOT / "docs" / "api.md"
LOCAL_URL = "http://127.0.0.1:3000"  # make run
SECURITY_SCHEME = "CognitoAuthorizer"  # the authorizer's name in template.yaml
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: What Powertools says of a route its decorator does not describe.
_UNDESCRIBED = "Successful Response"
_POWERTOOLS_422 = {"$ref": contract.REF + "HTTPValidationError"}
UNAUTHORIZED = contract.refused("unauthorized", "No valid Cognito ID token in Authorization.")


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        found: str = tomllib.load(stream)["project"]["version"]
    return found


@functools.cache
def resolver() -> APIGatewayRestResolver:
    """Powertools' resolver with every route of the API, each declared as the API serves
    it: its decorator's words, its parameters' :class:`~mobilise.api.http.Query` and
    :class:`~mobilise.api.http.Body` as Powertools' own, its answer's ``Response[Model]``."""
    app = APIGatewayRestResolver(enable_validation=True)
    for route in everything().routes:
        declare = app.route(route.rule, route.method, compress=route.compress, **route.options)
        declare(as_declared(route.func))
    return app


def as_declared(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with the signature Powertools reads its parameters and answer from; a body
    Powertools reads with its model (:class:`~mobilise.api.http.Body`'s ``model``) reaches
    ``func`` as the resolver gives it, the model's ``plain()``."""
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    modelled = {name for name, hint in hints.items() if _model_of(hint) is not None}

    @functools.wraps(func)
    def declared(*args: Any, **kwargs: Any) -> Any:
        given = {
            name: value.plain() if name in modelled else value for name, value in kwargs.items()
        }
        return func(*args, **given)

    declared.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            parameter.replace(annotation=_theirs(hints.get(name, parameter.annotation)))
            for name, parameter in signature.parameters.items()
        ],
        return_annotation=_theirs(hints.get("return", signature.return_annotation)),
    )
    return declared


def _model_of(annotation: Any) -> Any:
    """The model of an annotation's :class:`~mobilise.api.http.Param`, if it names one."""
    if typing.get_origin(annotation) is not typing.Annotated:
        return None
    markers = [extra for extra in typing.get_args(annotation)[1:] if isinstance(extra, http.Param)]
    return markers[0].model() if markers else None


_THEIR_PARAMS: dict[type[http.Param], Callable[..., Any]] = {
    http.Query: their.Query,
    http.Body: their.Body,
}


def _theirs(annotation: Any) -> Any:
    """An annotation of :mod:`mobilise.api.http` in Powertools' terms: a body read by a model
    (:class:`~mobilise.api.http.Body`'s ``model``) is the model's."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        converted = [
            _THEIR_PARAMS[type(extra)](**extra.documented())
            if isinstance(extra, http.Param)
            else extra
            for extra in extras
        ]
        return typing.Annotated[(_model_of(annotation) or base, *converted)]
    if typing.get_origin(annotation) is http.Response:
        return TheirResponse[typing.get_args(annotation)]  # type: ignore[misc]
    return annotation


def document(template: Template | None = None) -> dict[str, Any]:
    """The OpenAPI document of the API's routes, as JSON data."""
    template = template or read()
    schema = resolver().get_openapi_schema(
        title="Mobilise",
        version=version(),
        description=contract.DESCRIPTION,
        tags=[Tag(name=name, description=said) for name, said in contract.TAGS.items()],
        servers=[
            Server(
                url="{PublicBaseUrl}",
                description="Deployed: the PublicBaseUrl of template.yaml",
                variables={
                    "PublicBaseUrl": ServerVariable(
                        default=template.parameter_defaults()["PublicBaseUrl"]
                    )
                },
            ),
            Server(url=LOCAL_URL, description="The local stack (make run)"),
        ],
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(
                bearerFormat="JWT",
                description="An ID token of the Cognito user pool of the petition starters "
                "(locally: POST /_local/token).",
            )
        },
    )
    doc: dict[str, Any] = json.loads(
        json.dumps(schema.model_dump(mode="json", by_alias=True, exclude_none=True))
    )
    _check(doc, {(route.method, route.path) for route in template.routes()})
    guarded = {(route.method, route.path) for route in template.routes() if route.authorized}
    for method, path, operation in _operations(doc):
        responses = operation["responses"]
        if (
            responses.get("422", {}).get("content", {}).get(contract.JSON, {}).get("schema")
            == _POWERTOOLS_422
        ):
            del responses["422"]  # the route can refuse nothing: no body, no query
        if (method.upper(), path) in guarded:
            operation["security"] = [{SECURITY_SCHEME: []}]
            responses["401"] = json.loads(json.dumps(UNAUTHORIZED))
        operation["responses"] = dict(sorted(responses.items()))
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["schema"] = _not_null(parameter["schema"])
    schemas: dict[str, Any] = doc["components"]["schemas"]
    schemas.update(contract.SCHEMAS)
    for model in contract.BODIES.values():
        _add_schema(model, schemas)
    _text_rules(schemas)
    _drop_unused_schemas(doc)
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    return doc


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in _METHODS:
            if method in item:
                yield method, path, item[method]


def _check(doc: dict[str, Any], template_routes: set[tuple[str, str]]) -> None:
    """The app's routes are the template's, and every decorator describes its route."""
    routes = {(method.upper(), path) for method, path, _ in _operations(doc)}
    problems = []
    if routes != template_routes:
        problems.append(
            f"routes of the app and Api events of template.yaml differ: "
            f"only in the app {sorted(routes - template_routes)}, "
            f"only in the template {sorted(template_routes - routes)}"
        )
    undescribed = sorted(
        (method.upper(), path)
        for method, path, operation in _operations(doc)
        if operation["summary"] == f"{method.upper()} {path}"
        or operation["operationId"].endswith(re.sub(r"\W", "_", path) + "_" + method)
        or "tags" not in operation
        or any(answer["description"] == _UNDESCRIBED for answer in operation["responses"].values())
    )
    if undescribed:
        problems.append(
            "give these routes an operation_id, a summary, tags and their responses on the "
            f"decorator: {undescribed}"
        )
    if problems:
        raise ValueError("; ".join(problems))


def _add_schema(model: type[BaseModel], schemas: dict[str, Any]) -> None:
    """``model``'s schema in the components, with the models it uses."""
    schema = model.model_json_schema(mode="serialization", ref_template=contract.REF + "{model}")
    for name, used in schema.pop("$defs", {}).items():
        schemas.setdefault(name, used)
    schemas.setdefault(model.__name__, schema)


#: Characters ``mobilise.core.fields.one_line`` refuses: controls (Cc), line and paragraph
#: separators (Zl, Zp), bidirectional overrides and isolates.
_NOT_IN_ONE_LINE = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
ONE_LINE = rf"^[^{_NOT_IN_ONE_LINE}]*[^\s{_NOT_IN_ONE_LINE}][^{_NOT_IN_ONE_LINE}]*$"
NOT_BLANK = r"\S"


def _text_rules(schemas: dict[str, Any]) -> None:
    """Say what the request models' validators refuse and pydantic leaves out of the schema:
    text of blanks only (stripped, then at least one character), and in one-line text the
    characters ``one_line`` refuses. A field whose schema has a pattern already is left be."""
    request_models = {
        **vars(petition_schemas),
        **vars(publishing_schemas),
        **contract.BODIES,
    }
    for name, model in request_models.items():
        if not (isinstance(model, type) and issubclass(model, BaseModel) and name in schemas):
            continue
        properties = schemas[name].get("properties", {})
        for field_name, info in model.model_fields.items():
            text = properties.get(field_name, {})
            if text.get("type") != "string" or "pattern" in text:
                continue
            if any(
                isinstance(rule, AfterValidator) and rule.func is fields.one_line
                for rule in info.metadata
            ):
                text["pattern"] = ONE_LINE
            elif any(
                isinstance(rule, StringConstraints)
                and rule.strip_whitespace
                and (rule.min_length or 0) >= 1
                for rule in info.metadata
            ):
                text["pattern"] = NOT_BLANK


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter is absent, never null: drop pydantic's null branch."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" not in schema or len(branches) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**branches[0], **rest}


def _drop_unused_schemas(doc: dict[str, Any]) -> None:
    """Leave out the schemas nothing refers to (Powertools' own 422 and its parts)."""
    schemas: dict[str, Any] = doc["components"]["schemas"]
    while True:
        outside = json.dumps({**doc, "components": {}})
        unused = [
            name
            for name in schemas
            if f'"{contract.REF}{name}"' not in outside
            and all(
                f'"{contract.REF}{name}"' not in json.dumps(schemas[other])
                for other in schemas
                if other != name
            )
        ]
        if not unused:
            return
        for name in unused:
            del schemas[name]


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def reference(doc: dict[str, Any]) -> str:
    """``docs/api.md``: the document for people, its two text rules named."""
    return api_reference.markdown(
        doc, {ONE_LINE: "one line, no control characters", NOT_BLANK: "not blank"}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobilise_local.openapi", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    doc = document()
    args.out.write_text(render(doc))
    args.reference.write_text(reference(doc))
    sys.stdout.write(f"wrote {args.out} and {args.reference}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
