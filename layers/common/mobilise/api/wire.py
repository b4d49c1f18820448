"""What crosses API Gateway: a proxy event read as the request a route serves, and the
answer a route gives written as a proxy answer (REST, multi-value headers)."""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise.api.http import Response


class CaseInsensitiveDict(dict[str, str]):
    """Request headers: HTTP's names are case-insensitive (RFC 9110, 5.1)."""

    def __init__(self, headers: Mapping[str, str] | None) -> None:
        super().__init__({name.lower(): value for name, value in (headers or {}).items()})

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


class Request:
    """The request a route serves, read from its proxy event."""

    def __init__(self, event: Mapping[str, Any]) -> None:
        self.raw_event = event

    @property
    def http_method(self) -> str:
        return str(self.raw_event.get("httpMethod", ""))

    @property
    def path(self) -> str:
        return str(self.raw_event.get("path", ""))

    @cached_property
    def headers(self) -> CaseInsensitiveDict:
        return CaseInsensitiveDict(self.raw_event.get("headers"))

    @property
    def content_type(self) -> str:
        """The Content-Type, its media type in lower case (media types are case-insensitive,
        RFC 9110, 8.3.1); its parameters, a multipart boundary say, keep their case."""
        value = str(self.headers.get("content-type") or "")
        media_type, separator, parameters = value.partition(";")
        return (media_type.strip().lower() + separator + parameters).strip()

    @property
    def body(self) -> str | None:
        body = self.raw_event.get("body")
        return body if isinstance(body, str) else None

    @cached_property
    def decoded_body(self) -> str | None:
        """The body as text (decoded from base64 when API Gateway encoded it)."""
        body = self.body
        if self.raw_event.get("isBase64Encoded") and body:
            return base64.b64decode(body.encode()).decode()
        return body

    @property
    def claims(self) -> dict[str, Any]:
        """What the Cognito authorizer verified of the caller (empty on a public route)."""
        context = self.raw_event.get("requestContext") or {}
        claims = (context.get("authorizer") or {}).get("claims")
        return claims if isinstance(claims, dict) else {}

    @property
    def source_ip(self) -> str:
        context = self.raw_event.get("requestContext") or {}
        return str((context.get("identity") or {}).get("sourceIp") or "")

    def query(self) -> dict[str, list[str]]:
        """Every query parameter, with each of its values (API Gateway's multi-value form)."""
        multi = self.raw_event.get("multiValueQueryStringParameters")
        if multi:
            return {name: list(values) for name, values in multi.items()}
        single = self.raw_event.get("queryStringParameters") or {}
        return {name: [value] for name, value in single.items()}


def to_json(value: Any) -> str:
    """JSON as the API writes it: compact, models as pydantic writes them in JSON mode,
    dataclasses as their fields."""
    return json.dumps(value, separators=(",", ":"), default=_jsonable)


def _jsonable(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def proxy_answer(response: Response[Any], request: Request, compressed: bool) -> dict[str, Any]:
    """The proxy answer: JSON written, the body gzipped when the route or answer asks and the
    client accepts it, bytes base64-encoded; headers in API Gateway's multi-value form."""
    body = response.body
    if response.is_json() and not isinstance(body, str):
        body = to_json(body)
    compress = compressed if response.compress is None else response.compress
    if compress and body is not None and "gzip" in request.headers.get("accept-encoding", ""):
        response.headers["Content-Encoding"] = "gzip"
        gzip = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        raw = body.encode() if isinstance(body, str) else body
        body = gzip.compress(raw) + gzip.flush()
    encoded = isinstance(body, bytes)
    if encoded:
        body = base64.b64encode(body).decode()
    headers: dict[str, list[str]] = {}
    for name, values in response.headers.items():
        headers.setdefault(name, []).extend([values] if isinstance(values, str) else values)
    return {
        "statusCode": response.status_code,
        "body": body,
        "isBase64Encoded": encoded,
        "multiValueHeaders": headers,
    }


#: What :func:`plain_json` gives for a text it leaves to :func:`mobilise.api.common.read_json`.
UNREAD: Any = object()


def plain_json(text: str) -> Any:
    """``text`` read by :func:`json.loads`, for a body read without pydantic
    (:class:`mobilise.api.http.Body`'s ``model``): JSON that pydantic-core's parser reads the
    same, with no ``NaN`` or ``Infinity`` and no name twice in one object. Any other text
    (one :func:`json.loads` refuses, nested too deep for it, a number too long) is
    :data:`UNREAD`: :func:`mobilise.api.common.read_json` reads it, and says what is wrong."""
    try:
        return json.loads(text, parse_constant=_not_json, object_pairs_hook=_once_each)
    except (ValueError, RecursionError):
        return UNREAD


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    read = dict(pairs)
    if len(read) != len(pairs):
        raise ValueError("a name given twice in one object")
    return read
