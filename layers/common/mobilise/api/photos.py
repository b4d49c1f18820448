"""/petitions/{petition_id}/photos"""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import caller, checked_id
from mobilise.api.contract import JSON_BODY, NO_PETITION, ok, refused, throttled
from mobilise.api.http import APPLICATION_JSON, Body, Response, Router
from mobilise.publishing import photos
from mobilise.publishing.schemas import PhotoUploadIn, PhotoUploadOut

router = Router()


@router.post(
    "/petitions/<petition_id>/photos",
    operation_id="grant_photo_upload",
    tags=["updates"],
    summary="Upload a photo for an update",
    description="A presigned S3 POST (JPEG, PNG or WebP, at most 5 MB, for 15 minutes); an "
    "update names it by `photo_id` and it is checked when published.",
    responses={
        201: ok("Created."),
        403: refused("forbidden", "Only the starter of the petition can upload photos."),
        404: NO_PETITION,
        429: throttled(
            "too_many_requests",
            "The starter asked for too many uploads; `Retry-After` says in how many seconds "
            "to try again.",
        ),
        **JSON_BODY,
    },
)
def grant_photo_upload(
    petition_id: str, request: Annotated[PhotoUploadIn | None, Body()] = None
) -> Response[PhotoUploadOut]:
    """A presigned POST for one photo (JPEG, PNG or WebP, at most 5 MB), for 15 minutes;
    the body may be left out."""
    grant = photos.grant(caller(router), checked_id(petition_id), request or PhotoUploadIn())
    return Response(status_code=201, content_type=APPLICATION_JSON, body=grant)
