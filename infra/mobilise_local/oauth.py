"""Cognito managed login's endpoints, on the local user pool: authorization code with PKCE.

``GET /_local/oauth2/authorize`` shows a sign-in page (a user name: the local pool has no
passwords to ask for); its form posts back, and the browser goes to ``redirect_uri`` with a
``code`` and the ``state``. ``POST /_local/oauth2/token`` exchanges the code, once, for the ID
token ``POST /_local/token`` mints, issued to the dashboard's client, if the ``code_verifier``
hashes to the ``code_challenge`` (S256) and the ``redirect_uri`` is the authorize request's.
``GET /_local/logout`` returns to a registered ``logout_uri``, as Cognito's does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit

from mobilise_local.auth import LocalUsers
from mobilise_local.gateway import HttpResponse

CODE_SECONDS = 300  # Cognito's authorization codes live five minutes
USER = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of a SHA-256, unpadded
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636, 4.1
_FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "scope")
_NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


class BadRequest(Exception):
    """Before the redirect URI is known to be the client's: said on a page, not redirected."""


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    user: str
    expires: float


def challenge_of(verifier: str) -> str:
    """PKCE's S256: base64url(SHA-256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LocalLogin:
    """The sign-in domain of the local stack, for one client and its registered URLs."""

    def __init__(
        self, users: LocalUsers, client_id: str, callbacks: set[str], logouts: set[str]
    ) -> None:
        self._users = users
        self._client_id = client_id
        self._callbacks = callbacks
        self._logouts = logouts
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def route(self, method: str, target: str, body: bytes) -> HttpResponse | None:
        """The answer of the endpoint ``target`` names (forms, not JSON); ``None`` if none."""
        url = urlsplit(target)
        fields = parse_qs(body.decode() if method == "POST" else url.query)
        form = {name: values[-1] for name, values in fields.items()}
        if url.path == "/_local/oauth2/authorize":
            return self.sign_in(form) if method == "POST" else self.authorize_page(form)
        if method == "POST" and url.path == "/_local/oauth2/token":
            return self.token(form)
        if method == "GET" and url.path == "/_local/logout":
            return self.logout(form)
        return None

    def authorize_page(self, query: dict[str, str]) -> HttpResponse:
        try:
            request = self._authorize_request(query)
        except BadRequest as bad:
            return _page(400, str(bad), None, {})
        return self._or_error(request, lambda: _page(200, "", request["redirect_uri"], request))

    def sign_in(self, form: dict[str, str]) -> HttpResponse:
        """The sign-in page's form: a code for the user, and back to the app."""
        try:
            request = self._authorize_request(form)
        except BadRequest as bad:
            return _page(400, str(bad), None, {})

        def grant() -> HttpResponse:
            user = form.get("username", "").strip()
            if not USER.fullmatch(user):
                message = "A user name is 1 to 64 letters, digits or . _ @ + -."
                return _page(400, message, request["redirect_uri"], request)
            code = secrets.token_urlsafe(32)
            with self._lock:
                self._grants[code] = _Grant(
                    request["client_id"],
                    request["redirect_uri"],
                    request["code_challenge"],
                    user,
                    time.monotonic() + CODE_SECONDS,
                )
            return _back(request, {"code": code})

        return self._or_error(request, grant)

    def token(self, form: dict[str, str]) -> HttpResponse:
        if form.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type", "grant_type must be authorization_code.")
        with self._lock:  # a code is spent by its first use, right or wrong
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires < time.monotonic():
            return _token_error("invalid_grant", "The code is unknown, used or expired.")
        if form.get("client_id") != grant.client_id:
            return _token_error("invalid_client", "client_id is not the code's client.")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _token_error("invalid_grant", "redirect_uri is not the authorize request's.")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(
            challenge_of(verifier), grant.challenge
        ):
            return _token_error("invalid_grant", "code_verifier does not match code_challenge.")
        result = self._users.tokens(grant.user, grant.client_id)
        document = {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "expires_in": int(result.get("ExpiresIn", 3600)),
            "token_type": "Bearer",
        }
        response = HttpResponse.json(200, document)
        return HttpResponse(200, [*response.headers, *_NO_STORE], response.body)

    def logout(self, query: dict[str, str]) -> HttpResponse:
        if query.get("client_id") != self._client_id:
            return _page(400, "client_id is not the dashboard's client.", None, {})
        if query.get("logout_uri") not in self._logouts:
            return _page(400, "logout_uri is not one of the client's sign-out URLs.", None, {})
        return HttpResponse(302, [("Location", query["logout_uri"]), *_NO_STORE], b"")

    def _authorize_request(self, query: dict[str, str]) -> dict[str, str]:
        if query.get("client_id") != self._client_id:
            raise BadRequest("client_id is not the dashboard's client.")
        if query.get("redirect_uri") not in self._callbacks:
            raise BadRequest("redirect_uri is not one of the client's callback URLs.")
        return {name: query.get(name, "") for name in (*_FIELDS, "response_type")} | {
            "code_challenge_method": query.get("code_challenge_method", "")
        }

    def _or_error(self, request: dict[str, str], then: Callable[[], HttpResponse]) -> HttpResponse:
        """Errors about a known client's request go back to its redirect URI (RFC 6749)."""
        if request["response_type"] != "code":
            return _back(request, {"error": "unsupported_response_type"})
        if request["code_challenge_method"] != "S256" or not _CHALLENGE.fullmatch(
            request["code_challenge"]
        ):
            description = "PKCE is required: code_challenge_method=S256 and a code_challenge."
            return _back(request, {"error": "invalid_request", "error_description": description})
        return then()


def _back(request: dict[str, str], answer: dict[str, str]) -> HttpResponse:
    if request.get("state"):
        answer = {**answer, "state": request["state"]}
    location = f"{request['redirect_uri']}?{urlencode(answer)}"
    return HttpResponse(302, [("Location", location), *_NO_STORE], b"")


def _token_error(code: str, description: str) -> HttpResponse:
    response = HttpResponse.json(400, {"error": code, "error_description": description})
    return HttpResponse(400, [*response.headers, *_NO_STORE], response.body)


def _page(status: int, error: str, redirect: str | None, request: dict[str, str]) -> HttpResponse:
    """The sign-in page, or a page that says what is wrong (no script, no style)."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in request.items()
    )
    alert = f'<p role="alert">{escape(error)}</p>' if error else ""
    form = (
        '<form method="post" action="/_local/oauth2/authorize">'
        f'{hidden}<label for="username">User name</label> '
        '<input id="username" name="username" autocomplete="username" required autofocus> '
        "<button>Sign in</button></form>"
        if redirect
        else ""
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Sign in · Mobilise (local)</title></head><body><main>"
        f"<h1>Sign in to Mobilise</h1>{alert}{form}"
        "<p>The local stack's user pool: any user name signs in as that user.</p>"
        "</main></body></html>"
    )
    # The form posts here, then the browser is sent to the app: form-action covers both.
    target = ""
    if redirect:
        parts = urlsplit(redirect)
        target = f" {parts.scheme}://{parts.netloc}"
    policy = (
        f"default-src 'none'; form-action 'self'{target}; frame-ancestors 'none'; base-uri 'none'"
    )
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", policy),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        *_NO_STORE,
    ]
    return HttpResponse(status, headers, html.encode())
