"""/nudges/off/{token}: the starter's switch for a petition's reminders (nudges, meeting
follow-ups). A page with a button, and a POST that does it, RFC 8058 one-click too: the
link is the List-Unsubscribe of every reminder."""

from __future__ import annotations

from typing import Any

from mobilise.api.contract import BAD_SWITCH, ONE_CLICK, one_click, page
from mobilise.api.forms import private_json, private_page, wants_html
from mobilise.api.http import Response, Router
from mobilise.core.errors import InvalidLink, NotFound
from mobilise.core.observability import logger
from mobilise.reminders import switch
from mobilise.reminders.switch import NudgesOff

router = Router()


def _page(status: int, state: str, language: str, petition_title: str = "") -> Response[str]:
    return private_page(
        "nudges_off.html", status, language, state=state, petition_title=petition_title
    )


@router.get(
    "/nudges/off/<token>",
    operation_id="nudges_off_page",
    tags=["subscriptions"],
    summary="The starter's link in every reminder",
    description="A page that asks to confirm (it never acts).",
    responses={200: page("OK."), 404: BAD_SWITCH},
)
def nudges_off_page(token: str) -> Response[str]:
    """Asks; never switches anything off (link scanners open every link of an email)."""
    try:
        petition = switch.petition_of(token)
    except InvalidLink:
        return _page(404, "invalid", "en")
    return _page(200, "ask", petition.language, petition.title)


@router.post(
    "/nudges/off/<token>",
    operation_id="nudges_off",
    tags=["subscriptions"],
    summary="Stop a petition's reminders to its starter",
    description="RFC 8058 one-click too; idempotent.",
    openapi_extensions=ONE_CLICK,
    responses=one_click(NudgesOff),
)
def nudges_off(token: str) -> Response[Any]:
    """Switches the reminders off; again is the same answer."""
    try:
        petition = switch.petition_of(token)
        switch.switch_off(petition)
    except (InvalidLink, NotFound):
        if wants_html(router):
            return _page(404, "invalid", "en")
        raise InvalidLink() from None
    logger.info("reminders switched off", petition_id=petition.petition_id)
    if wants_html(router):
        return _page(200, "done", petition.language, petition.title)
    return private_json(
        NudgesOff(message="You will receive no more reminders about this petition.")
    )
