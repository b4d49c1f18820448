"""/r/{token}: the buttons of an update's email and the share links of the pages; counts a
click, then redirects. And what the starter sees of the petition page's share links.

``HEAD`` is answered too, with the same 302: scanners ask it, and count as nobody.
"""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import HTML, caller, checked_id
from mobilise.api.contract import INVALID, NO_PETITION, ok, redirect, refused
from mobilise.api.forms import PRIVATE
from mobilise.api.http import Query, Response, Router
from mobilise.core.errors import InvalidLink
from mobilise.emails import rendering
from mobilise.engagement import clicks

router = Router()
_FOUND = redirect(
    "Found: go to `Location`.",
    "Where the button leads: an https:, mailto: or tel: URL.",
    "^(https:|mailto:|tel:)",
)
#: A button's link that is not valid or leads nowhere.
_BAD_BUTTON = refused(
    None, "The link is not valid, or leads nowhere any more (the same page for both).", page=True
)


@router.get(
    "/r/<token>",
    operation_id="follow_action",
    tags=["engagement"],
    summary="A button of an update's email, or a share link of a page",
    description="Counts a click on its action and redirects to its target (https:, mailto:, "
    "tel:, or the service's own pages; found from the stored update, never from the link). A "
    "click within 30 s of the email's sending, or within 2 s of the same recipient's click on "
    "another button, counts as a machine's.",
    responses={302: _FOUND, 404: _BAD_BUTTON, 422: INVALID},
)
@router.head(
    "/r/<token>",
    operation_id="check_action",
    tags=["engagement"],
    summary="What mail scanners ask of a button",
    description="The same 302 as GET, counted as nobody's click.",
    responses={302: _FOUND, 404: _BAD_BUTTON, 422: INVALID},
)
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
        return Response(status_code=404, content_type=HTML, body=page, headers=PRIVATE)
    return Response(status_code=302, body="", headers={"Location": target, **PRIVATE})


@router.get(
    "/petitions/<petition_id>/shares",
    operation_id="petition_shares",
    tags=["engagement"],
    summary="Clicks on the share links of the petition's page",
    description="Per channel, aggregated, nobody named; for the petition's starter.",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition sees them."),
        404: NO_PETITION,
    },
)
def petition_shares(petition_id: str) -> clicks.ShareStats:
    """The petition page's share clicks per channel, for its starter only."""
    return clicks.petition_shares(caller(router), checked_id(petition_id))
