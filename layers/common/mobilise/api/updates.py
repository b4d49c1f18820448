"""/petitions/{petition_id}/updates"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from mobilise import store, updates
from mobilise.api.common import caller, checked_id
from mobilise.errors import NotFound
from mobilise.ids import is_id
from mobilise.schemas import UpdateIn, UpdateOut, UpdatePage, UpdateStats

router = Router()  # type: ignore[no-untyped-call]


@router.post("/petitions/<petition_id>/updates")
def publish_update(petition_id: str, request: Annotated[UpdateIn, Body()]) -> Response[UpdateOut]:
    update = updates.publish(caller(router), checked_id(petition_id), request)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=updates.view(update),
    )


@router.get("/petitions/<petition_id>/updates")
def list_updates(
    petition_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UpdatePage:
    return updates.page(checked_id(petition_id), limit, cursor)


@router.get("/petitions/<petition_id>/updates/<update_id>")
def get_update(petition_id: str, update_id: str) -> UpdateOut:
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return updates.view(store.get_update(checked_id(petition_id), update_id))


@router.get("/petitions/<petition_id>/updates/<update_id>/stats")
def update_stats(petition_id: str, update_id: str) -> UpdateStats:
    """Delivery statistics, for the petition's starter only."""
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return updates.stats(caller(router), checked_id(petition_id), update_id)
