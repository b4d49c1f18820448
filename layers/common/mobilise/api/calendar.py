"""/petitions/{petition_id}/updates/{update_id}/event.ics: an event, for a calendar."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from mobilise.api.common import checked_id
from mobilise.core.ids import is_id
from mobilise.engagement import ics

router = Router()  # type: ignore[no-untyped-call]
CALENDAR = "text/calendar; charset=utf-8"


@router.get("/petitions/<petition_id>/updates/<update_id>/event.ics")
def event_calendar(petition_id: str, update_id: str) -> Response[str]:
    """The event of a published event update (RFC 5545); 404 for any other update."""
    if not is_id(update_id):
        raise ics.NotAnEvent()
    calendar = ics.event_file(checked_id(petition_id), update_id)
    return Response(
        status_code=200,
        content_type=CALENDAR,
        body=calendar,
        headers={
            "Content-Disposition": 'attachment; filename="event.ics"',
            "Cache-Control": "public, max-age=300",
        },
    )
