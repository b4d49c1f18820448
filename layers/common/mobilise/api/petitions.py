"""/petitions"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from mobilise.api.common import caller, caller_email, checked_id
from mobilise.petitions import lifecycle
from mobilise.schemas import PetitionIn, PetitionOut, SignatureCounts

router = Router()  # type: ignore[no-untyped-call]


@router.post("/petitions")
def create_petition(request: Annotated[PetitionIn, Body()]) -> Response[PetitionOut]:
    petition = lifecycle.create(caller(router), request, owner_email=caller_email(router))
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=lifecycle.view(petition),
    )


@router.get("/petitions/<petition_id>")
def get_petition(petition_id: str) -> PetitionOut:
    return lifecycle.shown(checked_id(petition_id))


@router.get("/petitions/<petition_id>/signature-counts")
def signature_counts(petition_id: str) -> SignatureCounts:
    """Confirmed and unconfirmed signatures, for the petition's starter only."""
    return lifecycle.counts(caller(router), checked_id(petition_id))


@router.post("/petitions/<petition_id>/close")
def close_petition(petition_id: str) -> PetitionOut:
    """Close the petition to new signatures; its signatures are deleted after the retention
    period. Closing a closed petition changes nothing."""
    return lifecycle.view(lifecycle.close(caller(router), checked_id(petition_id)))
