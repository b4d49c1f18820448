"""What the pages that signers reach from an email share: a body that is a form (from the
page) or JSON (from a client), and answers no cache keeps."""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

from mobilise.api.common import HTML, NOT_JSON, read_json
from mobilise.api.http import APPLICATION_JSON, RequestValidationError, Response, Router
from mobilise.core.errors import UnsupportedBody
from mobilise.emails import rendering

if TYPE_CHECKING:
    from pydantic import ValidationError

FORM = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 20
#: Pages and answers about one signer: no cache keeps them, no link leaks the address.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True, kw_only=True)
class Unsubscribed:
    """The signer left the petition's updates (the one-click answer in JSON)."""

    status: Literal["unsubscribed"] = "unsubscribed"
    message: str


def private_page(template: str, status: int, language: str, **context: object) -> Response[str]:
    """A page about one signer or starter, rendered in their language (see :data:`PRIVATE`)."""
    html = rendering.render(template, language, **context)
    return Response(status_code=status, content_type=HTML, body=html, headers=PRIVATE)


def private_json(body: Any, status: int = 200) -> Response[Any]:
    """An answer about one signer or starter, in JSON (see :data:`PRIVATE`)."""
    return Response(
        status_code=status,
        content_type=APPLICATION_JSON,
        body=body,
        headers=PRIVATE,
    )


def wants_html(router: Router) -> bool:
    """A browser's form post: it gets a page back, where an API client gets JSON."""
    return "text/html" in (router.current_event.headers.get("accept") or "")


def wants_json(router: Router) -> bool:
    """A client that asks for JSON (and not for a page) gets JSON."""
    accept = (router.current_event.headers.get("accept") or "").lower()
    return "application/json" in accept and "text/html" not in accept


def _content_type(router: Router) -> str:
    return router.current_event.content_type.split(";")[0].strip()


def is_form(router: Router) -> bool:
    """The body is a form (``application/x-www-form-urlencoded``)."""
    return _content_type(router) == FORM


def read_body(router: Router) -> tuple[bool, dict[str, Any]]:
    """``(True, form fields as lists)`` for a form, ``(False, the JSON object)`` for JSON."""
    event = router.current_event
    content_type = _content_type(router)
    try:
        text = event.decoded_body or ""
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid_json() from None
    if content_type == FORM:
        try:
            return True, parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError:
            raise RequestValidationError(
                [{"type": "too_long", "loc": ("body",), "msg": "too many form fields"}]
            ) from None
    if content_type not in ("application/json", ""):
        raise UnsupportedBody()
    try:
        data = read_json(text)
    except json.JSONDecodeError as error:
        raise _invalid_json(error.msg) from None
    if not isinstance(data, dict):
        raise RequestValidationError(
            [{"type": "dict_type", "loc": ("body",), "msg": "must be a JSON object"}]
        )
    return False, data


def _invalid_json(reason: str = NOT_JSON) -> RequestValidationError:
    """In the shape of the resolver's own: ``ctx.error`` says why."""
    return RequestValidationError(
        [{"type": "json_invalid", "loc": ("body", 0), "msg": "", "ctx": {"error": reason}}]
    )


def invalid_body(error: ValidationError) -> RequestValidationError:
    """A body refused by a model, in the shape the API's one 422 handler reads."""
    return RequestValidationError(
        [
            {"type": problem["type"], "loc": ("body", *problem["loc"]), "msg": problem["msg"]}
            for problem in error.errors()
        ]
    )
