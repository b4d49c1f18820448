"""The API's own resolver (:mod:`mobilise.api.http`) answers every request as Powertools'
event handler, which served the API until the cold starts of issue 14, answers it.

Powertools is the oracle: its ``APIGatewayRestResolver``, with validation on and the API's
JSON parser, is given the same routes (as the OpenAPI document declares them to it) and the
same error handlers, and each request goes through the whole api function twice, once
through each resolver, in the stack on moto. Requests come from hypothesis: every route of
the template, its path values genuine or not, query strings with the routes' own parameters
and others (repeated, empty, too long), bodies of every kind (none, not JSON, JSON of every
shape, forms) under every content type, with and without gzip accepted. A request that could
change something (any method but GET and HEAD) names nothing that exists, so the two
resolvers see the same data.

Two answers differ, by choice: a multipart body, which no route reads, is refused (415)
where Powertools read its parts as fields (and answered what the route made of them); and a
JSON array where a route reads an object is refused (422, "Input should be a valid dictionary
or object") where Powertools validated the array's first element instead (its
``_normalize_field_value`` takes a list's first value for any field that is not a sequence,
as it does for a query parameter given once): the test checks that Powertools' answer is the
one it gives for that first element alone.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler import Response as TheirResponse
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from mobilise import api
from mobilise.api import http
from mobilise.api.common import read_json
from mobilise.api.wire import Request
from mobilise_local import openapi
from tests.integration.harness import Mobilise

OWNER = "alice"
NOBODY = "01JAAAAAAAAAAAAAAAAAAAAAAA"  # an id no petition, update or token has


def _theirs(response: http.Response[Any]) -> TheirResponse[Any]:
    return TheirResponse(
        status_code=response.status_code,
        body=response.body,
        headers=response.headers,
        compress=response.compress,
    )


def _serving(func: Callable[..., Any], oracle: APIGatewayRestResolver) -> Callable[..., Any]:
    """A route handler under Powertools: the request it reads is the oracle's event."""

    def serve(*args: Any, **kwargs: Any) -> Any:
        token = http._current.set(Request(dict(oracle.current_event)))
        try:
            answer = func(*args, **kwargs)
        finally:
            http._current.reset(token)
        return _theirs(answer) if isinstance(answer, http.Response) else answer

    return serve


def _lowered(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with its Content-Type's media type in lower case, as the API handed events
    to Powertools, whose validation compares media types as written."""
    lowered = Request(event).content_type
    headers = {
        name: lowered if name.lower() == "content-type" else value
        for name, value in (event.get("headers") or {}).items()
    }
    multi = {name: [value] for name, value in headers.items()}
    return {**event, "headers": headers, "multiValueHeaders": multi}


@functools.cache
def _oracle() -> APIGatewayRestResolver:
    oracle = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=read_json)
    for route in api.everything().routes:
        declared = openapi.as_declared(route.func)
        served = _serving(declared, oracle)
        served.__signature__ = declared.__signature__  # type: ignore[attr-defined]
        oracle.route(route.rule, route.method, compress=route.compress, **route.options)(served)
    handlers = dict(api.app._handlers)
    ours = {
        RequestValidationError: http.RequestValidationError,
        RequestUnsupportedContentType: http.RequestUnsupportedContentType,
        NotFoundError: http.NotFoundError,
    }
    for kind, handler in {**handlers, **{them: handlers[us] for them, us in ours.items()}}.items():
        oracle.exception_handler(kind)(lambda error, handler=handler: _theirs(handler(error)))
    return oracle


@pytest.fixture
def scene(mobilise: Mobilise) -> tuple[Mobilise, dict[str, str]]:
    """A petition with a signer and an update, for every example of a test (hypothesis)."""
    petition_id = mobilise.create_petition(owner=OWNER)
    assert mobilise.sign(petition_id, "sam@example.org").status == 201
    update_id = mobilise.seed_update(petition_id, "news", {}, "https://example.org/agenda")
    return mobilise, {"petition_id": petition_id, "update_id": update_id}


ROUTES = sorted(api.ROUTES)
NAMES = ["limit", "cursor", "v", "s", "theme", "lang", "status", "x"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=250)
QUERY = st.lists(st.tuples(st.sampled_from(NAMES), st.one_of(TEXT, st.integers().map(str))))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
BODIES = st.one_of(
    st.none(),
    st.just(""),
    TEXT,
    JSON_VALUES.map(json.dumps),
    st.dictionaries(st.sampled_from(["title", "email", "zz_unknown"]), JSON_VALUES).map(json.dumps),
    st.lists(st.tuples(TEXT, TEXT), max_size=3).map(urlencode),
)
_NOT_AN_ARRAY = object()


def _first_of_array(body: str | None, content_type: str | None) -> Any:
    """The first element of a JSON body that is a non-empty array, else ``_NOT_AN_ARRAY``."""
    if body is None or (content_type and "json" not in content_type.lower()):
        return _NOT_AN_ARRAY
    try:
        parsed = json.loads(body)
    except ValueError:
        return _NOT_AN_ARRAY
    return parsed[0] if isinstance(parsed, list) and parsed else _NOT_AN_ARRAY


#: An example's other values: a request as plain as they come.
_PLAIN: dict[str, Any] = {
    "genuine": False,
    "query": [],
    "content_type": None,
    "gzip": False,
    "html": False,
}
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "APPLICATION/JSON; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# A JSON array where a route reads an object (found by this test in CI, 2026-12-06):
@example(route=("POST", "/petitions/{petition_id}/photos"), body="[null]", **_PLAIN)
@example(route=("POST", "/petitions/{petition_id}/updates/preview"), body="[{}]", **_PLAIN)
@given(
    route=st.sampled_from(ROUTES),
    genuine=st.booleans(),
    query=QUERY,
    body=BODIES,
    content_type=CONTENT_TYPES,
    gzip=st.booleans(),
    html=st.booleans(),
)
def test_every_request_is_answered_as_powertools_answers_it(
    scene: tuple[Mobilise, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    route: tuple[str, str],
    genuine: bool,
    query: list[tuple[str, str]],
    body: str | None,
    content_type: str | None,
    gzip: bool,
    html: bool,
) -> None:
    mobilise, ids = scene
    method, resource = route
    reading = method in ("GET", "HEAD")
    values = ids if genuine and reading else {}
    path = re.sub(r"{(\w+)}", lambda found: values.get(found[1], NOBODY), resource)
    target = f"{path}?{urlencode(query)}" if query else path
    headers = {"Accept-Encoding": "gzip, br"} if gzip else {}
    if html:
        headers["Accept"] = "text/html,application/xhtml+xml"
    if content_type:
        headers["Content-Type"] = content_type
    raw = None if body is None else body.encode()

    ours = mobilise.request(method, target, raw=raw, headers=headers, user=OWNER)
    with monkeypatch.context() as patch:
        patch.setattr(
            api.app, "resolve", lambda event: _oracle().resolve(_lowered(event), LambdaContext())
        )
        theirs = mobilise.request(method, target, raw=raw, headers=headers, user=OWNER)

    request = (method, target, headers, body)
    first = _first_of_array(body, content_type)
    if content_type and content_type.startswith("multipart/") and ours.status == 415:
        assert "Send the body as JSON" in ours.text, request  # a difference (above)
    elif first is not _NOT_AN_ARRAY and (ours.status, ours.text) != (theirs.status, theirs.text):
        # The other difference (above): Powertools answered for the array's first element.
        assert ours.status == 422, request
        assert "Input should be a valid dictionary or object" in ours.text, request
        with monkeypatch.context() as patch:
            patch.setattr(
                api.app,
                "resolve",
                lambda event: _oracle().resolve(_lowered(event), LambdaContext()),
            )
            unwrapped = mobilise.request(
                method, target, raw=json.dumps(first).encode(), headers=headers, user=OWNER
            )
        assert (theirs.status, theirs.text) == (unwrapped.status, unwrapped.text), request
    else:
        assert (ours.status, ours.headers, ours.text) == (
            theirs.status,
            theirs.headers,
            theirs.text,
        ), request


def test_a_petition_is_answered_in_the_documents_shape_every_field_written(
    mobilise: Mobilise,
) -> None:
    """The public read answers a dataclass (no pydantic on its path): the JSON on the wire is
    what the model it replaced wrote, every field of the decision maker present (null when
    not given), compact, and valid against the document's schema (jsonschema)."""
    petition_id = mobilise.create_petition(owner=OWNER)

    reply = mobilise.request("GET", f"/petitions/{petition_id}")

    shown = reply.json()
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.text == json.dumps(shown, separators=(",", ":"), ensure_ascii=False)
    assert list(shown) == [
        "petition_id",
        "title",
        "description",
        "language",
        "decision_maker",
        "status",
        "signer_count",
        "next_update_allowed_at",
        "created_at",
    ]
    assert shown["decision_maker"] == {
        "name": "The Mayor",
        "email": "mayor@example.org",
        "x_handle": None,
        "phone": None,
        "facebook_url": None,
    }
    document = openapi.document()
    schema = {"$ref": "#/components/schemas/PetitionOut", "components": document["components"]}
    Draft202012Validator(schema).validate(shown)
