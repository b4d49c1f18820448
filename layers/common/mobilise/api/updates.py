"""/petitions/{petition_id}/updates"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from mobilise.api.common import caller, caller_email, checked_id
from mobilise.core.errors import NotFound
from mobilise.core.ids import is_id
from mobilise.publishing import updates
from mobilise.schemas import (
    PreviewOut,
    StarterCopyOut,
    UpdateIn,
    UpdateOut,
    UpdatePage,
    UpdateStats,
)

router = Router()  # type: ignore[no-untyped-call]


def _update_id(update_id: str) -> str:
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return update_id


@router.post("/petitions/<petition_id>/updates")
def publish_update(petition_id: str, request: Annotated[UpdateIn, Body()]) -> Response[UpdateOut]:
    """Publish now, or at ``publish_at`` (stored as scheduled: one at a time per petition,
    not before the 24-hour window reopens). ``recipients``: the signers who receive updates
    now (suppressed addresses not subtracted; the statistics count exactly)."""
    update, recipients = updates.publish(caller(router), checked_id(petition_id), request)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=updates.view(update, recipients),
    )


@router.post("/petitions/<petition_id>/updates/preview")
def preview_update(petition_id: str, request: Annotated[UpdateIn, Body()]) -> PreviewOut:
    """The email an update would send, with harmless links: nothing stored, nothing sent,
    the 24-hour window untouched."""
    return updates.preview(caller(router), checked_id(petition_id), request)


@router.post("/petitions/<petition_id>/updates/test")
def test_send_update(
    petition_id: str, request: Annotated[UpdateIn, Body()]
) -> Response[StarterCopyOut]:
    """Send the email to the starter's own verified address only: not an update, the
    24-hour window untouched; at most 10 an hour per petition."""
    sent = updates.send_test(caller(router), checked_id(petition_id), request, caller_email(router))
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=sent)


@router.get("/petitions/<petition_id>/updates")
def list_updates(
    petition_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UpdatePage:
    return updates.page(checked_id(petition_id), limit, cursor)


@router.get("/petitions/<petition_id>/unpublished-updates")
def list_unpublished_updates(
    petition_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UpdatePage:
    """The starter's scheduled and cancelled updates (the public list shows neither)."""
    return updates.unpublished(caller(router), checked_id(petition_id), limit, cursor)


@router.get("/petitions/<petition_id>/updates/<update_id>")
def get_update(petition_id: str, update_id: str) -> UpdateOut:
    return updates.view(updates.shown(checked_id(petition_id), _update_id(update_id)))


@router.patch("/petitions/<petition_id>/updates/<update_id>")
def edit_update(
    petition_id: str,
    update_id: str,
    patch: Annotated[
        dict[str, Any],
        Body(
            description="Fields to change (title, body, link, photo, the type's fields; "
            "publish_at of a scheduled update; null removes an optional field), or "
            '{"status": "cancelled"} alone to cancel a scheduled update. The result is '
            "validated as a new update of the same type; unknown fields are refused.",
            max_length=64,
        ),
    ],
) -> UpdateOut:
    update = updates.edit(caller(router), checked_id(petition_id), _update_id(update_id), patch)
    return updates.view(update)


@router.get("/petitions/<petition_id>/updates/<update_id>/stats")
def update_stats(petition_id: str, update_id: str) -> UpdateStats:
    """Delivery statistics, for the petition's starter only."""
    return updates.stats(caller(router), checked_id(petition_id), _update_id(update_id))
