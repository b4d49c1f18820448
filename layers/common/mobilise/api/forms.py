"""What the pages that signers reach from an email share: a body that is a form (from the
page) or JSON (from a client), and answers no cache keeps."""

from __future__ import annotations

import binascii
import json
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from mobilise.api.common import NOT_JSON, read_json
from mobilise.core.errors import UnsupportedBody

FORM = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 20
#: Pages and answers about one signer: no cache keeps them, no link leaks the address.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def wants_json(router: Router) -> bool:
    """A client that asks for JSON (and not for a page) gets JSON."""
    accept = (router.current_event.headers.get("accept") or "").lower()
    return "application/json" in accept and "text/html" not in accept


def read_body(router: Router) -> tuple[bool, dict[str, Any]]:
    """``(True, form fields as lists)`` for a form, ``(False, the JSON object)`` for JSON."""
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
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
