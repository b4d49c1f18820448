"""/unsubscribe/{token}: a page with a confirm button, and RFC 8058 one-click."""

from __future__ import annotations

from typing import Any

from mobilise.api.contract import BAD_SWITCH, ONE_CLICK, one_click, page
from mobilise.api.forms import Unsubscribed, private_json, private_page, wants_html
from mobilise.api.http import Response, Router
from mobilise.core.errors import InvalidLink
from mobilise.core.observability import logger
from mobilise.delivery import unsubscribing

router = Router()


def _page(status: int, state: str, language: str, petition_title: str = "") -> Response[str]:
    return private_page(
        "unsubscribe.html", status, language, state=state, petition_title=petition_title
    )


@router.get(
    "/unsubscribe/<token>",
    operation_id="unsubscribe_page",
    tags=["subscriptions"],
    summary="The unsubscribe link of an email",
    description="A page that asks to confirm (it never unsubscribes).",
    responses={200: page("OK."), 404: BAD_SWITCH},
)
def unsubscribe_page(token: str) -> Response[str]:
    """Asks; never unsubscribes (link scanners open every link of an email)."""
    try:
        leaving = unsubscribing.leaving(token)
    except InvalidLink:
        return _page(404, "invalid", "en")
    return _page(200, "ask", leaving.language, leaving.petition_title)


@router.post(
    "/unsubscribe/<token>",
    operation_id="unsubscribe",
    tags=["subscriptions"],
    summary="Unsubscribe from a petition's updates",
    description="RFC 8058 one-click; idempotent, no redirect.",
    openapi_extensions=ONE_CLICK,
    responses=one_click(Unsubscribed),
)
def unsubscribe(token: str) -> Response[Any]:
    """One-click: no cookie, no auth, no redirect; again is the same answer."""
    try:
        leaving = unsubscribing.leaving(token)
    except InvalidLink:
        if wants_html(router):
            return _page(404, "invalid", "en")
        raise
    unsubscribing.leave(leaving.signer)
    logger.info("signer unsubscribed", petition_id=leaving.signer.petition_id)
    if wants_html(router):
        return _page(200, "done", leaving.language, leaving.petition_title)
    return private_json(
        Unsubscribed(message="You will not receive any more updates from this petition.")
    )
