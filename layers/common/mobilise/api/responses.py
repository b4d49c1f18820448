"""/respond/{token} (the signer's form, HTML or JSON) and the starter's list and CSV."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ValidationError

from mobilise.api.common import caller, checked_id
from mobilise.api.contract import (
    INVALID,
    INVALID_CURSOR,
    INVALID_LINK,
    JSON_BODY,
    json_or_form,
    ok,
    refused,
    text,
)
from mobilise.api.forms import (
    PRIVATE,
    invalid_body,
    private_json,
    private_page,
    read_body,
    wants_json,
)
from mobilise.api.http import Query, Response, Router
from mobilise.core.errors import InvalidLink, NotFound, TooManyResponses
from mobilise.core.ids import is_id
from mobilise.engagement import responses
from mobilise.engagement.responses import Asked, ResponseIn, ResponsePage

router = Router()
_FORM_FIELDS = ("kind", "text", "name", "contact", "press_consent")
_FORM = {"type": "object", "properties": {name: {"type": "string"} for name in _FORM_FIELDS}}
_STARTER_ONLY = refused("forbidden", "Only the starter of the petition reads them.")
_NO_UPDATE = refused("not_found", "There is no such petition or update.")


def _page(
    status: int,
    state: str,
    language: str,
    asked: Asked | None = None,
    problems: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response[str]:
    return private_page(
        "respond.html",
        status,
        language,
        state=state,
        asked=asked,
        problems=problems or [],
        values=values or {},
        limit=responses.PER_SIGNER,
    )


@router.get(
    "/respond/<token>",
    operation_id="respond_form",
    tags=["engagement"],
    summary="The respond link of an ask_testimony or ask_advice email",
    description="The form (a page), or what it asks as JSON for `Accept: application/json`.",
    responses={200: ok(model=responses.ResponseForm, page=True), 404: INVALID_LINK},
)
def respond_form(token: str) -> Response[Any]:
    """The form (a page, or its description as JSON); never stores anything."""
    json_wanted = wants_json(router)
    try:
        asked = responses.asked(token)
    except InvalidLink:
        if json_wanted:
            raise
        return _page(404, "invalid", "en")
    if json_wanted:
        return private_json(responses.form(asked))
    return _page(200, "form", asked.language, asked)


@router.post(
    "/respond/<token>",
    operation_id="respond",
    tags=["engagement"],
    summary="Send a testimony, advice or contact to the petition's starter",
    description="The form answers a page; at most 5 per signer and update.",
    openapi_extensions=json_or_form(ResponseIn, _FORM),
    responses={
        201: ok("Created.", responses.ResponseReceived, page=True),
        404: INVALID_LINK,
        409: refused(
            "too_many_responses",
            "This signer already answered this update 5 times.",
            page=True,
            json_too=True,
        ),
        **JSON_BODY,
    },
)
def respond(token: str) -> Response[Any]:
    """Store a response: the form answers a page, JSON answers 201 JSON."""
    form, fields = read_body(router)
    try:
        asked = responses.asked(token)
    except InvalidLink:
        if form:
            return _page(404, "invalid", "en")
        raise
    try:
        request = responses.from_form(fields) if form else ResponseIn.model_validate(fields)
        responses.give(asked, request)
    except ValidationError as error:
        if not form:
            raise invalid_body(error) from None
        problems = [
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        ]
        values = {name: (value or [""])[0] for name, value in fields.items()}
        return _page(422, "form", asked.language, asked, problems, values)
    except TooManyResponses:
        if not form:
            raise
        return _page(409, "too_many", asked.language, asked)
    if form:
        return _page(201, "thanks", asked.language, asked)
    return private_json(
        responses.ResponseReceived(message="Thank you: the petition's starter will read it."),
        status=201,
    )


def _update_id(update_id: str) -> str:
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return update_id


@router.get(
    "/petitions/<petition_id>/updates/<update_id>/responses",
    operation_id="list_responses",
    tags=["engagement"],
    summary="The responses to an update",
    description="Newest first, a page at a time, for the petition's starter.",
    responses={
        200: ok(),
        400: INVALID_CURSOR,
        403: _STARTER_ONLY,
        404: _NO_UPDATE,
        422: INVALID,
    },
)
def list_responses(
    petition_id: str,
    update_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ResponsePage:
    """An update's responses, newest first, for the petition's starter."""
    who = caller(router)
    return responses.page(who, checked_id(petition_id), _update_id(update_id), limit, cursor)


@router.get(
    "/petitions/<petition_id>/updates/<update_id>/responses.csv",
    operation_id="export_responses",
    tags=["engagement"],
    summary="Every response to an update as CSV",
    description="UTF-8 with a byte order mark, for the petition's starter.",
    responses={200: text("text/csv"), 403: _STARTER_ONLY, 404: _NO_UPDATE},
)
def export_responses(petition_id: str, update_id: str) -> Response[str]:
    """Every response to an update as CSV, for the petition's starter."""
    who = caller(router)
    text = responses.export_csv(who, checked_id(petition_id), _update_id(update_id))
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=text,
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="responses-{update_id}.csv"',
        },
    )
