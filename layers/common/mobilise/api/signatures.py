"""/petitions/{petition_id}/signatures"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from mobilise import petitions
from mobilise.api.common import checked_id
from mobilise.schemas import SignatureIn, SignatureOut

router = Router()  # type: ignore[no-untyped-call]


@router.post("/petitions/<petition_id>/signatures")
def sign_petition(
    petition_id: str, request: Annotated[SignatureIn, Body()]
) -> Response[SignatureOut]:
    signature = petitions.sign(checked_id(petition_id), request)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=signature,
    )
