"""The HTTP API: one resolver, routes split by resource, errors mapped here only."""

from __future__ import annotations

import importlib
import json
import threading
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from mobilise.api import security
from mobilise.api.common import NOT_JSON, TOO_DEEP, read_json, refusal
from mobilise.api.http import (
    APPLICATION_JSON,
    App,
    NotFoundError,
    RequestUnsupportedContentType,
    RequestValidationError,
    Response,
)
from mobilise.core import clock
from mobilise.core.errors import (
    AlreadySigned,
    Conflict,
    DomainError,
    InvalidField,
    InvalidLink,
    NotFound,
    NotOwner,
    ProofRequired,
    RateLimited,
    RsvpConflict,
    SendingTooSoon,
    TooManyResponses,
    Unauthenticated,
    UnsupportedBody,
    UpdateTooSoon,
)
from mobilise.core.observability import logger
from mobilise.delivery.refusals import EmailUnconfirmed, SendingPaused, SesUnavailable

#: How long a request whose email SES would not take now waits before trying again; and
#: while SES has paused the account's sending (until an operator, AWS's review done, resumes).
EMAIL_RETRY_SECONDS = 60
EMAIL_PAUSED_RETRY_SECONDS = 3600

app = App(json_body_deserializer=read_json)

#: The module of :mod:`mobilise.api` whose router serves each route, by method and resource
#: as API Gateway names them (the event's ``httpMethod`` and ``resource``: template.yaml's
#: paths). A cold start imports the routes its first request needs, not every route's and
#: what they import (40 ms: docs/performance.md); the others come with their first request.
#: No two routes of the routers match one request, so the order they are included in does
#: not matter (tests/unit/test_api_routes.py).
ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/petitions"): "petitions",
    ("GET", "/petitions/{petition_id}"): "petition",
    ("POST", "/petitions/{petition_id}/close"): "petitions",
    ("GET", "/petitions/{petition_id}/signature-counts"): "starters",
    ("POST", "/petitions/{petition_id}/signatures"): "signatures",
    ("GET", "/signatures/confirm/{token}"): "signatures",
    ("POST", "/signatures/confirm/{token}"): "signatures",
    ("GET", "/petitions/{petition_id}/updates"): "updates",
    ("POST", "/petitions/{petition_id}/updates"): "updates",
    ("GET", "/petitions/{petition_id}/unpublished-updates"): "updates",
    ("POST", "/petitions/{petition_id}/updates/preview"): "updates",
    ("POST", "/petitions/{petition_id}/updates/test"): "updates",
    ("GET", "/petitions/{petition_id}/updates/{update_id}"): "updates",
    ("PATCH", "/petitions/{petition_id}/updates/{update_id}"): "updates",
    ("GET", "/petitions/{petition_id}/updates/{update_id}/stats"): "updates",
    ("POST", "/petitions/{petition_id}/updates/{update_id}/stop"): "updates",
    ("GET", "/unsubscribe/{token}"): "unsubscribe",
    ("POST", "/unsubscribe/{token}"): "unsubscribe",
    ("GET", "/unsubscribe-digest/{token}"): "digests",
    ("POST", "/unsubscribe-digest/{token}"): "digests",
    ("GET", "/r/{token}"): "redirect",
    ("HEAD", "/r/{token}"): "redirect",
    ("GET", "/petitions/{petition_id}/shares"): "redirect",
    ("GET", "/nudges/off/{token}"): "nudges",
    ("POST", "/nudges/off/{token}"): "nudges",
    ("POST", "/petitions/{petition_id}/photos"): "photos",
    ("GET", "/petitions/{petition_id}/updates/{update_id}/event.ics"): "calendar",
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses"): "responses",
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses.csv"): "responses",
    ("GET", "/respond/{token}"): "responses",
    ("POST", "/respond/{token}"): "responses",
    ("GET", "/rsvp/{token}"): "rsvp",
    ("POST", "/rsvp/{token}"): "rsvp",
    ("GET", "/petitions"): "starters",
    ("GET", "/petitions/{petition_id}/nudges"): "starters",
    ("PUT", "/petitions/{petition_id}/nudges"): "starters",
    ("GET", "/petitions/{petition_id}/decision-maker/requests"): "answers",
    ("POST", "/petitions/{petition_id}/decision-maker/requests"): "answers",
    ("GET", "/p/{petition_id}/answer/{token}"): "answers",
    ("POST", "/p/{petition_id}/answer/{token}"): "answers",
    ("GET", "/start"): "pages",
    ("GET", "/p/{petition_id}"): "petition_page",
    ("POST", "/p/{petition_id}"): "pages",
    ("GET", "/p/{petition_id}/updates/{update_id}"): "pages",
    ("GET", "/static/{name}"): "static",
}
#: Every module with routes.
MODULES = tuple(dict.fromkeys(ROUTES.values()))
_included: set[str] = set()
_INCLUDING = threading.Lock()  # the local stack serves requests in threads


def include(*modules: str) -> App:
    """:data:`app` with the routes of ``modules`` (names in :data:`MODULES`) included."""
    with _INCLUDING:
        for name in modules:
            if name not in _included:
                app.include_router(importlib.import_module(f"mobilise.api.{name}").router)
                _included.add(name)
    return app


def everything() -> App:
    """:data:`app` with every route: its OpenAPI document, requests of an unknown resource."""
    return include(*MODULES)


_STATUS: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    NotOwner: 403,
    NotFound: 404,
    InvalidLink: 404,
    AlreadySigned: 409,
    TooManyResponses: 409,
    RsvpConflict: 409,
    UnsupportedBody: 415,
    Conflict: 409,
}


def error(status: int, code: str, message: str, **extra: Any) -> Response[Any]:
    """The one shape of every error: ``{"error": {"code", "message"}}``."""
    return Response(
        status_code=status,
        content_type=APPLICATION_JSON,
        body={"error": {"code": code, "message": message}, **extra},
    )


@app.exception_handler(UpdateTooSoon)
def _too_soon(exc: UpdateTooSoon) -> Response[Any]:
    wait = max(1, int((exc.next_update_allowed_at - clock.now()).total_seconds() + 0.999))
    response = error(
        429,
        exc.code,
        exc.message,
        next_update_allowed_at=clock.isoformat(exc.next_update_allowed_at),
    )
    response.headers["Retry-After"] = str(wait)
    return response


@app.exception_handler(RateLimited)
def _rate_limited(exc: RateLimited) -> Response[Any]:
    response = error(429, exc.code, exc.message)
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


@app.exception_handler(SendingTooSoon)
def _sending_too_soon(exc: SendingTooSoon) -> Response[Any]:
    """A second sending to the decision-maker within a week: when the next one is allowed."""
    response = error(
        429, exc.code, exc.message, next_sending_allowed_at=clock.isoformat(exc.next_allowed_at)
    )
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


@app.exception_handler(ProofRequired)
def _proof_required(exc: ProofRequired) -> Response[Any]:
    """Past the burst: a new challenge to solve (``altcha``), or the time to wait."""
    response = error(429, exc.code, exc.message, altcha=exc.challenge)
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return response


@app.exception_handler(SesUnavailable)
def _email_unavailable(exc: SesUnavailable) -> Response[Any]:
    """SES would not take a request's email now (throttled, failing, the account's sending
    paused): nothing was sent or kept; the request may be made again."""
    logger.warning("email service unavailable", code=str(exc))
    response = error(
        503,
        "email_unavailable",
        "Our email service cannot send right now, so nothing was sent. Try again in a minute.",
    )
    response.headers["Retry-After"] = str(EMAIL_RETRY_SECONDS)
    return response


@app.exception_handler(SendingPaused)
def _email_paused(exc: SendingPaused) -> Response[Any]:
    """SES refuses every email of the account (or its configuration set) until an operator
    has it lifted: the person is told so, and to come back in an hour rather than a minute."""
    logger.warning("email sending paused", code=exc.code)
    response = error(
        503,
        "email_paused",
        "Our email service has paused all sending for now, and our operators are on it. "
        "Nothing was sent: try again in an hour.",
    )
    response.headers["Retry-After"] = str(EMAIL_PAUSED_RETRY_SECONDS)
    return response


@app.exception_handler(EmailUnconfirmed)
def _email_unconfirmed(exc: EmailUnconfirmed) -> Response[Any]:
    """SES did not answer a request's email in time: it may well have left (and counts)."""
    logger.warning("email service did not answer in time")
    return error(
        504,
        "email_unconfirmed",
        "Our email service did not say in time whether the email left. It may well have, so "
        "it counts as sent: check before you send it again.",
    )


@app.exception_handler(InvalidField)
def _invalid_field(exc: InvalidField) -> Response[Any]:
    """In the shape of a request that failed validation: a 422 naming the field."""
    return error(422, exc.code, exc.message, fields=[{"field": exc.field, "message": exc.reason}])


@app.exception_handler(DomainError)
def _domain_error(exc: DomainError) -> Response[Any]:
    status = next((_STATUS[kind] for kind in type(exc).__mro__ if kind in _STATUS), 400)
    return error(status, exc.code, exc.message)


@app.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    problems = exc.errors()
    unreadable = [problem for problem in problems if problem.get("type") == "json_invalid"]
    if unreadable:
        reason = (unreadable[0].get("ctx") or {}).get("error")
        return error(400, "invalid_json", TOO_DEEP if reason == TOO_DEEP else NOT_JSON)
    fields = [{"field": field_of(problem), "message": problem["msg"]} for problem in problems]
    message = "; ".join(f"{field['field']}: {field['message']}" for field in fields)
    return error(422, "validation_error", message, fields=fields)


def field_of(problem: dict[str, Any]) -> str:
    """The field a validation problem is about, as a client names it: ``decision_maker.email``.

    A discriminated union's unknown or missing tag is reported at the union's place (for a
    body, ``body`` itself, which reads as the update's ``body`` field); its context names
    the discriminator, which is the field at fault.
    """
    location = [str(part) for part in problem["loc"][1:]]
    discriminator = (problem.get("ctx") or {}).get("discriminator")
    if isinstance(discriminator, str):  # pydantic's own union_tag_* errors quote it
        location.append(discriminator.strip("'"))
    return ".".join(location) or str(problem["loc"][0])


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported_body(exc: RequestUnsupportedContentType) -> Response[Any]:
    """A body-less request whose Content-Type is not JSON (one with a body: :func:`refusal`)."""
    return error(
        415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json."
    )


@app.exception_handler(NotFoundError)
def _no_route(exc: NotFoundError) -> Response[Any]:
    return error(404, "not_found", "There is nothing at this address.")


@app.exception_handler(Exception)
def _unexpected(exc: Exception) -> Response[Any]:
    logger.exception("unexpected error")
    return error(500, "internal_error", "Something went wrong on our side; try again later.")


def resolve(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one API Gateway request."""
    refused = refusal(event)
    if refused is not None:
        status, code, message = refused
        return {
            "statusCode": status,
            "headers": {"Content-Type": APPLICATION_JSON},
            "body": json.dumps({"error": {"code": code, "message": message}}),
            "isBase64Encoded": False,
        }
    module = ROUTES.get((event.get("httpMethod", ""), event.get("resource", "")))
    if module is None:
        everything()  # not one of the template's (a test's event, say): every route
    else:
        include(module)
    return security.with_headers(app.resolve(event))
