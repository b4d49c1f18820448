"""The public pages: /p/{petition_id} (its sign form's post, and the page when it is not
stored: :mod:`mobilise.api.petition_page` shows it), /p/{petition_id}/updates/{update_id} and
/start. Rendered here from the templates; they work without JavaScript (the one script, the
proof-of-work widget, is sent only to a signer past their network's burst)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from mobilise.api.common import HTML, client_address
from mobilise.api.contract import FORM, TOO_LARGE, page, refused
from mobilise.api.forms import PRIVATE, is_form, read_body
from mobilise.api.http import Query, Response, Router
from mobilise.api.petition_page import BAD_QUERY, LANG, NO_PAGE, PUBLIC
from mobilise.core import ids
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound, ProofRequired, UnsupportedBody
from mobilise.emails import rendering
from mobilise.petitions import pages as views
from mobilise.petitions import stored_page
from mobilise.petitions.stored_page import page_language

router = Router()
_FORM_SCHEMA = {
    "type": "object",
    "required": ["name", "email"],
    "properties": {
        "lang": {"enum": ["en", "fr"], "description": "The page's language."},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "language": {"enum": ["en", "fr"]},
        "wants_updates": {"enum": ["yes"], "description": "Ticked: updates by email."},
        "altcha": {"type": "string", "description": "The widget's solved proof of work."},
    },
}


def _html(
    template: str, status: int, language: str, headers: dict[str, str], **context: object
) -> Response[str]:
    start = get_settings().start_petition_url
    body = rendering.render(template, language, start_url=start, **context)
    return Response(status_code=status, content_type=HTML, body=body, headers=headers)


def not_found(language: str = "en") -> Response[str]:
    return _html("not_found.html", 404, language, PUBLIC)


def stored_petition(read: stored_page.Read) -> str:
    """The petition's page rendered from ``read``, stored for the next to ask (without its
    count, written in when shown: :func:`mobilise.petitions.stored_page.keep`), and shown."""
    shown = views.page_of(read)
    rendered = _petition(200, replace(shown, signers=stored_page.SIGNERS), PUBLIC)
    return stored_page.keep(read, rendered.body, shown.petition.signer_count)


def _petition(
    status: int, shown: views.PetitionPage, headers: dict[str, str], **form: Any
) -> Response[str]:
    values = form.pop("values", {"language": shown.language})
    return _html(
        "petition.html",
        status,
        shown.language,
        headers,
        shown=shown,
        values=values,
        errors=form.pop("errors", {}),
        challenge=form.pop("challenge", None),
        signed=form.pop("signed", None),
    )


@router.post(
    "/p/<petition_id>",
    operation_id="sign_on_page",
    tags=["pages"],
    summary="The petition page's sign form",
    description="A browser's form post (`application/x-www-form-urlencoded`), answered with a "
    "page: thanks, or the form again with each problem next to its field. Past a few "
    "signatures a minute from one address, the form asks the browser for a proof of work "
    "(the ALTCHA widget) and answers 429 until it is solved. Clients use `sign_petition`.",
    openapi_extensions={
        "requestBody": {"required": True, "content": {FORM: {"schema": _FORM_SCHEMA}}}
    },
    responses={
        200: page("Thanks: the email says what to do next."),
        404: NO_PAGE,
        413: TOO_LARGE,
        415: refused("unsupported_media_type", "The body is not a form."),
        422: refused(
            "validation_error",
            "The form again, each problem next to its field (a page); in JSON when the body "
            "has more fields than a form has.",
            page=True,
            json_too=True,
        ),
        429: page("The form again, with the proof of work to solve."),
    },
)
def sign_on_page(petition_id: str) -> Response[str]:
    """Sign from the page: the same :func:`signing.sign` as the API, answered with a page."""
    # Imported by the form's post: showing a page loads neither pydantic nor signing's
    # proof of work (a shared link's first visitor, issue 14).
    from pydantic import ValidationError

    from mobilise.petitions import signing

    if not is_form(router):
        raise UnsupportedBody()
    _, fields = read_body(router)
    if not ids.is_id(petition_id):
        return not_found()
    values = views.form_values(fields)
    try:
        shown = views.petition_page(petition_id, values["lang"] or None)
    except NotFound:
        return not_found(page_language(values["lang"], "en"))
    values["language"] = page_language(values["language"], shown.language)
    try:
        request = views.signature_of(values)
    except ValidationError as error:
        errors = views.problems(error)
        return _petition(422, shown, PRIVATE, values=values, errors=errors)
    event = router.current_event
    try:
        signed = signing.sign(petition_id, request, client_address(event), values["altcha"] or None)
    except ProofRequired as needed:
        response = _petition(
            429, shown, PRIVATE, values=values, challenge=json.dumps(needed.challenge)
        )
        response.headers["Retry-After"] = str(needed.retry_after_seconds)
        return response
    except NotFound:  # closed since the page was shown
        return _petition(404, views.petition_page(petition_id, shown.language), PRIVATE)
    return _petition(200, shown, PRIVATE, values=values, signed=signed)


@router.get(
    "/p/<petition_id>/updates/<update_id>",
    operation_id="update_page",
    tags=["pages"],
    summary="A published update's page (“view in your browser”)",
    description="What its email shows, with its buttons and share links; the same for everyone.",
    responses={200: page("The update."), 404: NO_PAGE, **BAD_QUERY},
)
def update_page(petition_id: str, update_id: str, lang: LANG = None) -> Response[str]:
    if not (ids.is_id(petition_id) and ids.is_id(update_id)):
        return not_found(page_language(lang, "en"))
    try:
        shown = views.update_page(petition_id, update_id, lang)
    except NotFound:
        return not_found(page_language(lang, "en"))
    return _html("update_page.html", 200, shown.language, PUBLIC, shown=shown, **shown.context)


@router.get(
    "/start",
    operation_id="start_page",
    tags=["pages"],
    summary="Start a petition: what it means, and the way to the app",
    responses={200: page("The page."), **BAD_QUERY},
)
def start_page(
    lang: LANG = None,
    theme: Annotated[str | None, Query(max_length=200, description="A theme to start on.")] = None,
) -> Response[str]:
    language = page_language(lang, "en")
    site = get_settings().site_url
    app = f"{site}/app/new" + (f"?{urlencode({'theme': theme})}" if theme else "")
    return _html(
        "start.html",
        200,
        language,
        PUBLIC,
        app_url=app,
        theme=theme or "",
        url=f"{site}/start",
        languages=views.switch_links(f"{site}/start"),
    )
