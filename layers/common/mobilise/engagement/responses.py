"""Responses: the testimonies, advice and contacts signers send back through the signed link
of an ``ask_testimony`` or ``ask_advice`` update's email.

Only the petition's starter reads them (JSON, a page at a time, or all as CSV); they are never
shown publicly. A testimony carries its own, explicit consent to pass it to the press. One
signer gives at most :data:`PER_SIGNER` responses to one update (a conditional counter).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, StrictBool, ValidationError

from mobilise.core import clock, ids, links
from mobilise.core.errors import InvalidCursor, InvalidLink, NotOwner
from mobilise.core.fields import RequestBody, ShortText, bounded, one_line
from mobilise.core.links import SignerRef
from mobilise.core.observability import logger
from mobilise.engagement import store
from mobilise.table import items
from mobilise.table.models import Petition, Response, Update

PER_SIGNER = 5
TEXT_MAX = 5_000
CONTACT_MAX = 300
#: The kinds of response each asking type of update takes; the first is the default.
KINDS: dict[str, tuple[str, ...]] = {
    "ask_testimony": ("testimony",),
    "ask_advice": ("advice", "contact"),
}

Kind = Literal["testimony", "advice", "contact"]


class ResponseIn(RequestBody):
    """A response, as JSON or as the fields of the form."""

    kind: Kind | None = None
    text: Annotated[str, bounded(TEXT_MAX)]
    name: ShortText | None = None
    contact: Annotated[str, bounded(CONTACT_MAX), AfterValidator(one_line)] | None = None
    press_consent: StrictBool = False


class ResponseField(BaseModel):
    name: str
    type: Literal["string", "boolean"]
    required: bool
    max_length: int | None = None
    choices: list[str] | None = None


class ResponseForm(BaseModel):
    """What a response link asks, for a client that shows its own form."""

    petition_title: str
    update_id: str
    update_type: str
    title: str
    ask: str  # the prompt of a testimony, the question of advice
    language: str
    fields: list[ResponseField]


class ResponseOut(BaseModel):
    response_id: str
    update_id: str
    kind: Kind
    text: str
    name: str | None
    contact: str | None
    press_consent: bool
    created_at: str


class ResponsePage(BaseModel):
    responses: list[ResponseOut]
    next_cursor: str | None


class ResponseReceived(BaseModel):
    status: Literal["received"] = "received"
    message: str


@dataclass(frozen=True)
class Asked:
    """What a response link names: the signer, the petition and the update that asks."""

    signer: SignerRef
    petition: Petition
    update: Update
    language: str

    @property
    def kinds(self) -> tuple[str, ...]:
        return KINDS[self.update.type]

    @property
    def ask(self) -> str:
        fields = self.update.fields or {}
        return str(fields.get("prompt") or fields.get("question") or "")


def asked(token: str) -> Asked:
    """The signer and update of a response link; :class:`InvalidLink` for a tampered or
    expired link, a signer who is no longer there, or an update that asks nothing."""
    signer = links.read_respond(token)
    assert signer.update_id is not None
    signature, petition, update = items.linked(
        signer.petition_id, signer.email_hash, signer.update_id
    )
    if update.type not in KINDS:
        raise InvalidLink()
    return Asked(signer, petition, update, signature.language or petition.language)


def form(asked: Asked) -> ResponseForm:
    testimony = asked.update.type == "ask_testimony"
    fields = [
        ResponseField(name="kind", type="string", required=False, choices=list(asked.kinds)),
        ResponseField(name="text", type="string", required=True, max_length=TEXT_MAX),
        ResponseField(name="name", type="string", required=False, max_length=100),
    ]
    if testimony:
        fields.append(ResponseField(name="press_consent", type="boolean", required=False))
    else:
        fields.append(
            ResponseField(name="contact", type="string", required=False, max_length=CONTACT_MAX)
        )
    return ResponseForm(
        petition_title=asked.petition.title,
        update_id=asked.update.update_id,
        update_type=asked.update.type,
        title=asked.update.title,
        ask=asked.ask,
        language=asked.language,
        fields=fields,
    )


def from_form(fields: Mapping[str, list[str]]) -> ResponseIn:
    """A response from the fields of the page's form: an unticked box is absent, an empty
    optional field is no value, and fields the form does not have are ignored."""
    data: dict[str, Any] = {"press_consent": "press_consent" in fields}
    for name in ("kind", "text", "name", "contact"):
        value = (fields.get(name) or [""])[0]
        if value.strip() or name == "text":
            data[name] = value
    return ResponseIn.model_validate(data)


def check(asked: Asked, request: ResponseIn) -> ResponseIn:
    """The request made to fit the update it answers, or a :class:`ValidationError` naming the
    field that does not."""
    kind = request.kind or asked.kinds[0]
    problems: list[tuple[str, str]] = []
    if kind not in asked.kinds:
        problems.append(("kind", f"this update takes {' or '.join(asked.kinds)}"))
    if request.press_consent and kind != "testimony":
        problems.append(("press_consent", "only a testimony may be passed to the press"))
    if request.contact is not None and kind == "testimony":
        problems.append(("contact", "a testimony has no contact details"))
    if problems:
        raise ValidationError.from_exception_data(
            "ResponseIn",
            [
                {"type": "value_error", "loc": (field,), "input": None, "ctx": {"error": why}}
                for field, why in problems
            ],
        )
    return request.model_copy(update={"kind": kind})


def give(asked: Asked, request: ResponseIn) -> Response:
    """Store a signer's response (see :func:`check`), within :data:`PER_SIGNER` per update."""
    request = check(asked, request)
    response_id = ids.new_id()
    update = asked.update
    response = Response(
        *Response.key(update.petition_id, update.update_id, response_id),
        petition_id=update.petition_id,
        update_id=update.update_id,
        response_id=response_id,
        kind=request.kind,
        text=request.text,
        name=request.name,
        contact=request.contact,
        press_consent=request.press_consent,
        email_key=asked.signer.email_hash,
        created_at=clock.now(),
    )
    store.add_response(response, PER_SIGNER)
    logger.info(
        "response received",
        petition_id=update.petition_id,
        update_id=update.update_id,
        kind=request.kind,
    )
    return response


def _owned_update(caller: str, petition_id: str, update_id: str) -> Update:
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    return items.get_update(petition_id, update_id)


def view(response: Response) -> ResponseOut:
    return ResponseOut(
        response_id=response.response_id,
        update_id=response.update_id,
        kind=response.kind,  # type: ignore[arg-type]
        text=response.text,
        name=response.name,
        contact=response.contact,
        press_consent=bool(response.press_consent),
        created_at=clock.isoformat(response.created_at),
    )


def page(
    caller: str, petition_id: str, update_id: str, limit: int, cursor: str | None
) -> ResponsePage:
    """An update's responses, newest first, for the petition's starter only."""
    _owned_update(caller, petition_id, update_id)
    found, last = store.list_responses(petition_id, update_id, limit, _read_cursor(cursor))
    return ResponsePage(
        responses=[view(response) for response in found],
        next_cursor=base64.urlsafe_b64encode(last.encode()).decode() if last else None,
    )


def _read_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        response_id = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    if not ids.is_id(response_id):
        raise InvalidCursor()
    return response_id


CSV_HEADER = ("created_at", "kind", "name", "contact", "press_consent", "text")
#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_csv(caller: str, petition_id: str, update_id: str) -> str:
    """Every response to an update as CSV (UTF-8 with a byte order mark, so spreadsheets read
    it as UTF-8), oldest first, for the petition's starter only."""
    _owned_update(caller, petition_id, update_id)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for response in store.all_responses(petition_id, update_id):
        writer.writerow(
            [
                _cell(clock.isoformat(response.created_at)),
                _cell(response.kind),
                _cell(response.name),
                _cell(response.contact),
                "yes" if response.press_consent else "no",
                _cell(response.text),
            ]
        )
    return out.getvalue()
