"""The OpenAPI document of the HTTP API: ``python -m mobilise_local.openapi`` writes
``infra/openapi.json``; ``tests/unit/test_openapi.py`` checks it is current.

Powertools describes what the routes know (parameters, request and response models). What
only the template and the error handlers know is added here: which routes need the Cognito
token, which answer 201, every error answer in the one shape of ``mobilise.api.error``, the
pages that answer HTML, and the links from a created resource to what it makes possible.
A route that is not described here (or a description without its route) stops the build.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server, ServerVariable
from pydantic import AfterValidator, BaseModel, StringConstraints

from mobilise import schemas as models
from mobilise.api import app
from mobilise.api.common import MAX_BODY_BYTES
from mobilise.engagement.responses import ResponseForm, ResponseIn, ResponseReceived
from mobilise.engagement.rsvp import RsvpIn, RsvpOut
from mobilise.schemas import NudgesOff, Unsubscribed
from mobilise_local.template import ROOT, Template, read

OUTPUT = ROOT / "infra" / "openapi.json"
LOCAL_URL = "http://127.0.0.1:3000"  # make run
SECURITY_SCHEME = "CognitoAuthorizer"  # the authorizer's name in template.yaml
_REF = "#/components/schemas/"
_JSON = "application/json"
_HTML = "text/html"
_FORM = "application/x-www-form-urlencoded"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

DESCRIPTION = """\
A petition's starter keeps its signers informed and mobilised through updates: at most one \
update every 24 hours, emailed to the signers who asked for them.

Every error is `{"error": {"code": "...", "message": "..."}}` (`code` is for programs, \
`message` for people); a refused body also lists its `fields`. Bodies are JSON of at most \
64 KiB; unknown fields are refused. Times are ISO 8601 in UTC with a Z.

Besides the answers listed for each operation, API Gateway may answer any route `429` \
(`throttled`, when the stage's throttle is exceeded) or `5xx` (`internal_error`)."""


@dataclass(frozen=True)
class Refusal:
    """An error answer of one operation: its status, the ``error.code``s it carries, why."""

    status: int
    codes: tuple[str, ...]
    description: str
    page: bool = False  # answered as an HTML page, for a person who followed a link
    json_too: bool = False  # a page for ``Accept: text/html``, JSON otherwise


@dataclass(frozen=True)
class Operation:
    summary: str
    status: int = 200  # of the successful answer
    page: bool = False  # the successful answer is an HTML page
    media: str | None = None  # the successful answer is text of this type (.ics, CSV)
    model: str | None = None  # its JSON body, where the route's return type does not say
    page_too: bool = False  # and a page instead for ``Accept: text/html``
    form: dict[str, Any] | None = None  # an optional form body the route takes (and ignores)
    json_body: type[BaseModel] | None = None  # a body the route reads itself: JSON, or the form
    refusals: tuple[Refusal, ...] = ()
    links: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)
    """name -> (method, path, {parameter: runtime expression}) of the operation linked to."""


#: A button's link (``GET`` or ``HEAD /r/{token}``) that is not valid or leads nowhere.
_BAD_BUTTON = Refusal(
    404, (), "The link is not valid, or leads nowhere any more (the same page for both).", page=True
)
_NO_PETITION = Refusal(404, ("not_found",), "There is no petition with this id.")
_UPDATE_ID = {
    "petition_id": "$response.body#/petition_id",
    "update_id": "$response.body#/update_id",
}
_PETITION_ID = {"petition_id": "$response.body#/petition_id"}
_INVALID_LINK = Refusal(
    404, ("invalid_link",), "The link is not valid or has expired.", page=True, json_too=True
)

#: What the routes' code does not tell Powertools, by (METHOD, path).
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/petitions"): Operation(
        "Start a petition",
        status=201,
        links={
            "GetPetition": ("GET", "/petitions/{petition_id}", _PETITION_ID),
            "SignPetition": ("POST", "/petitions/{petition_id}/signatures", _PETITION_ID),
            "PublishUpdate": ("POST", "/petitions/{petition_id}/updates", _PETITION_ID),
            "ListUpdates": ("GET", "/petitions/{petition_id}/updates", _PETITION_ID),
        },
    ),
    ("GET", "/petitions/{petition_id}"): Operation(
        "A petition, and when its next update is allowed", refusals=(_NO_PETITION,)
    ),
    ("POST", "/petitions/{petition_id}/signatures"): Operation(
        "Sign a petition. The answer is the same whether the address is new or had signed "
        "(who signed what is the signer's to know): with double opt-in, the email says what "
        "happened (confirm the address, or the signature already stands); an address gets at "
        "most 10 such emails a day. An address signs once, its providers' documented aliases "
        "included (Gmail dots, `+tags`)",
        status=201,
        refusals=(
            Refusal(404, ("not_found",), "There is no such petition, or it no longer is open."),
            Refusal(
                429,
                ("too_many_requests",),
                "Too many signatures of this petition from the client's address; "
                "`Retry-After` says in how many seconds to try again.",
            ),
        ),
    ),
    ("GET", "/petitions/{petition_id}/signature-counts"): Operation(
        "Confirmed and unconfirmed signatures, for the petition's starter (the public "
        "`signer_count` is the confirmed ones)",
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition sees them."),
            _NO_PETITION,
        ),
    ),
    ("GET", "/signatures/confirm/{token}"): Operation(
        "The link of the confirmation email: a page with one button that confirms (the link "
        "itself changes nothing: mail scanners open every link)",
        page=True,
        refusals=(Refusal(404, (), "The link is not valid or has expired.", page=True),),
    ),
    ("POST", "/signatures/confirm/{token}"): Operation(
        "The confirmation page's button: confirms the signature (again is harmless)",
        page=True,
        refusals=(Refusal(404, (), "The link is not valid or has expired.", page=True),),
    ),
    ("POST", "/petitions/{petition_id}/close"): Operation(
        "Close the petition to new signatures, for good; its signatures are deleted after the "
        "retention period (SignatureRetentionDays). Closing it again changes nothing",
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can close it."),
            _NO_PETITION,
        ),
    ),
    ("POST", "/petitions/{petition_id}/updates"): Operation(
        "Publish an update of any type (or schedule it with `publish_at`): it is emailed to "
        "the signers; one every 24 hours. `recipients`: the signers who receive updates now, "
        "suppressed addresses not subtracted (the statistics count exactly)",
        status=201,
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can publish."),
            _NO_PETITION,
            Refusal(
                409,
                ("conflict",),
                "`publish_at` given while the petition already has a scheduled update.",
            ),
            Refusal(
                429,
                ("update_too_soon",),
                "The petition sent an update less than 24 hours ago: `next_update_allowed_at` "
                "says when the next one is allowed, `Retry-After` in how many seconds.",
            ),
        ),
        links={
            "GetUpdate": ("GET", "/petitions/{petition_id}/updates/{update_id}", _UPDATE_ID),
            "UpdateStats": (
                "GET",
                "/petitions/{petition_id}/updates/{update_id}/stats",
                _UPDATE_ID,
            ),
        },
    ),
    ("POST", "/petitions/{petition_id}/photos"): Operation(
        "Upload a photo for an update: a presigned S3 POST (JPEG, PNG or WebP, at most 5 MB, "
        "for 15 minutes); an update names it by `photo_id` and it is checked when published",
        status=201,
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can upload photos."),
            _NO_PETITION,
            Refusal(
                429,
                ("too_many_requests",),
                "The starter asked for too many uploads; `Retry-After` says in how many "
                "seconds to try again.",
            ),
        ),
    ),
    ("GET", "/petitions/{petition_id}/updates"): Operation(
        "A petition's updates, newest first, a page at a time",
        refusals=(
            Refusal(400, ("invalid_cursor",), "The cursor is not one this API gave."),
            _NO_PETITION,
        ),
    ),
    ("GET", "/petitions/{petition_id}/updates/{update_id}"): Operation(
        "An update",
        refusals=(Refusal(404, ("not_found",), "There is no such update on this petition."),),
    ),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/stats"): Operation(
        "How an update's delivery went, for the petition's starter",
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition sees them."),
            Refusal(404, ("not_found",), "There is no such petition, update or delivery."),
        ),
    ),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/event.ics"): Operation(
        "An event update as an iCalendar file (RFC 5545), for the email's add-to-calendar button",
        media="text/calendar",
        refusals=(Refusal(404, ("not_found",), "There is no published event with this id."),),
    ),
    # Publishing: preview, test send, corrections and cancellations, unpublished updates.
    ("POST", "/petitions/{petition_id}/updates/preview"): Operation(
        "Render an update's email without sending it (nothing stored, window untouched); "
        "`recipients`: the signers who receive updates now, suppressions not subtracted",
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can preview."),
            _NO_PETITION,
        ),
    ),
    ("POST", "/petitions/{petition_id}/updates/test"): Operation(
        "Send an update's email to the starter's own verified address only; it is not an "
        "update and leaves the 24-hour window open. The email says it is a test (a [Test] "
        "subject, a banner) and carries no unsubscribe link or List-Unsubscribe header",
        status=202,
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can test-send."),
            _NO_PETITION,
            Refusal(
                409,
                ("no_verified_address",),
                "The starter has no verified email address to send the test to.",
            ),
            Refusal(
                429,
                ("too_many_requests",),
                "At most 10 test sends an hour per petition; `Retry-After` says when.",
            ),
        ),
    ),
    ("PATCH", "/petitions/{petition_id}/updates/{update_id}"): Operation(
        "Correct an update's page (no email, the 24-hour window untouched), move or edit a "
        'scheduled update, or cancel it with `{"status": "cancelled"}`',
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition can edit."),
            Refusal(404, ("not_found",), "There is no such petition or update."),
            Refusal(
                409,
                ("conflict",),
                "A published update cannot be cancelled, a cancelled one cannot be edited, "
                "or the update changed meanwhile.",
            ),
        ),
    ),
    ("GET", "/petitions/{petition_id}/unpublished-updates"): Operation(
        "The starter's scheduled and cancelled updates, newest first, a page at a time",
        refusals=(
            Refusal(400, ("invalid_cursor",), "The cursor is not one this API gave."),
            Refusal(403, ("forbidden",), "Only the starter of the petition sees them."),
            _NO_PETITION,
        ),
    ),
    ("GET", "/unsubscribe/{token}"): Operation(
        "The unsubscribe link of an email: a page that asks to confirm (it never unsubscribes)",
        page=True,
        refusals=(Refusal(404, (), "The link is not valid.", page=True),),
    ),
    ("POST", "/unsubscribe/{token}"): Operation(
        "Unsubscribe from a petition's updates: RFC 8058 one-click, idempotent, no redirect",
        model="Unsubscribed",
        page_too=True,
        form={  # what mail clients post (RFC 8058)
            "type": "object",
            "properties": {"List-Unsubscribe": {"const": "One-Click"}},
        },
        refusals=(
            Refusal(404, ("invalid_link",), "The link is not valid.", page=True, json_too=True),
        ),
    ),
    ("GET", "/r/{token}"): Operation(
        "A button of an update's email: counts a click on its action and redirects to its "
        "target (https:, mailto:, tel:, or the service's own pages; found from the stored "
        "update, never from the link). A click within 30 s of the email's sending, or within "
        "2 s of the same recipient's click on another button, counts as a machine's",
        status=302,
        refusals=(_BAD_BUTTON,),
    ),
    ("HEAD", "/r/{token}"): Operation(
        "What mail scanners ask of a button: the same 302 as GET, counted as nobody's click",
        status=302,
        refusals=(_BAD_BUTTON,),
    ),
    ("GET", "/nudges/off/{token}"): Operation(
        "The starter's link in every reminder: a page that asks to confirm (it never acts)",
        page=True,
        refusals=(Refusal(404, (), "The link is not valid.", page=True),),
    ),
    ("POST", "/nudges/off/{token}"): Operation(
        "Stop a petition's reminders to its starter: RFC 8058 one-click too, idempotent",
        model="NudgesOff",
        page_too=True,
        form={  # what mail clients post (RFC 8058)
            "type": "object",
            "properties": {"List-Unsubscribe": {"const": "One-Click"}},
        },
        refusals=(
            Refusal(404, ("invalid_link",), "The link is not valid.", page=True, json_too=True),
        ),
    ),
    ("GET", "/respond/{token}"): Operation(
        "The respond link of an `ask_testimony` or `ask_advice` email: the form (a page), or "
        "what it asks as JSON for `Accept: application/json`",
        model="ResponseForm",
        page_too=True,
        refusals=(_INVALID_LINK,),
    ),
    ("POST", "/respond/{token}"): Operation(
        "Send a testimony, advice or contact to the petition's starter (the form answers a "
        "page); at most 5 per signer and update",
        status=201,
        model="ResponseReceived",
        page_too=True,
        json_body=ResponseIn,
        form={
            "type": "object",
            "properties": {
                name: {"type": "string"}
                for name in ("kind", "text", "name", "contact", "press_consent")
            },
        },
        refusals=(
            _INVALID_LINK,
            Refusal(
                409,
                ("too_many_responses",),
                "This signer already answered this update 5 times.",
                page=True,
                json_too=True,
            ),
        ),
    ),
    ("GET", "/rsvp/{token}"): Operation(
        "The RSVP link of an event's email: a page with Yes and No buttons (it never "
        "answers), or the answer so far as JSON for `Accept: application/json`",
        model="RsvpOut",
        page_too=True,
        refusals=(_INVALID_LINK,),
    ),
    ("POST", "/rsvp/{token}"): Operation(
        "Answer an event's invitation: the last answer counts, the same answer twice once",
        model="RsvpOut",
        page_too=True,
        json_body=RsvpIn,
        form={"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}},
        refusals=(
            _INVALID_LINK,
            Refusal(409, ("conflict",), "The answer changed at the same time; send it again."),
        ),
    ),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses"): Operation(
        "The responses to an update, newest first, a page at a time, for the petition's starter",
        refusals=(
            Refusal(400, ("invalid_cursor",), "The cursor is not one this API gave."),
            Refusal(403, ("forbidden",), "Only the starter of the petition reads them."),
            Refusal(404, ("not_found",), "There is no such petition or update."),
        ),
    ),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses.csv"): Operation(
        "Every response to an update as CSV (UTF-8 with a byte order mark), for the "
        "petition's starter",
        media="text/csv",
        refusals=(
            Refusal(403, ("forbidden",), "Only the starter of the petition reads them."),
            Refusal(404, ("not_found",), "There is no such petition or update."),
        ),
    ),
}


def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        found: str = tomllib.load(stream)["project"]["version"]
    return found


def document(template: Template | None = None) -> dict[str, Any]:
    """The OpenAPI document of ``mobilise.api.app``, as JSON data."""
    template = template or read()
    schema = app.get_openapi_schema(
        title="Mobilise",
        version=version(),
        description=DESCRIPTION,
        servers=[
            Server(
                url="{PublicBaseUrl}",
                description="Deployed: the PublicBaseUrl of template.yaml",
                variables={
                    "PublicBaseUrl": ServerVariable(
                        default=template.parameter_defaults()["PublicBaseUrl"]
                    )
                },
            ),
            Server(url=LOCAL_URL, description="The local stack (make run)"),
        ],
        security_schemes={
            SECURITY_SCHEME: HTTPBearer(
                bearerFormat="JWT",
                description="An ID token of the Cognito user pool of the petition starters "
                "(locally: POST /_local/token).",
            )
        },
    )
    doc: dict[str, Any] = json.loads(
        json.dumps(schema.model_dump(mode="json", by_alias=True, exclude_none=True))
    )
    _check_coverage(doc, {(r.method, r.path) for r in template.routes()})
    owner_routes = {(r.method, r.path) for r in template.routes() if r.authorized}
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in _POWERTOOLS_ERRORS:  # what Powertools' handler would say; ours says otherwise
        schemas.pop(name, None)
    schemas.update(_ERROR_SCHEMAS)
    schemas["Unsubscribed"] = Unsubscribed.model_json_schema(
        mode="serialization", ref_template=_REF + "{model}"
    )
    schemas["NudgesOff"] = NudgesOff.model_json_schema(
        mode="serialization", ref_template=_REF + "{model}"
    )
    for model in (ResponseForm, ResponseReceived, RsvpOut, ResponseIn, RsvpIn):
        _model_schema(model, schemas)
    _text_rules(schemas)
    operation_ids = {(m.upper(), p): op["operationId"] for m, p, op in _operations(doc)}
    for method, path, operation in _operations(doc):
        key = (method.upper(), path)
        _describe(operation, OPERATIONS[key], key in owner_routes, operation_ids, schemas)
    _drop_unused_schemas(doc)
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    return doc


#: Characters ``mobilise.schemas._one_line`` refuses: controls (Cc), line and paragraph
#: separators (Zl, Zp), bidirectional overrides and isolates.
_NOT_IN_ONE_LINE = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
ONE_LINE = rf"^[^{_NOT_IN_ONE_LINE}]*[^\s{_NOT_IN_ONE_LINE}][^{_NOT_IN_ONE_LINE}]*$"
NOT_BLANK = r"\S"


def _text_rules(schemas: dict[str, Any]) -> None:
    """Say what the request models' validators refuse and pydantic leaves out of the schema:
    text of blanks only (stripped, then at least one character), and in one-line text the
    characters ``_one_line`` refuses. A field whose schema has a pattern already is left be."""
    request_models = {**vars(models), "ResponseIn": ResponseIn, "RsvpIn": RsvpIn}
    for name, model in request_models.items():
        if not (isinstance(model, type) and issubclass(model, BaseModel) and name in schemas):
            continue
        properties = schemas[name].get("properties", {})
        for field_name, info in model.model_fields.items():
            text = properties.get(field_name, {})
            if text.get("type") != "string" or "pattern" in text:
                continue
            if any(
                isinstance(rule, AfterValidator) and rule.func is models._one_line
                for rule in info.metadata
            ):
                text["pattern"] = ONE_LINE
            elif any(
                isinstance(rule, StringConstraints)
                and rule.strip_whitespace
                and (rule.min_length or 0) >= 1
                for rule in info.metadata
            ):
                text["pattern"] = NOT_BLANK


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in _METHODS:
            if method in item:
                yield method, path, item[method]


def _check_coverage(doc: dict[str, Any], template_routes: set[tuple[str, str]]) -> None:
    routes = {(method.upper(), path) for method, path, _ in _operations(doc)}
    problems = []
    if routes != template_routes:
        problems.append(
            f"routes of the app and Api events of template.yaml differ: "
            f"only in the app {sorted(routes - template_routes)}, "
            f"only in the template {sorted(template_routes - routes)}"
        )
    if routes != set(OPERATIONS):
        problems.append(
            f"describe every route in mobilise_local.openapi.OPERATIONS: "
            f"undescribed {sorted(routes - set(OPERATIONS))}, "
            f"no such route {sorted(set(OPERATIONS) - routes)}"
        )
    if problems:
        raise ValueError("; ".join(problems))


_POWERTOOLS_ERRORS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_STRING = {"type": "string"}
_ERROR_SCHEMAS: dict[str, Any] = {
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
                    "code": {**_STRING, "description": "For programs: stable."},
                    "message": {**_STRING, "description": "For people: may change."},
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
                **_STRING,
                "description": "Where: a dotted path in the body, or a parameter's name.",
            },
            "message": _STRING,
        },
    },
}


def _error_schema(codes: tuple[str, ...], schemas: dict[str, Any]) -> dict[str, Any]:
    """A reference to the schema of an error with one of these codes (made on first use)."""
    name = "Or".join(code.title().replace("_", "") for code in codes)
    name += "" if name.endswith("Error") else "Error"
    schema = {
        "title": name,
        "allOf": [
            {"$ref": _REF + "Error"},
            {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {"code": {"enum": list(codes)}},
                    }
                },
            },
        ],
    }
    if schemas.setdefault(name, schema) != schema:
        raise ValueError(f"two schemas named {name}: rename one")
    return {"$ref": _REF + name}


def _with_fields(base: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """An error schema with more (required) top-level fields than ``error``."""
    return {
        "allOf": [
            base,
            {"type": "object", "required": list(fields), "properties": fields},
        ]
    }


_PAGE = {"schema": _STRING}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


_REDIRECT_HEADERS = {
    "Location": {
        "description": "Where the button leads: an https:, mailto: or tel: URL.",
        "required": True,
        "schema": {"type": "string", "pattern": "^(https:|mailto:|tel:)"},
    }
}


def _describe(
    operation: dict[str, Any],
    described: Operation,
    owner: bool,
    operation_ids: dict[tuple[str, str], str],
    schemas: dict[str, Any],
) -> None:
    """Replace Powertools' guesses (200, HTTPValidationError) by what the API answers."""
    powertools = operation.pop("responses")
    operation["summary"] = described.summary
    success = powertools["200"]
    success["description"] = "Created." if described.status == 201 else "OK."
    if described.status == 302:
        success = {
            "description": "Found: go to `Location`.",
            "headers": _REDIRECT_HEADERS,
            "content": {},
        }
    if described.page:
        success["content"] = {_HTML: _PAGE}
    if described.media is not None:
        success["content"] = {described.media: _PAGE}
    if described.model is not None:
        success["content"] = {_JSON: {"schema": {"$ref": _REF + described.model}}}
    if described.page_too:
        success["content"][_HTML] = _PAGE
    if described.links:
        success["links"] = {
            name: {"operationId": operation_ids[(method, path)], "parameters": parameters}
            for name, (method, path, parameters) in described.links.items()
        }
    responses: dict[str, Any] = {str(described.status): success}

    refusals = list(described.refusals)
    if described.json_body is not None:
        content: dict[str, Any] = {_JSON: {"schema": _model_schema(described.json_body, schemas)}}
        if described.form is not None:
            content[_FORM] = {"schema": described.form}
        operation["requestBody"] = {"required": True, "content": content}
    elif described.form is not None:
        operation["requestBody"] = {
            "required": False,
            "content": {_FORM: {"schema": described.form}},
        }
    json_body = _JSON in operation.get("requestBody", {}).get("content", {})
    if json_body:
        refusals += [
            Refusal(
                400,
                ("invalid_json",),
                "The body is not valid JSON, or is nested too deeply (200 levels).",
            ),
            Refusal(415, ("unsupported_media_type",), "The body is not sent as application/json."),
        ]
    if "requestBody" in operation:
        refusals.append(
            Refusal(413, ("payload_too_large",), f"The body is over {MAX_BODY_BYTES} bytes.")
        )
    if owner:
        operation["security"] = [{SECURITY_SCHEME: []}]
        refusals.append(
            Refusal(401, ("unauthorized",), "No valid Cognito ID token in Authorization.")
        )
    for refusal in refusals:
        responses[str(refusal.status)] = _refusal(refusal, schemas)
    if json_body or any(p["in"] != "path" for p in operation.get("parameters", [])):
        refused = _with_fields(
            _error_schema(("validation_error",), schemas),
            {"fields": {"type": "array", "items": {"$ref": _REF + "FieldProblem"}}},
        )
        responses["422"] = {
            "description": "`validation_error`: the body or a parameter breaks the rules; "
            "`fields` says which and why.",
            "content": {_JSON: {"schema": refused}},
        }
    operation["responses"] = dict(sorted(responses.items()))
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            parameter["schema"] = _not_null(parameter["schema"])


def _model_schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """A reference to ``model``'s schema in the components, with the models it uses."""
    schema = model.model_json_schema(mode="serialization", ref_template=_REF + "{model}")
    for name, used in schema.pop("$defs", {}).items():
        schemas.setdefault(name, used)
    schemas.setdefault(model.__name__, schema)  # as registered first, with the text rules
    return {"$ref": _REF + model.__name__}


def _refusal(refusal: Refusal, schemas: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if not refusal.page or refusal.json_too:
        schema = _error_schema(refusal.codes, schemas)
        if refusal.codes == ("update_too_soon",):
            when = {
                "type": "string",
                "format": "date-time",
                "description": "When the petition may send its next update.",
            }
            schema = _with_fields(schema, {"next_update_allowed_at": when})
        content[_JSON] = {"schema": schema}
    if refusal.page:
        content[_HTML] = _PAGE
    codes = ", ".join(f"`{code}`" for code in refusal.codes)
    answer: dict[str, Any] = {
        "description": f"{codes}: {refusal.description}" if codes else refusal.description,
        "content": content,
    }
    if refusal.status == 429:
        answer["headers"] = _RETRY_AFTER
    return answer


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter is absent, never null: drop pydantic's null branch."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" not in schema or len(branches) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**branches[0], **rest}


def _drop_unused_schemas(doc: dict[str, Any]) -> None:
    """Leave out the schemas nothing refers to any more, once Powertools' guesses are gone."""
    schemas: dict[str, Any] = doc["components"]["schemas"]
    while True:
        outside = json.dumps({**doc, "components": {}})
        unused = [
            name
            for name in schemas
            if f'"{_REF}{name}"' not in outside
            and all(f'"{_REF}{name}"' not in json.dumps(schemas[o]) for o in schemas if o != name)
        ]
        if not unused:
            return
        for name in unused:
            del schemas[name]


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobilise_local.openapi", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.out.write_text(render(document()))
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
