"""SiteDistribution's app behaviours on this machine: ``/app/`` served from ``web/dist``.

What CloudFront does for a path under ``/app`` is read from template.yaml: the first cache
behaviour whose pattern matches, and the security headers of its response headers policy
(the app's, or the email preview frame's); the client-side routes fall back to the app's
document as AppRoutesFunction makes them. Only the sign-in domain differs: the local stack
is its own (mobilise_local.oauth), on the same origin.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mobilise_local.gateway import HttpResponse
from mobilise_local.resources import Stack
from mobilise_local.template import ROOT, Tag, Template

DIST = ROOT / "web" / "dist"
DISTRIBUTION = "SiteDistribution"
APP_ORIGIN = "app"  # the bucket's origin id in SiteDistribution
#: Vite's content-hashed output: cached for good (the upload command says the same).
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^assets/")


@dataclass(frozen=True)
class Behaviour:
    pattern: str
    origin: str
    headers: tuple[tuple[str, str], ...]


def _security_headers(
    config: dict[str, Any], stack: Stack, local: dict[str, str]
) -> tuple[tuple[str, str], ...]:
    """The headers of a ResponseHeadersPolicy's SecurityHeadersConfig. ``local`` gives the
    policy's variables that name another origin on AWS their origin on this machine."""
    headers: list[tuple[str, str]] = []
    csp = config.get("ContentSecurityPolicy")
    if csp:
        value = csp["ContentSecurityPolicy"]
        if isinstance(value, Tag):
            text, variables = value.value
            value = Tag("Sub", [text, {**variables, **local}])
        headers.append(("Content-Security-Policy", " ".join(stack.resolve(value).split())))
    hsts = config.get("StrictTransportSecurity")
    if hsts:
        subdomains = "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        headers.append(
            ("Strict-Transport-Security", f"max-age={hsts['AccessControlMaxAgeSec']}{subdomains}")
        )
    if "FrameOptions" in config:
        headers.append(("X-Frame-Options", config["FrameOptions"]["FrameOption"]))
    if "ReferrerPolicy" in config:
        headers.append(("Referrer-Policy", config["ReferrerPolicy"]["ReferrerPolicy"]))
    if "ContentTypeOptions" in config:
        headers.append(("X-Content-Type-Options", "nosniff"))
    return tuple(headers)


def behaviours(template: Template, stack: Stack, local: dict[str, str]) -> list[Behaviour]:
    """The distribution's cache behaviours, in CloudFront's order (the first match wins).
    ``local``: the sign-in domain (``Login``) and the photos bucket (``Uploads``) here."""
    config = template.resources[DISTRIBUTION]["Properties"]["DistributionConfig"]
    found = []
    for behaviour in config.get("CacheBehaviors", []):
        policy = behaviour.get("ResponseHeadersPolicyId")
        headers: tuple[tuple[str, str], ...] = ()
        if isinstance(policy, Tag) and policy.name == "Ref":
            properties = template.resources[policy.value]["Properties"]
            security = properties["ResponseHeadersPolicyConfig"].get("SecurityHeadersConfig", {})
            headers = _security_headers(security, stack, local)
        found.append(Behaviour(behaviour["PathPattern"], behaviour["TargetOriginId"], headers))
    return found


class App:
    """Answers the paths the distribution sends to the app's bucket; ``None`` for the rest.

    ``configs``: the app's config.json for each origin it may be opened from, by host: the
    stack's, and the app's dev servers', which forward ``/app/config.json`` and ``/_local``
    here with their own ``Host`` (the app then signs in and comes back through them)."""

    def __init__(
        self, rules: list[Behaviour], configs: dict[str, dict[str, Any]], root: Path = DIST
    ) -> None:
        self._rules = rules
        self._configs = {host: json.dumps(c, indent=2).encode() for host, c in configs.items()}
        self._default = next(iter(self._configs.values()))
        self._root = root.resolve()

    def answer(
        self, method: str, path: str, host: str = "", query: str = ""
    ) -> HttpResponse | None:
        rule = next((r for r in self._rules if fnmatchcase(path, r.pattern)), None)
        if rule is None or rule.origin != APP_ORIGIN:
            return None
        if method not in ("GET", "HEAD"):
            response = _plain(405, "GET only.")
        elif path == "/app/config.json":
            config = self._configs.get(host, self._default)
            response = HttpResponse(200, _typed("config.json", REVALIDATE), config)
        else:
            response = self._file(path, query)
        headers = [*response.headers, *rule.headers]
        return HttpResponse(response.status, headers, b"" if method == "HEAD" else response.body)

    def _file(self, path: str, query: str) -> HttpResponse:
        if path == "/app":  # AppRoutesFunction: the query goes along
            return HttpResponse(301, [("Location", "/app/" + (f"?{query}" if query else ""))], b"")
        name = path.removeprefix("/app/")
        if not name.rsplit("/", 1)[-1] or "." not in name.rsplit("/", 1)[-1]:
            name = "index.html"  # AppRoutesFunction: a client-side route is the app's document
        found = (self._root / name).resolve()
        if not found.is_relative_to(self._root) or not found.is_file():
            if name == "index.html":
                return _plain(404, "The app is not built: `make web` builds web/dist.")
            return _plain(404, "No such file of the app.")
        cache = IMMUTABLE if _HASHED.match(name) else REVALIDATE
        return HttpResponse(200, _typed(name, cache), found.read_bytes())


def _typed(name: str, cache: str) -> list[tuple[str, str]]:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return [("Content-Type", kind), ("Cache-Control", cache)]


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "text/plain; charset=utf-8")], message.encode())
