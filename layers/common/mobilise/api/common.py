"""What every route shares: the caller's identity and address, the request size limit, ids in
paths."""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
from typing import Any

from mobilise.api.http import Router
from mobilise.api.wire import Request
from mobilise.core import crypto, ids
from mobilise.core.errors import NotFound, Unauthenticated

MAX_BODY_BYTES = 64 * 1024
HTML = "text/html; charset=utf-8"
#: Why a body is not JSON we read, in words for the person who sent it (the 400's message).
TOO_DEEP = "The request body is nested too deeply."
NOT_JSON = "The request body is not valid JSON."


def caller(router: Router) -> str:
    """The signed-in user (the Cognito ``sub`` the authorizer verified)."""
    claims = router.current_event.claims
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated()
    return subject


def caller_email(router: Router) -> str | None:
    """The signed-in user's address, when the identity provider verified it (ID token)."""
    claims = router.current_event.claims
    address = claims.get("email")
    verified = str(claims.get("email_verified", "")).lower() == "true"
    return address if isinstance(address, str) and address and verified else None


#: Set by SiteDistribution on every request to the API: the viewer's address (its CloudFront
#: Function, from ``event.viewer.ip``, over any the client sent) and the origin secret (an
#: origin custom header). The API's own URL stays reachable, so the first is believed only
#: with the second.
VIEWER_ADDRESS = "X-Mobilise-Viewer-Address"
ORIGIN_PROOF = "X-Mobilise-Origin-Proof"


def client_address(event: Request) -> str:
    """The address a request came from, which the per-address rate limit counts.

    Behind SiteDistribution, API Gateway's ``sourceIp`` is the CloudFront edge, shared by
    every viewer it serves: the viewer is the address the distribution names, when the
    request carries the distribution's secret. Without it (a direct caller, the local
    stack, a deploy without the distribution's secret), it is ``sourceIp``.
    """
    source = event.source_ip
    headers = event.headers
    named, proof = headers.get(VIEWER_ADDRESS), headers.get(ORIGIN_PROOF)
    if not named or not proof:
        return source
    secret = crypto.origin_secret()
    if secret is None or not hmac.compare_digest(proof.encode(), secret):
        return source
    try:
        return str(ipaddress.ip_address(named.strip()))
    except ValueError:
        return source


def read_json(text: str | bytes) -> Any:
    """Every JSON body the API reads: pydantic-core's parser, not :func:`json.loads`.

    ``json.loads`` recurses once per level, so a body nested 3,000 levels deep (18 KB)
    raised ``RecursionError``, and a 5,000-digit number ``ValueError``: neither is the
    ``JSONDecodeError`` the resolver turns into a 400, so both were 500s. This parser stops
    at 200 levels and reads long numbers; ``NaN`` and ``Infinity`` are not JSON. Every
    failure is a ``JSONDecodeError`` whose message is one of the sentences above. The parser
    is imported by the first body read (a request with none, a page or a read, never does).
    """
    from pydantic_core import from_json

    try:
        return from_json(text, allow_inf_nan=False)
    except ValueError as error:
        reason = TOO_DEEP if "recursion limit" in str(error) else NOT_JSON
        raise json.JSONDecodeError(reason, text if isinstance(text, str) else "", 0) from None


def checked_id(value: str) -> str:
    """A petition id from a path; one that cannot exist is a 404 without a read."""
    if not ids.is_id(value):
        raise NotFound("There is no petition with this id.")
    return value


#: Routes that take a form body: RFC 8058 one-click unsubscribe posts
#: ``List-Unsubscribe=One-Click`` as a form (the reminders' List-Unsubscribe is the
#: starter's off switch). Every other body is JSON.
FORM_ROUTES = frozenset(
    {
        "/unsubscribe/{token}",
        "/unsubscribe-digest/{token}",  # a digest's, which leaves each of its petitions
        "/nudges/off/{token}",
        # The pages signers reach from an email post their forms; they take JSON as well.
        "/respond/{token}",
        "/rsvp/{token}",
        "/p/{petition_id}",  # the petition page's sign form
        "/p/{petition_id}/answer/{token}",  # the decision-maker's answer
    }
)


def refusal(event: dict[str, Any]) -> tuple[int, str, str] | None:
    """Why a request is refused before it is read (status, code, message), if it is.

    Checked ahead of the resolver, whose validation would otherwise parse the body first.
    """
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        return (
            413,
            "payload_too_large",
            f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.",
        )
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or "").strip().lower()
    if (
        body
        and content_type
        and not content_type.startswith("application/json")
        and event.get("resource") not in FORM_ROUTES
    ):
        return (
            415,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        )
    if event.get("isBase64Encoded") and body and event.get("resource") not in FORM_ROUTES:
        try:
            base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:
            return 400, "invalid_json", "The request body is not valid UTF-8 JSON."
    return None
