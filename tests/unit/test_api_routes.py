"""The API's routes by resource (:data:`mobilise.api.ROUTES`): a request includes the routes
of its own module only, so the table must name every route's module, and no two routes may
match one request, whatever order a warm function included them in."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys

from mobilise import api
from mobilise.api import http
from mobilise_local.fake_aws import FAKE_AWS


def _declared() -> dict[tuple[str, str], str]:
    """(method, resource) of every route each module's router declares, and the module."""
    declared = {}
    for name in api.MODULES:
        router = importlib.import_module(f"mobilise.api.{name}").router
        for route in router.routes:
            key = (route.method, route.resource)
            assert key not in declared, f"{key} twice"
            declared[key] = name
    return declared


def test_the_table_names_the_module_of_every_route_of_every_router() -> None:
    assert _declared() == api.ROUTES


def test_no_two_routes_match_one_request() -> None:
    """No request, each of its route's parameters any value (here "v" and every literal
    segment of every route), is matched by another route of its method, by the patterns the
    resolver matches a path with when its resource is none of the template's: the routes of
    several modules may be included in any order."""
    patterns = {route: http.pattern(re.sub(r"{(\w+)}", r"<\1>", route[1])) for route in api.ROUTES}
    literals = {part for _, path in api.ROUTES for part in path.split("/") if "{" not in part}
    for method, path in api.ROUTES:
        for value in sorted({"v", *literals} - {""}):
            request = re.sub(r"{\w+}", value, path)
            matching = [
                route
                for route, pattern in patterns.items()
                if route[0] == method and pattern.match(request)
            ]
            assert matching == [(method, path)], (method, request)


def test_a_request_includes_its_own_routes_only() -> None:
    """In a fresh interpreter, a request for a static file loads its module and not the
    others'; a request of an unknown resource includes every route (and is answered 404)."""
    probe = """
import json, sys
from mobilise import api
from mobilise.api import http
event = {
    "resource": "/static/{name}", "path": "/static/nothing.css", "httpMethod": "GET",
    "headers": {}, "multiValueHeaders": {}, "queryStringParameters": None,
    "multiValueQueryStringParameters": None, "pathParameters": {"name": "nothing.css"},
    "stageVariables": None, "requestContext": {"resourcePath": "/static/{name}",
    "httpMethod": "GET", "path": "/static/nothing.css", "stage": "v1", "requestId": "r"},
    "body": None, "isBase64Encoded": False,
}
first = api.resolve(event, None)["statusCode"]
loaded = sorted(name for name in api.MODULES if "mobilise.api." + name in sys.modules)
unknown = api.resolve({**event, "resource": "/{proxy+}", "path": "/nowhere"}, None)
everything = sorted(name for name in api.MODULES if "mobilise.api." + name in sys.modules)
print(json.dumps([first, loaded, unknown["statusCode"], everything]))
"""
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**FAKE_AWS, "PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
        timeout=120,
        check=True,
    )
    first, loaded, unknown, everything = json.loads(completed.stdout.splitlines()[-1])

    assert (first, loaded) == (404, ["static"])
    assert (unknown, everything) == (404, sorted(api.MODULES))
