"""infra/openapi.json: current with the routes, and true to what the API answers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Route
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from pydantic import TypeAdapter

from mobilise.core.fields import one_line
from mobilise_local import openapi
from mobilise_local.template import read

app = openapi.resolver()  # every route, as Powertools declares them for the document

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.document()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def _is_an_error(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    if schema.get("$ref") == ERROR_REF:
        return True
    resolved = _resolve(document, schema)
    if "oneOf" in resolved:  # one status, several errors: each of them one
        return all(_is_an_error(document, part) for part in resolved["oneOf"])
    return any(_is_an_error(document, part) for part in resolved.get("allOf", []))


def test_the_committed_document_is_current(document: dict[str, Any]) -> None:
    committed = openapi.OUTPUT.read_text()
    assert committed == openapi.render(document), (
        "infra/openapi.json is not what the routes make: run python -m mobilise_local.openapi"
    )


def test_the_owner_routes_of_the_template_and_they_only_need_the_token(
    document: dict[str, Any],
) -> None:
    owner = {(route.method, route.path) for route in read().routes() if route.authorized}
    for method, path, operation in _operations(document):
        needs_token = operation.get("security") == [{openapi.SECURITY_SCHEME: []}]
        assert needs_token == ((method, path) in owner), (method, path)
        assert ("401" in operation["responses"]) == needs_token, (method, path)
    scheme = document["components"]["securitySchemes"][openapi.SECURITY_SCHEME]
    assert scheme == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": scheme["description"],
    }


def test_every_json_error_has_the_one_error_shape(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            json_answer = response["content"].get("application/json")
            if int(status) >= 400 and json_answer is not None:
                assert _is_an_error(document, json_answer["schema"]), (method, path, status)
    assert "HTTPValidationError" not in json.dumps(document)


def test_a_refused_body_lists_its_fields(document: dict[str, Any]) -> None:
    refused = document["paths"]["/petitions"]["post"]["responses"]["422"]
    schema = refused["content"]["application/json"]["schema"]
    assert _is_an_error(document, schema)
    fields = schema["allOf"][1]
    assert fields["required"] == ["fields"]
    assert _resolve(document, fields["properties"]["fields"]["items"])["required"] == [
        "field",
        "message",
    ]


def test_a_refused_publish_says_when_the_next_update_is_allowed(document: dict[str, Any]) -> None:
    too_soon = document["paths"]["/petitions/{petition_id}/updates"]["post"]["responses"]["429"]
    schema = too_soon["content"]["application/json"]["schema"]
    assert _is_an_error(document, schema)
    assert schema["allOf"][1]["required"] == ["next_update_allowed_at"]
    assert too_soon["headers"]["Retry-After"]["required"] is True


def test_creations_answer_201_and_link_to_what_they_make_possible(document: dict[str, Any]) -> None:
    created = {
        (method, path): operation["responses"]
        for method, path, operation in _operations(document)
        if "201" in operation["responses"]
    }
    assert set(created) == {
        ("POST", "/petitions"),
        ("POST", "/petitions/{petition_id}/signatures"),
        ("POST", "/petitions/{petition_id}/updates"),
        ("POST", "/petitions/{petition_id}/photos"),
        ("POST", "/respond/{token}"),
    }
    assert all("200" not in responses for responses in created.values())
    links = created[("POST", "/petitions")]["201"]["links"]
    assert links["GetPetition"]["parameters"] == {"petition_id": "$response.body#/petition_id"}


@pytest.mark.parametrize("path", ["/signatures/confirm/{token}", "/unsubscribe/{token}"])
def test_the_links_of_emails_answer_pages(document: dict[str, Any], path: str) -> None:
    responses = document["paths"][path]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"text/html"}
    assert set(responses["404"]["content"]) == {"text/html"}


def test_one_click_unsubscribe_answers_json_or_a_page(document: dict[str, Any]) -> None:
    responses = document["paths"]["/unsubscribe/{token}"]["post"]["responses"]
    assert set(responses["200"]["content"]) == {"application/json", "text/html"}
    assert set(responses["404"]["content"]) == {"application/json", "text/html"}


def test_the_one_line_pattern_refuses_what_the_validator_refuses() -> None:
    # Controls, line and paragraph separators, and bidi overrides are all in the BMP.
    pattern = re.compile(openapi.ONE_LINE)
    for code in range(0x10000):
        char = chr(code)
        try:
            one_line(char)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == (pattern.fullmatch("a" + char) is not None), hex(code)
    assert pattern.fullmatch("  ") is None
    assert pattern.fullmatch(" Un titre ") is not None


def test_one_line_texts_say_so_and_long_texts_refuse_blanks(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for model, field in [
        ("PetitionIn", "title"),
        ("DecisionMaker", "name"),
        ("SignatureIn", "name"),
        ("NewsIn", "title"),
        ("EventIn", "title"),
    ]:
        assert schemas[model]["properties"][field]["pattern"] == openapi.ONE_LINE
    for model, field in [
        ("PetitionIn", "description"),
        ("NewsIn", "body"),
        ("AskAdviceIn", "question"),
    ]:
        assert schemas[model]["properties"][field]["pattern"] == openapi.NOT_BLANK


def _route(method: str, path: str) -> Route:
    routes = app._static_routes + app._dynamic_routes
    return next(r for r in routes if (r.method, r.openapi_path) == (method, path))


@pytest.mark.parametrize(
    ("attribute", "powertools_default"),
    [
        ("summary", lambda route: None),
        ("tags", lambda route: []),
        ("responses", lambda route: None),
        ("operation_id", lambda route: route._generate_operation_id()),
    ],
)
def test_a_route_its_decorator_does_not_describe_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
    attribute: str,
    powertools_default: Callable[[Route], Any],
) -> None:
    route = _route("GET", "/petitions/{petition_id}")
    monkeypatch.setattr(route, attribute, powertools_default(route))
    with pytest.raises(ValueError, match=r"decorator: \[\('GET', '/petitions/\{petition_id\}'\)\]"):
        openapi.document()


def test_a_route_the_template_does_not_have_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    route = _route("GET", "/petitions/{petition_id}")
    monkeypatch.setattr(route, "openapi_path", "/petitions/{petition_id}/nowhere")
    with pytest.raises(
        ValueError, match=r"only in the app \[\('GET', '/petitions/\{petition_id\}/nowhere'\)\]"
    ):
        openapi.document()


def test_what_may_refuse_a_body_or_a_parameter_says_so(document: dict[str, Any]) -> None:
    # The refusals of mobilise.api.common.refusal, read_json and the 422 handler.
    for method, path, operation in _operations(document):
        statuses = set(operation["responses"])
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            assert {"400", "413", "415", "422"} <= statuses, (method, path)
        if content:
            assert "413" in statuses, (method, path)
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            assert "422" in statuses, (method, path)


def test_every_reference_names_a_schema_of_the_document(document: dict[str, Any]) -> None:
    names = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert names == set(document["components"]["schemas"])


def test_the_committed_reference_is_current(document: dict[str, Any]) -> None:
    committed = openapi.REFERENCE.read_text()
    assert committed == openapi.reference(document), (
        "docs/api.md is not what infra/openapi.json says: run python -m mobilise_local.openapi"
    )


def test_the_reference_lists_every_operation_once(document: dict[str, Any]) -> None:
    reference = openapi.reference(document)
    for method, path, operation in _operations(document):
        row = f"| `{method}` | [`{path}`](#{operation['operationId']}) |"
        assert reference.count(row) == 1, row
        assert reference.count(f'<a id="{operation["operationId"]}"></a>`{method} {path}`') == 1


def test_the_examples_of_a_body_are_bodies_the_route_accepts(document: dict[str, Any]) -> None:
    # Given every route whose body has examples in the document
    examined = 0
    for route in app._static_routes + app._dynamic_routes:
        operation = document["paths"][route.openapi_path][route.method.lower()]
        content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        for example in content.get("examples", {}).values():
            # Then the route's own model takes it, and so does the document's schema
            assert route.body_field is not None, (route.method, route.openapi_path)
            TypeAdapter(route.body_field.field_info.annotation).validate_python(example["value"])
            schema = {**content["schema"], "components": document["components"]}
            Draft202012Validator(schema).validate(example["value"])
            examined += 1
    assert examined >= 6
