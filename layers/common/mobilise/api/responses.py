"""/respond/{token} (the signer's form, HTML or JSON) and the starter's list and CSV."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import ValidationError

from mobilise.api.common import HTML, caller, checked_id
from mobilise.api.forms import PRIVATE, invalid_body, read_body, wants_json
from mobilise.core.errors import InvalidLink, NotFound, TooManyResponses
from mobilise.core.ids import is_id
from mobilise.emails import rendering
from mobilise.engagement import responses
from mobilise.engagement.responses import Asked, ResponseIn, ResponsePage

router = Router()  # type: ignore[no-untyped-call]


def _page(
    status: int,
    state: str,
    language: str,
    asked: Asked | None = None,
    problems: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response[str]:
    html = rendering.render(
        "respond.html",
        language,
        state=state,
        asked=asked,
        problems=problems or [],
        values=values or {},
        limit=responses.PER_SIGNER,
    )
    return Response(status_code=status, content_type=HTML, body=html, headers=PRIVATE)


@router.get("/respond/<token>")
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
        return Response(
            status_code=200,
            content_type=content_types.APPLICATION_JSON,
            body=responses.form(asked),
            headers=PRIVATE,
        )
    return _page(200, "form", asked.language, asked)


@router.post("/respond/<token>")
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
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=responses.ResponseReceived(message="Thank you: the petition's starter will read it."),
        headers=PRIVATE,
    )


def _update_id(update_id: str) -> str:
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return update_id


@router.get("/petitions/<petition_id>/updates/<update_id>/responses")
def list_responses(
    petition_id: str,
    update_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ResponsePage:
    """An update's responses, newest first, for the petition's starter."""
    who = caller(router)
    return responses.page(who, checked_id(petition_id), _update_id(update_id), limit, cursor)


@router.get("/petitions/<petition_id>/updates/<update_id>/responses.csv")
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
