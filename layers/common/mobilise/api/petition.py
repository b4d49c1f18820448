"""GET /petitions/{petition_id}: a petition as anyone may see it.

A module of its own, so that a cold start that reads a petition imports no request model
and no pydantic (its answer is a dataclass: :mod:`mobilise.petitions.public`).
"""

from __future__ import annotations

from mobilise.api.common import checked_id
from mobilise.api.contract import NO_PETITION, ok
from mobilise.api.http import Router
from mobilise.petitions import lifecycle
from mobilise.petitions.public import PetitionOut

router = Router()


@router.get(
    "/petitions/<petition_id>",
    operation_id="get_petition",
    tags=["petitions"],
    summary="A petition, and when its next update is allowed",
    responses={200: ok(), 404: NO_PETITION},
)
def get_petition(petition_id: str) -> PetitionOut:
    return lifecycle.public_view(checked_id(petition_id))
