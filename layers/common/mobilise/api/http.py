"""The API's own resolver: an API Gateway (REST) proxy event in, a proxy answer out.

Routes are declared as Powertools' event handler declares them (``@router.get(rule, ...)``,
parameters marked :class:`Query` or :class:`Body`, answers typed ``Response[Model]``), and
``python -m mobilise_local.openapi`` hands the same declarations to Powertools to write the
OpenAPI document. At run time this module serves them instead, for a cold start's sake
(issue 14, docs/performance.md): importing the event handler loads every resolver it has
(AppSync, Bedrock, VPC Lattice) and every event class, and its validation loads pydantic
for every route, some 80 ms of an API cold start. Here pydantic is loaded by the first
request that has something to validate (a query parameter, a body), not by a page or a
petition read by its id.

What a request gets is what Powertools' validation gave it, so the answers are the same:
path parameters are the segments of the path that match the rule's ``<name>``; a query
parameter given once is a string, given twice a list; a body is JSON (or a form) validated
against its parameter's type; every problem is reported in pydantic's words with its
location (``("query", "limit")``, ``("body", "title")``) in one :class:`RequestValidationError`.
Answers are not validated against their type on the way out: they are built from models
validated when the data came in, and the contract tests check them against the document.
"""

from __future__ import annotations

import contextvars
import importlib
import inspect
import json
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs

from mobilise.api.wire import UNREAD, Request, plain_json, proxy_answer

APPLICATION_JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

T = TypeVar("T")
Handler = Callable[..., Any]


class Response(Generic[T]):
    """An answer: ``body`` a str, bytes (sent base64-encoded) or, for JSON, any value
    :func:`~mobilise.api.wire.to_json` writes; ``compress`` gzips it for a client that
    accepts gzip (else the route's ``compress`` says)."""

    def __init__(
        self,
        status_code: int,
        content_type: str | None = None,
        body: T | None = None,
        headers: Mapping[str, str | list[str]] | None = None,
        compress: bool | None = None,
    ) -> None:
        self.status_code = status_code
        self.body: Any = body
        self.headers: dict[str, str | list[str]] = dict(headers) if headers else {}
        self.compress = compress
        if content_type:
            self.headers.setdefault("Content-Type", content_type)

    def is_json(self) -> bool:
        content_type = self.headers.get("Content-Type", "")
        first = content_type[0] if isinstance(content_type, list) else content_type
        return first.startswith(APPLICATION_JSON)


class Param:
    """Where a handler's parameter comes from, and its constraints: the keywords are
    pydantic's ``Field``'s, and ``openapi_examples``, which only the document reads."""

    source = ""
    _OURS = frozenset({"model"})  # neither pydantic's nor Powertools'
    _NOT_CONSTRAINTS = _OURS | {"openapi_examples"}

    def __init__(self, **options: Any) -> None:
        self.options = options

    def constraints(self) -> dict[str, Any]:
        return {k: v for k, v in self.options.items() if k not in self._NOT_CONSTRAINTS}

    def documented(self) -> dict[str, Any]:
        """The options Powertools' own marker takes (the API document's)."""
        return {k: v for k, v in self.options.items() if k not in self._OURS}

    def model(self) -> Any:
        """The pydantic model named by the ``model`` option (``"module:Class"``), imported
        now; None without one."""
        named = self.options.get("model")
        if named is None:
            return None
        module, _, name = named.partition(":")
        return getattr(importlib.import_module(module), name)


class Query(Param):
    source = "query"


class Body(Param):
    """The request's body. With ``model`` (``"module:Class"``, a pydantic model whose
    ``plain()`` gives the parameter's type), the parameter's type is a plain one of ours: its
    ``vouched(body)`` reads a JSON body the model would accept and read the same (and None
    for any other), without pydantic (:func:`~mobilise.api.wire.plain_json`); any body it
    does not vouch for is validated against the model, and the handler is given the model's
    ``plain()``. The document shows the model."""

    source = "body"


class RequestValidationError(Exception):
    """What a request got wrong, as pydantic's errors, each located (``loc``) in its part of
    the request first: ``("body", "decision_maker", "email")``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class RequestUnsupportedContentType(Exception):
    """A route that reads a body was sent one it does not read (neither JSON nor a form)."""


class NotFoundError(Exception):
    """No route has this method and path."""


_current: contextvars.ContextVar[Request] = contextvars.ContextVar("request")
#: One segment of a path: the characters RFC 3986 allows in one, as Powertools matches them.
_SEGMENT = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"


@cache
def pattern(rule: str) -> re.Pattern[str]:
    """The paths a rule matches: each ``<name>`` one segment, trailing slashes allowed."""
    named = re.sub(r"<(\w+)>", lambda found: f"(?P<{found[1]}>{_SEGMENT})", rule)
    return re.compile(f"^{named}/*$")


@dataclass
class Route:
    """One method of one rule, its handler, and what its decorator says for the document."""

    method: str
    rule: str
    func: Handler
    options: dict[str, Any]
    compress: bool = False
    _plan: list[_Parameter] | None = field(default=None, repr=False)

    @property
    def resource(self) -> str:
        """The rule as template.yaml and API Gateway write it: ``/petitions/{petition_id}``."""
        return re.sub(r"<(\w+)>", r"{\1}", self.rule)

    def parameters(self) -> list[_Parameter]:
        """Where each of the handler's parameters comes from, read once per route."""
        if self._plan is None:
            hints = typing.get_type_hints(self.func, include_extras=True)
            path = set(pattern(self.rule).groupindex)
            self._plan = [
                _Parameter.of(name, hints.get(name, Any), declared.default, name in path)
                for name, declared in inspect.signature(self.func).parameters.items()
            ]
        return self._plan


_MISSING = inspect.Parameter.empty


@dataclass
class _Parameter:
    name: str
    source: str  # "path", "query" or "body"
    annotation: Any
    marker: Param | None
    default: Any

    @classmethod
    def of(cls, name: str, hint: Any, default: Any, in_path: bool) -> _Parameter:
        annotation, marker = hint, None
        if typing.get_origin(hint) is typing.Annotated:  # nested ones are flattened
            base, *extras = typing.get_args(hint)
            marker = next((extra for extra in extras if isinstance(extra, Param)), None)
            kept = tuple(extra for extra in extras if not isinstance(extra, Param))
            annotation = typing.Annotated[(base, *kept)] if kept else base
        if in_path:
            source = "path"
        elif marker is not None:
            source = marker.source
        elif isinstance(annotation, type) and hasattr(annotation, "model_validate"):
            source = "body"  # a pydantic model is the body, as Powertools reads it
        else:
            source = "query"  # and any other parameter not in the path a query parameter
        return cls(name, source, annotation, marker, default)

    @property
    def plain_text(self) -> bool:
        """A path segment taken as it is: nothing to validate, pydantic not needed. (A query
        parameter is validated whatever its type: given twice, it is a list.)"""
        return self.source == "path" and self.annotation is str and self.marker is None

    @cached_property
    def model(self) -> Any:
        """The pydantic model its value is validated against, when it is not its type."""
        return self.marker.model() if self.marker else None

    @cached_property
    def adapter(self) -> Any:
        from pydantic import Field, TypeAdapter

        constraints = self.marker.constraints() if self.marker else {}
        validated = self.model or self.annotation
        return TypeAdapter(typing.Annotated[validated, Field(**constraints)])

    def validate(self, value: Any, errors: list[dict[str, Any]]) -> Any:
        location: tuple[Any, ...] = (
            (self.source,) if self.source == "body" else (self.source, self.name)
        )
        if value is None:
            if self.default is _MISSING:
                errors.append(
                    {"type": "missing", "loc": location, "msg": "Field required", "input": None}
                )
            return self.default
        if self.plain_text:
            return value
        from pydantic import ValidationError

        try:
            validated = self.adapter.validate_python(value, from_attributes=True)
        except ValidationError as invalid:
            errors.extend(
                {**problem, "loc": (*location, *problem["loc"])}
                for problem in invalid.errors(include_url=False)
            )
            return None
        return validated.plain() if self.model is not None else validated

    def vouched(self, request: Request) -> Any:
        """A body parameter's value read without pydantic: its type's ``vouched`` reading of a
        JSON body (:class:`Body`'s ``model``); None when there is none."""
        vouch = getattr(self.annotation, "vouched", None)
        if vouch is None or self.marker is None or self.marker.options.get("model") is None:
            return None
        content_type = request.content_type
        if content_type and not content_type.startswith(APPLICATION_JSON):
            return None
        body = plain_json(request.decoded_body or "")
        return None if body is UNREAD else vouch(body)


class Router:
    """The routes of one module of :mod:`mobilise.api`; its handlers read the request they
    serve as :attr:`current_event`."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    @property
    def current_event(self) -> Request:
        return _current.get()

    def route(
        self, rule: str, method: str, *, compress: bool = False, **options: Any
    ) -> Callable[[Handler], Handler]:
        def register(func: Handler) -> Handler:
            self.routes.append(Route(method.upper(), rule, func, options, compress))
            return func

        return register

    def get(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route(rule, "GET", **options)

    def head(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route(rule, "HEAD", **options)

    def post(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route(rule, "POST", **options)

    def put(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route(rule, "PUT", **options)

    def patch(self, rule: str, **options: Any) -> Callable[[Handler], Handler]:
        return self.route(rule, "PATCH", **options)


ExceptionHandler = Callable[[Any], Response[Any]]


class App:
    """The routes of the routers included so far, and the answers to what they raise."""

    def __init__(self, json_body_deserializer: Callable[[str], Any]) -> None:
        self._read_json = json_body_deserializer
        self._by_resource: dict[tuple[str, str], Route] = {}
        self._handlers: dict[type[BaseException], ExceptionHandler] = {}

    def include_router(self, router: Router) -> None:
        for route in router.routes:
            self._by_resource[(route.method, route.resource)] = route

    @property
    def routes(self) -> Iterator[Route]:
        return iter(self._by_resource.values())

    def exception_handler(
        self, kind: type[BaseException]
    ) -> Callable[[ExceptionHandler], ExceptionHandler]:
        def register(handler: ExceptionHandler) -> ExceptionHandler:
            self._handlers[kind] = handler
            return handler

        return register

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The proxy answer to one request: its route's, or the answer to what it raised."""
        request = Request(event)
        token = _current.set(request)
        route = None
        try:
            route, arguments = self._match(request, event.get("resource"))
            response = self._call(route, request, arguments)
        except Exception as error:  # every error is answered: by its handler, else a 500's
            handler = next(
                (self._handlers[kind] for kind in type(error).__mro__ if kind in self._handlers),
                None,
            )
            if handler is None:
                raise
            response = handler(error)
        finally:
            _current.reset(token)
        return proxy_answer(response, request, route is not None and route.compress)

    def _match(self, request: Request, resource: Any) -> tuple[Route, dict[str, str]]:
        """The route of the request's method and API Gateway resource; for an event whose
        resource is none of them (a test's, a catch-all's), the route its path matches."""
        known = self._by_resource.get((request.http_method, str(resource)))
        candidates = (
            [known]
            if known
            else [
                route for route in self._by_resource.values() if route.method == request.http_method
            ]
        )
        for route in candidates:
            matched = pattern(route.rule).match(request.path)
            if matched:
                return route, matched.groupdict()
        raise NotFoundError(request.path)

    def _call(self, route: Route, request: Request, path: dict[str, str]) -> Response[Any]:
        errors: list[dict[str, Any]] = []
        values: dict[str, Any] = {}
        query: dict[str, list[str]] | None = None
        for parameter in route.parameters():
            if parameter.source == "path":
                value: Any = path.get(parameter.name)
            elif parameter.source == "query":
                query = request.query() if query is None else query
                given = query.get(parameter.name)
                value = given[0] if given and len(given) == 1 else given
            else:
                vouched = parameter.vouched(request)
                if vouched is not None:  # read without pydantic
                    values[parameter.name] = vouched
                    continue
                value = self._body(request)
            values[parameter.name] = parameter.validate(value, errors)
        if errors:
            raise RequestValidationError(errors)
        result = route.func(**values)
        if isinstance(result, Response):
            return result
        return Response(200, APPLICATION_JSON, result)

    def _body(self, request: Request) -> Any:
        """The body as JSON (the default) or a form's fields, each a list of its values."""
        content_type = request.content_type
        if not content_type or content_type.startswith(APPLICATION_JSON):
            text = request.decoded_body
            if not text:
                return None
            try:
                return self._read_json(text)
            except json.JSONDecodeError as error:
                raise RequestValidationError(
                    [
                        {
                            "type": "json_invalid",
                            "loc": ("body", error.pos),
                            "msg": "JSON decode error",
                            "input": {},
                            "ctx": {"error": error.msg},
                        }
                    ]
                ) from None
        if content_type.startswith(FORM):
            return parse_qs(request.decoded_body or "", keep_blank_values=True)
        raise RequestUnsupportedContentType(content_type)
