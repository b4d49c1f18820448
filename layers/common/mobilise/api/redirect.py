"""/r/{token}: the buttons of an update's email; counts a click, then redirects.

``HEAD`` is answered too, with the same 302: scanners ask it, and count as nobody.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from mobilise.api.common import HTML
from mobilise.core.errors import InvalidLink
from mobilise.emails import rendering
from mobilise.engagement import clicks

router = Router()  # type: ignore[no-untyped-call]
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@router.route("/r/<token>", method=["GET", "HEAD"])
def follow_action(
    token: str,
    s: Annotated[
        str | None,
        Query(
            description="The recipient's signer token; read only when clicks are "
            "counted per person (a setting), ignored otherwise."
        ),
    ] = None,
) -> Response[str]:
    """A 302 to the button's target; any other query parameter is ignored."""
    try:
        target = clicks.follow(token, s, router.current_event.http_method)
    except InvalidLink:
        page = rendering.render("confirmed.html", "en", ok=False, petition_title="")
        return Response(status_code=404, content_type=HTML, body=page, headers=_PRIVATE)
    return Response(status_code=302, body="", headers={"Location": target, **_PRIVATE})
