"""The decision-maker's answer: the starter's sending (``/petitions/{id}/decision-maker/
requests``) and the decision-maker's page (``/p/{id}/answer/{token}``), a form posted as a
plain form, each problem next to its field. A tampered, expired or unknown link gets the
one page of an invalid link."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mobilise.answers import flow
from mobilise.answers.schemas import (
    SendingsOut,
    SentOut,
    answer_of,
    form_values,
    shown_again,
)
from mobilise.answers.schemas import problems as form_problems
from mobilise.api.common import caller, checked_id
from mobilise.api.contract import (
    EMAIL_UNAVAILABLE,
    EMAIL_UNCONFIRMED,
    FORM,
    NO_PETITION,
    TOO_LARGE,
    ok,
    page,
    refused,
    throttled,
)
from mobilise.api.forms import is_form, private_page, read_body
from mobilise.api.http import APPLICATION_JSON, Response, Router
from mobilise.core.errors import (
    AnswerClosed,
    Conflict,
    InvalidLink,
    TooManyAnswers,
    UnsupportedBody,
)

router = Router()
_STARTER_ONLY = refused("forbidden", "Only the starter of the petition sends it.")
_INVALID = page("The link is not valid or has expired: one page for every such link.")
_FORM_SCHEMA = {
    "type": "object",
    "required": ["stance", "name", "role"],
    "properties": {
        "stance": {"enum": ["agree", "disagree", "other"]},
        "text": {"type": "string", "maxLength": 5000, "description": "Needed with `other`."},
        "name": {"type": "string", "maxLength": 100},
        "role": {"type": "string", "maxLength": 200},
    },
}


@router.post(
    "/petitions/<petition_id>/decision-maker/requests",
    operation_id="send_to_decision_maker",
    tags=["petitions"],
    summary="Send the petition to its decision-maker, who may answer publicly",
    description="Emails the petition's title, text, confirmed signers and latest updates to "
    "`decision_maker.email`, with a link (30 days) to a page where they answer: agree, "
    "disagree or a text, with their name and role. The answer is shown on the petition's "
    "page and sent to the signers as a `decision_maker_response` update, outside the "
    "24-hour window; the starter is emailed. Once a week per petition. Reads no body.",
    responses={
        202: ok("Sent.", SentOut),
        403: _STARTER_ONLY,
        404: NO_PETITION,
        409: refused("conflict", "The petition is closed."),
        422: refused("validation_error", "The petition names no decision-maker's email."),
        429: throttled(
            "too_many_requests",
            "The petition was sent to its decision-maker less than a week ago.",
            fields={"next_sending_allowed_at": {"type": "string", "format": "date-time"}},
        ),
        503: EMAIL_UNAVAILABLE,
        504: EMAIL_UNCONFIRMED,
    },
)
def send_to_decision_maker(petition_id: str) -> Response[SentOut]:
    sent = flow.send(caller(router), checked_id(petition_id))
    return Response(status_code=202, content_type=APPLICATION_JSON, body=sent)


@router.get(
    "/petitions/<petition_id>/decision-maker/requests",
    operation_id="decision_maker_requests",
    tags=["petitions"],
    summary="The petition's sendings to its decision-maker, and whether they answered",
    responses={200: ok(), 403: _STARTER_ONLY, 404: NO_PETITION},
)
def decision_maker_requests(petition_id: str) -> SendingsOut:
    return flow.sendings(caller(router), checked_id(petition_id))


def _page(
    status: int, state: str, link: flow.Opened | None = None, **context: Any
) -> Response[str]:
    """The decision-maker's page; without a link, the one page of an invalid link."""
    if link is None:
        return private_page("answer.html", status, "en", state="invalid")
    shown = flow.page_view(link)
    return private_page(
        "answer.html",
        status,
        link.language,
        state=state,
        **shown,
        values=shown_again(context.pop("values", shown["current"])),
        errors=context.pop("errors", {}),
        too_many=context.pop("too_many", False),
        conflict=context.pop("conflict", False),
    )


@router.get(
    "/p/<petition_id>/answer/<token>",
    operation_id="decision_maker_page",
    tags=["pages"],
    summary="The decision-maker's page: the petition, and the form to answer it publicly",
    description="From the link of the petition's email to its decision-maker; shows their "
    "answer, changeable for 14 days. Never stores anything.",
    responses={200: page("The form, or the answer given."), 404: _INVALID},
)
def decision_maker_page(petition_id: str, token: str) -> Response[str]:
    try:
        link = flow.opened(petition_id, token)
    except InvalidLink:
        return _page(404, "invalid")
    return _page(200, "form" if link.editable else "closed", link)


@router.post(
    "/p/<petition_id>/answer/<token>",
    operation_id="answer_petition",
    tags=["pages"],
    summary="The decision-maker's answer (a form post)",
    description="The first answer is published on the petition's page and sent to the "
    "signers; a change within 14 days changes the pages, and sends nothing. At most 10 "
    "posts an hour per link.",
    openapi_extensions={
        "requestBody": {"required": True, "content": {FORM: {"schema": _FORM_SCHEMA}}}
    },
    responses={
        200: page("Thanks: the answer as published."),
        404: _INVALID,
        409: page("The answer can no longer be changed, or changed at that very moment."),
        413: TOO_LARGE,
        415: refused("unsupported_media_type", "The body is not a form."),
        422: page("The form again, each problem next to its field."),
        429: page("The form again: too many posts through this link; `Retry-After` says when."),
    },
)
def answer_petition(petition_id: str, token: str) -> Response[str]:
    try:
        link = flow.opened(petition_id, token)
    except InvalidLink:
        return _page(404, "invalid")
    if not is_form(router):
        raise UnsupportedBody()
    _, fields = read_body(router)
    values = form_values(fields)
    try:
        request = answer_of(values)
    except ValidationError as error:
        return _page(422, "form", link, values=values, errors=form_problems(error))
    try:
        done = flow.answer(link, request)
    except TooManyAnswers as limited:
        response = _page(429, "form", link, values=values, too_many=True)
        response.headers["Retry-After"] = str(limited.retry_after_seconds)
        return response
    except AnswerClosed:
        return _page(409, "closed", link)
    except Conflict:
        return _page(409, "form", link, values=values, conflict=True)
    return _page(200, "done", done)
