"""/petitions/{petition_id}/signatures and /signatures/confirm/{token}"""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import HTML, checked_id, client_address
from mobilise.api.contract import JSON_BODY, examples, ok, page, refused, throttled
from mobilise.api.forms import PRIVATE
from mobilise.api.http import APPLICATION_JSON, Body, Response, Router
from mobilise.core.errors import InvalidLink
from mobilise.emails import rendering
from mobilise.petitions import signing
from mobilise.petitions.schemas import SignatureIn, SignatureOut

router = Router()
_SIGNATURE = examples(
    signature={"email": "sam@example.org", "name": "Sam", "language": "en", "wants_updates": True}
)
#: The challenge of a 429: ALTCHA's (``{"parameters": {...}, "signature": ...}``).
CHALLENGE = {
    "altcha": {
        "type": "object",
        "description": "A new ALTCHA challenge (v2): solve it and send its payload as `altcha`.",
        "required": ["parameters", "signature"],
        "properties": {"parameters": {"type": "object"}, "signature": {"type": "string"}},
    }
}
_BAD_LINK = refused(None, "The link is not valid or has expired.", page=True)


@router.post(
    "/petitions/<petition_id>/signatures",
    operation_id="sign_petition",
    tags=["signatures"],
    summary="Sign a petition",
    description="The answer is the same whether the address is new or had signed (who signed "
    "what is the signer's to know): with double opt-in, the email says what happened (confirm "
    "the address, or the signature already stands); an address gets at most 10 such emails a "
    "day. An address signs once, its providers' documented aliases included (Gmail dots, "
    "`+tags`). Past a few signatures a minute from one client address, a signature costs a "
    "proof of work: the 429 carries a challenge (`altcha`), solved and sent back in `altcha`.",
    responses={
        201: ok("Created."),
        404: refused("not_found", "There is no such petition, or it no longer is open."),
        429: throttled(
            "too_many_requests",
            "Too many signatures of this petition from the client's address, or a proof of "
            "work that is not valid, expired or used: `altcha` is a new challenge to solve "
            "(or wait `Retry-After` seconds).",
            fields=CHALLENGE,
        ),
        **JSON_BODY,
    },
)
def sign_petition(
    petition_id: str, request: Annotated[SignatureIn, Body(openapi_examples=_SIGNATURE)]
) -> Response[SignatureOut]:
    """The same answer whatever the address's history; its email says what happened."""
    event = router.current_event
    signature = signing.sign(
        checked_id(petition_id), request, client_address(event), request.altcha
    )
    return Response(
        status_code=201,
        content_type=APPLICATION_JSON,
        body=signature,
        headers=PRIVATE,
    )


def _page(status: int, state: str, language: str = "en", petition_title: str = "") -> Response[str]:
    page = rendering.render("confirmed.html", language, state=state, petition_title=petition_title)
    return Response(status_code=status, content_type=HTML, body=page, headers=PRIVATE)


@router.get(
    "/signatures/confirm/<token>",
    operation_id="confirm_page",
    tags=["signatures"],
    summary="The link of the confirmation email",
    description="A page with one button that confirms (the link itself changes nothing: mail "
    "scanners open every link).",
    responses={200: page("OK."), 404: _BAD_LINK},
)
def confirm_page(token: str) -> Response[str]:
    """The link of the confirmation email: a page with one button. It never confirms (mail
    scanners open every link of an email)."""
    try:
        petition = signing.to_confirm(token)
    except InvalidLink:
        return _page(404, "invalid")
    return _page(200, "ask", petition.language, petition.title)


@router.post(
    "/signatures/confirm/<token>",
    operation_id="confirm_signature",
    tags=["signatures"],
    summary="Confirm a signature",
    description="The confirmation page's button (again is harmless).",
    responses={200: page("OK."), 404: _BAD_LINK},
)
def confirm_signature(token: str) -> Response[str]:
    """The page's button: confirms the signature; again is the same answer."""
    try:
        petition = signing.confirm(token)
    except InvalidLink:
        return _page(404, "invalid")
    return _page(200, "done", petition.language, petition.title)
