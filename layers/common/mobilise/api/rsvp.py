"""/rsvp/{token}: a page with Yes and No buttons; the answer is posted (form or JSON)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mobilise.api.contract import INVALID_LINK, JSON_BODY, json_or_form, ok, refused
from mobilise.api.forms import invalid_body, private_json, private_page, read_body, wants_json
from mobilise.api.http import Response, Router
from mobilise.core.errors import InvalidLink
from mobilise.engagement import rsvp
from mobilise.engagement.rsvp import Invited, RsvpIn

router = Router()
_FORM = {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}}


def _page(
    status: int, state: str, language: str, invited: Invited | None = None, answer: str = ""
) -> Response[str]:
    return private_page("rsvp.html", status, language, state=state, invited=invited, answer=answer)


@router.get(
    "/rsvp/<token>",
    operation_id="rsvp_page",
    tags=["engagement"],
    summary="The RSVP link of an event's email",
    description="A page with Yes and No buttons (it never answers), or the answer so far as "
    "JSON for `Accept: application/json`.",
    responses={200: ok(model=rsvp.RsvpOut, page=True), 404: INVALID_LINK},
)
def rsvp_page(token: str) -> Response[Any]:
    """Asks; never answers for the signer (link scanners open every link of an email)."""
    json_wanted = wants_json(router)
    try:
        invited = rsvp.invited(token)
    except InvalidLink:
        if json_wanted:
            raise
        return _page(404, "invalid", "en")
    if json_wanted:
        return private_json(invited.out())
    return _page(200, "ask", invited.language, invited, invited.answer or "")


@router.post(
    "/rsvp/<token>",
    operation_id="answer_rsvp",
    tags=["engagement"],
    summary="Answer an event's invitation",
    description="The last answer counts, the same answer twice once.",
    openapi_extensions=json_or_form(RsvpIn, _FORM),
    responses={
        200: ok(model=rsvp.RsvpOut, page=True),
        404: INVALID_LINK,
        409: refused("conflict", "The answer changed at the same time; send it again."),
        **JSON_BODY,
    },
)
def answer_rsvp(token: str) -> Response[Any]:
    """Yes or no; the same answer again changes nothing, another answer replaces it."""
    form, fields = read_body(router)
    try:
        invited = rsvp.invited(token)
    except InvalidLink:
        if form:
            return _page(404, "invalid", "en")
        raise
    try:
        request = rsvp.from_form(fields) if form else RsvpIn.model_validate(fields)
    except ValidationError as error:
        if not form:
            raise invalid_body(error) from None
        return _page(422, "ask", invited.language, invited, invited.answer or "")
    answered = rsvp.answer(invited, request)
    if form:
        return _page(200, "done", invited.language, invited, request.answer)
    return private_json(answered)
