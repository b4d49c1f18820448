"""/unsubscribe-digest/{token}: the one link of a digest's List-Unsubscribe, which leaves every
petition it held an update of (a page with a confirm button, and RFC 8058 one-click)."""

from __future__ import annotations

from typing import Any

from mobilise.api.contract import BAD_SWITCH, ONE_CLICK, one_click, page
from mobilise.api.forms import Unsubscribed, private_json, private_page, wants_html
from mobilise.api.http import Response, Router
from mobilise.core.errors import InvalidLink
from mobilise.core.observability import logger
from mobilise.digests import unsubscribing

router = Router()


def _page(status: int, state: str, language: str, titles: list[str] | None = None) -> Response[str]:
    return private_page("digest_unsubscribe.html", status, language, state=state, titles=titles)


@router.get(
    "/unsubscribe-digest/<token>",
    operation_id="unsubscribe_digest_page",
    tags=["subscriptions"],
    summary="The unsubscribe link of a digest",
    description="A page that names the digest's petitions and asks to confirm (it never "
    "unsubscribes).",
    responses={200: page("OK."), 404: BAD_SWITCH},
)
def unsubscribe_digest_page(token: str) -> Response[str]:
    """Asks; never unsubscribes (link scanners open every link of an email)."""
    try:
        leaving = unsubscribing.leaving_all(token)
    except InvalidLink:
        return _page(404, "invalid", "en")
    return _page(200, "ask", leaving.language, leaving.petition_titles)


@router.post(
    "/unsubscribe-digest/<token>",
    operation_id="unsubscribe_digest",
    tags=["subscriptions"],
    summary="Unsubscribe from every petition of a digest",
    description="RFC 8058 one-click; idempotent, no redirect.",
    openapi_extensions=ONE_CLICK,
    responses=one_click(Unsubscribed),
)
def unsubscribe_digest(token: str) -> Response[Any]:
    """One-click: no cookie, no auth, no redirect; again is the same answer."""
    try:
        leaving = unsubscribing.leaving_all(token)
    except InvalidLink:
        if wants_html(router):
            return _page(404, "invalid", "en")
        raise
    unsubscribing.leave_all(leaving)
    logger.info("signer unsubscribed from a digest", petitions=len(leaving.signers))
    if wants_html(router):
        return _page(200, "done", leaving.language, leaving.petition_titles)
    return private_json(
        Unsubscribed(message="You will not receive any more updates from these petitions.")
    )
