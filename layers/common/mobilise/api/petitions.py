"""/petitions: start a petition, close it (a petition's public read is
:mod:`mobilise.api.petition`'s; its signatures' counts, its starter's, are
:mod:`mobilise.api.starters`'s). Nothing here imports pydantic: a new petition's body is read
without it, when it can be."""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import caller, caller_email, checked_id
from mobilise.api.contract import JSON_BODY, NO_PETITION, examples, link, ok, refused
from mobilise.api.http import APPLICATION_JSON, Body, Response, Router
from mobilise.petitions import lifecycle
from mobilise.petitions.plain import NewPetition
from mobilise.petitions.public import PetitionOut

router = Router()
#: The body's model; most bodies are read without it (:mod:`mobilise.petitions.plain`).
PETITION_IN = "mobilise.petitions.schemas:PetitionIn"
_ID = {"petition_id": "$response.body#/petition_id"}
_PETITION = examples(
    petition={
        "title": "Save the Rue Voltaire library",
        "description": "The council plans to close our library in June. Keep it open.",
        "language": "en",
        "decision_maker": {"name": "Mayor of Lyon", "email": "mayor@example.org"},
    }
)


@router.post(
    "/petitions",
    operation_id="create_petition",
    tags=["petitions"],
    summary="Start a petition",
    responses={
        201: ok(
            "Created.",
            links={
                "GetPetition": link("get_petition", **_ID),
                "SignPetition": link("sign_petition", **_ID),
                "PublishUpdate": link("publish_update", **_ID),
                "ListUpdates": link("list_updates", **_ID),
            },
        ),
        **JSON_BODY,
    },
)
def create_petition(
    request: Annotated[NewPetition, Body(model=PETITION_IN, openapi_examples=_PETITION)],
) -> Response[PetitionOut]:
    petition = lifecycle.create(caller(router), request, owner_email=caller_email(router))
    return Response(
        status_code=201,
        content_type=APPLICATION_JSON,
        body=lifecycle.view(petition),
    )


@router.post(
    "/petitions/<petition_id>/close",
    operation_id="close_petition",
    tags=["petitions"],
    summary="Close a petition to new signatures",
    description="For good; its signatures are deleted after the retention period "
    "(SignatureRetentionDays). Closing it again changes nothing.",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition can close it."),
        404: NO_PETITION,
    },
)
def close_petition(petition_id: str) -> PetitionOut:
    """Close the petition to new signatures; its signatures are deleted after the retention
    period. Closing a closed petition changes nothing."""
    return lifecycle.view(lifecycle.close(caller(router), checked_id(petition_id)))
