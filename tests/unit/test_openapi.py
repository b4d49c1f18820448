"""infra/openapi.json: current with the routes, and true to what the API answers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mobilise.schemas import _one_line
from mobilise_local import openapi
from mobilise_local.template import read

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
    parts = _resolve(document, schema).get("allOf", [])
    return any(_is_an_error(document, part) for part in parts)


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
            _one_line(char)
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


def test_an_undescribed_route_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    described = dict(openapi.OPERATIONS)
    del described[("GET", "/petitions/{petition_id}")]
    monkeypatch.setattr(openapi, "OPERATIONS", described)
    with pytest.raises(
        ValueError, match=r"undescribed \[\('GET', '/petitions/\{petition_id\}'\)\]"
    ):
        openapi.document()
