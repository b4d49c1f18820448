"""The API's resolver (:mod:`mobilise.api.http`) on routes of its own: what it reads from a
proxy event and what it writes back. That it answers the API's routes as Powertools did is
tests/integration/test_api_resolver.py's."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Annotated, Any

import pytest

from mobilise.api.common import read_json
from mobilise.api.http import (
    App,
    Body,
    NotFoundError,
    Query,
    RequestValidationError,
    Response,
    Router,
)

router = Router()


class Refused(Exception):
    pass


class RefusedHarder(Refused):
    pass


@router.get("/things/<thing_id>", compress=True)
def get_thing(thing_id: str, tag: str = "none", limit: Annotated[int, Query(ge=1)] = 5) -> Any:
    if thing_id == "refused":
        raise RefusedHarder()
    return {"thing_id": thing_id, "tag": tag, "limit": limit, "text": "x" * 100}


@router.post("/things")
def make_thing(body: Annotated[dict[str, int], Body(max_length=2)]) -> Response[Any]:
    return Response(201, "application/json", body, headers={"Set-Cookie": ["a=1", "b=2"]})


app = App(json_body_deserializer=read_json)
app.include_router(router)


@app.exception_handler(Refused)
def _refused(error: Refused) -> Response[Any]:
    return Response(409, "application/json", {"refused": type(error).__name__})


@app.exception_handler(RequestValidationError)
def _invalid(error: RequestValidationError) -> Response[Any]:
    problems = [
        {"loc": list(problem["loc"]), "type": problem["type"]} for problem in error.errors()
    ]
    return Response(422, "application/json", problems)


def _event(method: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"httpMethod": method, "path": path, "resource": None, **extra}


def test_a_query_parameter_given_twice_is_a_list_and_refused_where_one_is_expected() -> None:
    query = {"multiValueQueryStringParameters": {"tag": ["a", "b"], "limit": ["0"]}}

    answer = app.resolve(_event("GET", "/things/t1", **query))

    assert answer["statusCode"] == 422
    assert json.loads(answer["body"]) == [
        {"loc": ["query", "tag"], "type": "string_type"},
        {"loc": ["query", "limit"], "type": "greater_than_equal"},
    ]


def test_a_path_is_matched_without_a_resource_trailing_slash_and_all() -> None:
    query = {"queryStringParameters": {"tag": "blue", "limit": "7"}}

    answer = app.resolve(_event("GET", "/things/t1/", **query))

    assert (answer["statusCode"], json.loads(answer["body"])["limit"]) == (200, 7)
    assert json.loads(answer["body"])["tag"] == "blue"
    with pytest.raises(NotFoundError):  # for the app's handler to answer (a 404)
        app.resolve(_event("GET", "/things/t1/more"))


def test_an_answer_is_gzipped_and_base64_encoded_only_for_a_client_that_accepts_gzip() -> None:
    plain = app.resolve(_event("GET", "/things/t1"))
    zipped = app.resolve(_event("GET", "/things/t1", headers={"Accept-Encoding": "gzip, br"}))

    assert plain["isBase64Encoded"] is False
    assert zipped["isBase64Encoded"] is True
    assert zipped["multiValueHeaders"]["Content-Encoding"] == ["gzip"]
    assert gzip.decompress(base64.b64decode(zipped["body"])).decode() == plain["body"]


def test_an_error_is_answered_by_the_handler_of_its_nearest_class() -> None:
    answer = app.resolve(_event("GET", "/things/refused"))

    assert (answer["statusCode"], json.loads(answer["body"])) == (409, {"refused": "RefusedHarder"})


def test_a_body_is_validated_whole_and_headers_keep_every_value() -> None:
    json_type = {"headers": {"Content-Type": "application/json"}}
    made = app.resolve(_event("POST", "/things", body='{"a":1}', **json_type))
    too_many = app.resolve(_event("POST", "/things", body='{"a":1,"b":2,"c":3}', **json_type))
    missing = app.resolve(_event("POST", "/things", body="", **json_type))

    assert (made["statusCode"], made["body"]) == (201, '{"a":1}')
    assert made["multiValueHeaders"]["Set-Cookie"] == ["a=1", "b=2"]
    assert json.loads(too_many["body"]) == [{"loc": ["body"], "type": "too_long"}]
    assert json.loads(missing["body"]) == [{"loc": ["body"], "type": "missing"}]
