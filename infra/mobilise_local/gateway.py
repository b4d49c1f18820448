"""API Gateway (REST, Lambda proxy integration) in front of the functions, on this machine."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mobilise_local.auth import CognitoAuthorizer, Unauthorized
from mobilise_local.template import Route


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    def json(cls, status: int, document: Any) -> HttpResponse:
        return cls(status, [("Content-Type", "application/json")], json.dumps(document).encode())


@dataclass(frozen=True)
class _CompiledRoute:
    route: Route
    pattern: re.Pattern[str]
    specificity: tuple[int, int]


def _compile(route: Route) -> _CompiledRoute:
    parts = route.path.strip("/").split("/")
    regex = "".join(
        f"/(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else "/" + re.escape(part)
        for part in parts
    )
    literal = sum(1 for part in parts if not part.startswith("{"))
    return _CompiledRoute(route, re.compile(f"^{regex}/?$"), (literal, len(parts)))


class Gateway:
    """Matches a request to a route, runs the authorizer, builds the proxy event."""

    def __init__(
        self,
        routes: list[Route],
        authorizer: CognitoAuthorizer,
        gateway_responses: dict[str, dict[str, Any]],
        stage: str,
    ) -> None:
        # API Gateway prefers the most literal path: /updates/preview before /updates/{id}.
        self._routes = sorted(
            (_compile(route) for route in routes), key=lambda c: c.specificity, reverse=True
        )
        self._authorizer = authorizer
        self._responses = gateway_responses
        self._stage = stage

    def gateway_response(self, kind: str, default_status: int) -> HttpResponse:
        spec = self._responses.get(kind, {})
        template = spec.get("ResponseTemplates", {}).get("application/json")
        body = template if template else json.dumps({"message": kind.title()})
        status = int(spec.get("StatusCode", default_status))
        return HttpResponse(status, [("Content-Type", "application/json")], body.encode())

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self._routes:
            found = compiled.pattern.match(path)
            if found and compiled.route.method == method:
                return compiled.route, found.groupdict()
        return None

    def event(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
    ) -> tuple[Route, dict[str, Any]] | HttpResponse:
        """The Lambda proxy event for a request, or the gateway's own answer."""
        url = urlsplit(target)
        matched = self.match(method, url.path)
        if matched is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
        route, path_parameters = matched
        authorizer: dict[str, Any] | None = None
        if route.authorized:
            authorization = next(
                (v for k, v in headers.items() if k.lower() == "authorization"), None
            )
            try:
                authorizer = {"claims": self._authorizer.claims(authorization)}
            except Unauthorized:
                return self.gateway_response("UNAUTHORIZED", 401)
        query = parse_qs(url.query, keep_blank_values=True)
        text, is_base64 = _body(body, headers)
        request_context: dict[str, Any] = {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/{self._stage}{url.path}",
            "stage": self._stage,
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        }
        if authorizer is not None:
            request_context["authorizer"] = authorizer
        event = {
            "resource": route.path,
            "path": url.path,
            "httpMethod": method,
            "headers": dict(headers),
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": text,
            "isBase64Encoded": is_base64,
        }
        return route, event


def _body(body: bytes, headers: dict[str, str]) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def response_from(result: dict[str, Any]) -> HttpResponse:
    """The HTTP answer API Gateway makes of a Lambda proxy response."""
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(value)) for value in values)
    for name, value in (result.get("headers") or {}).items():
        headers.append((name, str(value)))
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return HttpResponse(int(result["statusCode"]), headers, data)
