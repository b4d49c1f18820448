"""/petitions/{petition_id}/signatures and /signatures/confirm/{token}"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from mobilise import emails, petitions
from mobilise.api.common import HTML, checked_id
from mobilise.errors import InvalidLink
from mobilise.schemas import SignatureIn, SignatureOut

router = Router()  # type: ignore[no-untyped-call]


@router.post("/petitions/<petition_id>/signatures")
def sign_petition(
    petition_id: str, request: Annotated[SignatureIn, Body()]
) -> Response[SignatureOut]:
    event = cast(APIGatewayProxyEvent, router.current_event)
    signature = petitions.sign(
        checked_id(petition_id), request, event.request_context.identity.source_ip
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=signature,
    )


@router.get("/signatures/confirm/<token>")
def confirm_signature(token: str) -> Response[str]:
    """The link of the confirmation email (double opt-in); following it again is harmless."""
    try:
        petition = petitions.confirm(token)
    except InvalidLink:
        page = emails.render("confirmed.html", "en", ok=False, petition_title="")
        return Response(status_code=404, content_type=HTML, body=page)
    page = emails.render(
        "confirmed.html", petition.language, ok=True, petition_title=petition.title
    )
    return Response(
        status_code=200,
        content_type=HTML,
        body=page,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
