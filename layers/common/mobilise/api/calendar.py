"""/petitions/{petition_id}/updates/{update_id}/event.ics: an event, for a calendar."""

from __future__ import annotations

from mobilise.api.common import checked_id
from mobilise.api.contract import refused, text
from mobilise.api.http import Response, Router
from mobilise.core.errors import NotAnEvent
from mobilise.core.ids import is_id

router = Router()
CALENDAR = "text/calendar; charset=utf-8"


@router.get(
    "/petitions/<petition_id>/updates/<update_id>/event.ics",
    operation_id="event_calendar",
    tags=["engagement"],
    summary="An event update as an iCalendar file",
    description="RFC 5545, for the email's add-to-calendar button.",
    responses={
        200: text("text/calendar"),
        404: refused("not_found", "There is no published event with this id."),
    },
)
def event_calendar(petition_id: str, update_id: str) -> Response[str]:
    """The event of a published event update (RFC 5545); 404 for any other update."""
    if not is_id(update_id):
        raise NotAnEvent()
    # Imported here: icalendar is about 45 ms of every API cold start, for this route only.
    from mobilise.engagement import ics

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
