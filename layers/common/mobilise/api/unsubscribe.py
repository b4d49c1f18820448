"""/unsubscribe/{token}: a page with a confirm button, and RFC 8058 one-click."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from mobilise import emails, links, store
from mobilise.errors import InvalidLink, NotFound
from mobilise.observability import logger
from mobilise.schemas import Unsubscribed

router = Router()  # type: ignore[no-untyped-call]
_HTML = "text/html; charset=utf-8"


def _page(status: int, state: str, language: str, petition_title: str = "") -> Response[str]:
    html = emails.render("unsubscribe.html", language, state=state, petition_title=petition_title)
    return Response(
        status_code=status,
        content_type=_HTML,
        body=html,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response[str]:
    """Asks; never unsubscribes (link scanners open every link of an email)."""
    try:
        signer = links.read_unsubscribe(token)
        store.get_signature(signer.petition_id, signer.email_hash)
        petition = store.get_petition(signer.petition_id)
    except (InvalidLink, NotFound):
        return _page(404, "invalid", "en")
    return _page(200, "ask", petition.language, petition.title)


@router.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response[Any]:
    """One-click: no cookie, no auth, no redirect; again is the same answer."""
    signer = links.read_unsubscribe(token)
    store.unsubscribe(signer.petition_id, signer.email_hash)
    logger.info("signer unsubscribed", petition_id=signer.petition_id)
    petition = store.get_petition(signer.petition_id)
    if "text/html" in (router.current_event.headers.get("accept") or ""):
        return _page(200, "done", petition.language, petition.title)
    return Response(
        status_code=200,
        content_type="application/json",
        body=Unsubscribed(message="You will not receive any more updates from this petition."),
    )
