"""The answers the routes share, in the words of their OpenAPI document.

Powertools builds the document from the route decorators (``summary``, ``description``,
``responses``, ``operation_id``, ``tags``) and the handlers' pydantic models; these helpers
write what many routes answer alike: the one error shape of :func:`mobilise.api.error`, the
pages a person reaches from an email, the refusals of a JSON body. A decorator then says only
what is its own. Everything here is a dictionary: nothing runs per request, and no model is
turned into a schema before ``python -m mobilise_local.openapi`` asks for the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from mobilise.api.common import MAX_BODY_BYTES

if TYPE_CHECKING:  # the document's types: serving a route loads neither
    from aws_lambda_powertools.event_handler.openapi.types import (
        OpenAPIResponse,
        OpenAPIResponseContentSchema,
    )
    from pydantic import BaseModel

JSON = "application/json"
PAGE = "text/html"
FORM = "application/x-www-form-urlencoded"
REF = "#/components/schemas/"
_TEXT: OpenAPIResponseContentSchema = {"schema": {"type": "string"}}

DESCRIPTION = """\
A petition's starter keeps its signers informed and mobilised through updates: at most one \
update every 24 hours, emailed to the signers who asked for them.

Every error is `{"error": {"code": "...", "message": "..."}}` (`code` is for programs, \
`message` for people); a refused body also lists its `fields`. Bodies are JSON of at most \
64 KiB; unknown fields are refused. Times are ISO 8601 in UTC with a Z.

Besides the answers listed for each operation, API Gateway may answer any route `429` \
(`throttled`, when the stage's throttle is exceeded) or `5xx` (`internal_error`)."""

#: The operations' groups, in the order a reader meets them.
TAGS = {
    "petitions": "Start a petition, read it, close it.",
    "signatures": "Sign a petition, and confirm the address from the email.",
    "updates": "What a starter publishes: updates, their photos, previews and statistics.",
    "engagement": "What signers do with an update: its buttons, responses, RSVPs, calendar.",
    "subscriptions": "The off switches of emails: a signer's unsubscribe, a starter's reminders.",
    "pages": "The public pages (HTML): a petition and its sign form, an update, /start, files.",
}

#: The one shape of every error and of a refused field (``mobilise.api.error``), and the
#: error of each code the routes answer (made by :func:`error_schema`).
SCHEMAS: dict[str, Any] = {
    "Error": {
        "title": "Error",
        "description": "The one shape of every error.",
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "For programs: stable."},
                    "message": {"type": "string", "description": "For people: may change."},
                },
            }
        },
    },
    "FieldProblem": {
        "title": "FieldProblem",
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {
                "type": "string",
                "description": "Where: a dotted path in the body, or a parameter's name.",
            },
            "message": {"type": "string"},
        },
    },
}

#: The models of the bodies a route reads itself (JSON or a form, ``mobilise.api.forms``):
#: Powertools sees no body parameter there, so the generator adds their schemas from here.
BODIES: dict[str, type[BaseModel]] = {}


def ok(
    description: str = "OK.",
    model: type | None = None,  # a pydantic model, or a dataclass pydantic reads
    *,
    page: bool = False,
    links: dict[str, Any] | None = None,
) -> OpenAPIResponse:
    """A JSON answer: ``model``, or the route's return type when there is none; ``page``:
    a page instead for a person's browser (``Accept: text/html``)."""
    response: dict[str, Any] = {"description": description}
    if model is not None:
        response["content"] = {JSON: {"model": model}, **({PAGE: _TEXT} if page else {})}
    if links:
        response["links"] = links
    return cast("OpenAPIResponse", response)


def page(description: str) -> OpenAPIResponse:
    """An HTML page, for a person who followed a link."""
    return {"description": description, "content": {PAGE: _TEXT}}


def text(media_type: str, description: str = "OK.") -> OpenAPIResponse:
    """A file of another type than JSON (an .ics, a CSV)."""
    return {"description": description, "content": {media_type: _TEXT}}


def redirect(description: str, location: str, pattern: str) -> OpenAPIResponse:
    """A 302 without a body; ``Location`` says where, matching ``pattern``."""
    schema = {"type": "string", "pattern": pattern}
    header = {"description": location, "required": True, "schema": schema}
    return cast(
        "OpenAPIResponse",
        {"description": description, "headers": {"Location": header}, "content": {}},
    )


def examples(**values: dict[str, Any]) -> dict[str, Any]:
    """Named examples of a body (``Body(openapi_examples=...)``): what a client may send."""
    return {name: {"value": value} for name, value in values.items()}


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: what an answer makes possible, with the values it gives."""
    return {"operationId": operation_id, "parameters": parameters}


def error_schema(code: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """An error whose ``error.code`` is ``code`` (a schema of its own: ``NotFoundError``),
    with more required top-level ``fields``."""
    name = code.title().replace("_", "")
    name += "" if name.endswith("Error") else "Error"
    SCHEMAS.setdefault(
        name,
        {
            "title": name,
            "allOf": [
                {"$ref": REF + "Error"},
                {
                    "type": "object",
                    "properties": {
                        "error": {"type": "object", "properties": {"code": {"enum": [code]}}}
                    },
                },
            ],
        },
    )
    schema: dict[str, Any] = {"$ref": REF + name}
    if fields:
        schema = {
            "allOf": [schema, {"type": "object", "required": list(fields), "properties": fields}]
        }
    return schema


def refused(
    code: str | None,
    description: str,
    *,
    page: bool = False,
    json_too: bool = False,
    fields: dict[str, Any] | None = None,
) -> OpenAPIResponse:
    """An error answer: JSON in the one shape, or a page (``page``), or either by ``Accept``
    (``json_too``); a page alone has no code."""
    content: dict[str, Any] = {}
    if code is not None and (json_too or not page):
        content[JSON] = {"schema": error_schema(code, fields)}
    if page:
        content[PAGE] = _TEXT
    said = f"`{code}`: {description}" if code is not None else description
    return cast("OpenAPIResponse", {"description": said, "content": content})


def either(*answers: OpenAPIResponse) -> OpenAPIResponse:
    """One status that answers with any of these errors (each its own ``error.code``), and
    the headers they all have."""
    schemas = [cast(Any, answer["content"][JSON])["schema"] for answer in answers]
    combined: dict[str, Any] = {
        "description": " ".join(answer["description"] for answer in answers),
        "content": {JSON: {"schema": {"oneOf": schemas}}},
    }
    headers = [answer.get("headers") for answer in answers]
    if headers[0] is not None and all(same == headers[0] for same in headers):
        combined["headers"] = headers[0]
    return cast("OpenAPIResponse", combined)


_RETRY_AFTER = cast(
    Any,
    {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
)


def throttled(code: str, description: str, fields: dict[str, Any] | None = None) -> OpenAPIResponse:
    """A 429: ``Retry-After`` says in how many seconds to try again."""
    response = refused(code, description, fields=fields)
    response["headers"] = {"Retry-After": _RETRY_AFTER}
    return response


#: What a route that sends one email at once may answer when SES will not take it now.
EMAIL_UNAVAILABLE = either(
    throttled(
        "email_unavailable",
        "Our email service cannot send now (throttled, failing, unreachable): nothing was "
        "sent or kept; `Retry-After` says when to try again (60 s).",
    ),
    throttled(
        "email_paused",
        "SES has paused the sending of the whole account (or its configuration set): "
        "nothing was sent or kept; deliveries wait, the operators are alerted, and "
        "`Retry-After` is an hour.",
    ),
)
#: What such a route answers when SES did not answer in time (the email may have left).
EMAIL_UNCONFIRMED = refused(
    "email_unconfirmed",
    "Our email service did not answer in time: the email may well have left, and counts as "
    "sent (the hour's test sends, the week's sending to the decision-maker).",
)
INVALID = refused(
    "validation_error",
    "the body or a parameter breaks the rules; `fields` says which and why.",
    fields={"fields": {"type": "array", "items": {"$ref": REF + "FieldProblem"}}},
)
#: What a route with a body may answer before reading it (``mobilise.api.common.refusal``).
TOO_LARGE = refused("payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
#: What a route that reads a JSON body may answer besides its own answers.
JSON_BODY: dict[int, OpenAPIResponse] = {
    400: refused(
        "invalid_json", "The body is not valid JSON, or is nested too deeply (200 levels)."
    ),
    413: TOO_LARGE,
    415: refused("unsupported_media_type", "The body is not sent as application/json."),
    422: INVALID,
}
#: The form mail clients post for RFC 8058 one-click; the route reads nothing of it.
ONE_CLICK = {
    "requestBody": {
        "required": False,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {"List-Unsubscribe": {"const": "One-Click"}},
                }
            }
        },
    }
}


#: The page of an off switch's link (unsubscribe, reminders) that is not valid.
BAD_SWITCH = refused(None, "The link is not valid.", page=True)


def one_click(model: type) -> dict[int, OpenAPIResponse]:
    """What an off switch answers when it is posted: ``model`` for a mail client's RFC 8058
    one-click, a page for a person's browser."""
    return {
        200: ok(model=model, page=True),
        404: refused("invalid_link", "The link is not valid.", page=True, json_too=True),
        413: TOO_LARGE,
    }


def json_or_form(model: type[BaseModel], form: dict[str, Any]) -> dict[str, Any]:
    """The body of a route that reads it itself: JSON of ``model``, or a form of ``form``
    fields (an operation's ``openapi_extensions``)."""
    BODIES[model.__name__] = model
    content = {JSON: {"schema": {"$ref": REF + model.__name__}}, FORM: {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


NO_PETITION = refused("not_found", "There is no petition with this id.")
INVALID_CURSOR = refused("invalid_cursor", "The cursor is not one this API gave.")
#: A link of an email, refused as a page for a browser and as JSON for a client.
INVALID_LINK = refused(
    "invalid_link", "The link is not valid or has expired.", page=True, json_too=True
)
