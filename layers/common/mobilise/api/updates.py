"""/petitions/{petition_id}/updates"""

from __future__ import annotations

from typing import Annotated, Any

from mobilise.api.common import caller, caller_email, checked_id
from mobilise.api.contract import (
    EMAIL_UNAVAILABLE,
    EMAIL_UNCONFIRMED,
    INVALID,
    INVALID_CURSOR,
    JSON_BODY,
    NO_PETITION,
    either,
    examples,
    link,
    ok,
    refused,
    throttled,
)
from mobilise.api.http import APPLICATION_JSON, Body, Query, Response, Router
from mobilise.core.errors import NotFound
from mobilise.core.ids import is_id
from mobilise.publishing import grace, updates
from mobilise.publishing.schemas import (
    PreviewOut,
    StarterCopyOut,
    UpdateIn,
    UpdateOut,
    UpdatePage,
    UpdateStats,
)

router = Router()
_IDS = {"petition_id": "$response.body#/petition_id", "update_id": "$response.body#/update_id"}
_UPDATE = examples(
    news={
        "type": "news",
        "title": "The council will vote on 12 June",
        "body": "Thank you all: 2,000 of us signed. The vote is public; come and listen.",
        "link": "https://example.org/council/agenda",
    },
    call_to_action={
        "type": "call_to_action",
        "title": "Ask the mayor to keep the library open",
        "body": "One email from each of us before the vote will count.",
        "channels": ["email"],
        "message": "Please vote to keep the Rue Voltaire library open.",
        "subject": "Keep our library open",
    },
)
_WHEN = {
    "type": "string",
    "format": "date-time",
    "description": "When the petition may send its next update.",
}


def _update_id(update_id: str) -> str:
    if not is_id(update_id):
        raise NotFound("There is no update with this id on this petition.")
    return update_id


@router.post(
    "/petitions/<petition_id>/updates",
    operation_id="publish_update",
    tags=["updates"],
    summary="Publish an update",
    description="An update of any type, now or at `publish_at` (scheduled): it is emailed to "
    "the signers; one every 24 hours. `recipients`: the signers who receive updates now, "
    "suppressed addresses not subtracted (the statistics count exactly).",
    responses={
        201: ok(
            "Created.",
            links={
                "GetUpdate": link("get_update", **_IDS),
                "UpdateStats": link("update_stats", **_IDS),
            },
        ),
        403: refused("forbidden", "Only the starter of the petition can publish."),
        404: NO_PETITION,
        409: refused(
            "conflict", "`publish_at` given while the petition already has a scheduled update."
        ),
        429: throttled(
            "update_too_soon",
            "The petition sent an update less than 24 hours ago: `next_update_allowed_at` "
            "says when the next one is allowed, `Retry-After` in how many seconds.",
            fields={"next_update_allowed_at": _WHEN},
        ),
        **JSON_BODY,
    },
)
def publish_update(
    petition_id: str, request: Annotated[UpdateIn, Body(openapi_examples=_UPDATE)]
) -> Response[UpdateOut]:
    """Publish now, or at ``publish_at`` (stored as scheduled: one at a time per petition,
    not before the 24-hour window reopens). ``recipients``: the signers who receive updates
    now (suppressed addresses not subtracted; the statistics count exactly)."""
    update, recipients = updates.publish(caller(router), checked_id(petition_id), request)
    return Response(
        status_code=201,
        content_type=APPLICATION_JSON,
        body=updates.view(update, recipients),
    )


@router.post(
    "/petitions/<petition_id>/updates/preview",
    operation_id="preview_update",
    tags=["updates"],
    summary="Render an update's email without sending it",
    description="Nothing stored, the 24-hour window untouched; `recipients`: the signers who "
    "receive updates now, suppressions not subtracted.",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition can preview."),
        404: NO_PETITION,
        **JSON_BODY,
    },
)
def preview_update(
    petition_id: str, request: Annotated[UpdateIn, Body(openapi_examples=_UPDATE)]
) -> PreviewOut:
    """The email an update would send, with harmless links: nothing stored, nothing sent,
    the 24-hour window untouched."""
    return updates.preview(caller(router), checked_id(petition_id), request)


@router.post(
    "/petitions/<petition_id>/updates/test",
    operation_id="test_send_update",
    tags=["updates"],
    summary="Send an update's email to the starter only",
    description="To the starter's own verified address: it is not an update and leaves the "
    "24-hour window open. The email says it is a test (a [Test] subject, a banner) and "
    "carries no unsubscribe link or List-Unsubscribe header.",
    responses={
        202: ok("Accepted."),
        403: refused("forbidden", "Only the starter of the petition can test-send."),
        404: NO_PETITION,
        409: either(
            refused(
                "no_verified_address",
                "The starter has no verified email address to send the test to.",
            ),
            refused(
                "email_refused", "SES refuses the starter's address for good (MessageRejected)."
            ),
        ),
        429: throttled(
            "too_many_requests",
            "At most 10 test sends an hour per petition; `Retry-After` says when.",
        ),
        503: EMAIL_UNAVAILABLE,
        504: EMAIL_UNCONFIRMED,
        **JSON_BODY,
    },
)
def test_send_update(
    petition_id: str, request: Annotated[UpdateIn, Body(openapi_examples=_UPDATE)]
) -> Response[StarterCopyOut]:
    """Send the email to the starter's own verified address only: not an update, the
    24-hour window untouched; at most 10 an hour per petition."""
    sent = updates.send_test(caller(router), checked_id(petition_id), request, caller_email(router))
    return Response(status_code=202, content_type=APPLICATION_JSON, body=sent)


@router.get(
    "/petitions/<petition_id>/updates",
    operation_id="list_updates",
    tags=["updates"],
    summary="A petition's updates, newest first, a page at a time",
    responses={200: ok(), 400: INVALID_CURSOR, 404: NO_PETITION, 422: INVALID},
)
def list_updates(
    petition_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UpdatePage:
    return updates.page(checked_id(petition_id), limit, cursor)


@router.get(
    "/petitions/<petition_id>/unpublished-updates",
    operation_id="list_unpublished_updates",
    tags=["updates"],
    summary="The starter's scheduled, pending, in review, cancelled and rejected updates",
    description="Newest first, a page at a time (the public list shows neither).",
    responses={
        200: ok(),
        400: INVALID_CURSOR,
        403: refused("forbidden", "Only the starter of the petition sees them."),
        404: NO_PETITION,
        422: INVALID,
    },
)
def list_unpublished_updates(
    petition_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UpdatePage:
    """The starter's scheduled and cancelled updates (the public list shows neither)."""
    return updates.unpublished(caller(router), checked_id(petition_id), limit, cursor)


@router.get(
    "/petitions/<petition_id>/updates/<update_id>",
    operation_id="get_update",
    tags=["updates"],
    summary="An update",
    responses={
        200: ok(),
        404: refused("not_found", "There is no such update on this petition."),
    },
)
def get_update(petition_id: str, update_id: str) -> UpdateOut:
    return updates.view(updates.shown(checked_id(petition_id), _update_id(update_id)))


@router.patch(
    "/petitions/<petition_id>/updates/<update_id>",
    operation_id="edit_update",
    tags=["updates"],
    summary="Correct, move or cancel an update",
    description="Correct an update's page (no email, the 24-hour window untouched), move or "
    "edit a scheduled update, correct a pending one (what its signers get), or cancel either "
    'with `{"status": "cancelled"}` (a pending one gives the 24-hour window back).',
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition can edit."),
        404: refused("not_found", "There is no such petition or update."),
        409: refused(
            "conflict",
            "A published update cannot be cancelled, a cancelled one cannot be edited, "
            "or the update changed meanwhile.",
        ),
        **JSON_BODY,
    },
)
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


@router.get(
    "/petitions/<petition_id>/updates/<update_id>/stats",
    operation_id="update_stats",
    tags=["updates"],
    summary="How an update's delivery went",
    description="For the petition's starter.",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition sees them."),
        404: refused("not_found", "There is no such petition, update or delivery."),
    },
)
def update_stats(petition_id: str, update_id: str) -> UpdateStats:
    """Delivery statistics, for the petition's starter only."""
    return updates.stats(caller(router), checked_id(petition_id), _update_id(update_id))


@router.post(
    "/petitions/<petition_id>/updates/<update_id>/stop",
    operation_id="stop_update",
    tags=["updates"],
    summary="Stop an update going out",
    description="No email of it leaves after the stop (the delivery functions see it within "
    "seconds); whoever was not sent to yet is counted `spared` in its statistics. The "
    "24-hour window stays used. A pending update is cancelled instead (PATCH).",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition can stop its updates."),
        404: refused("not_found", "There is no such petition or update."),
        409: refused("conflict", "The update is not being sent (not published or sending)."),
    },
)
def stop_update(petition_id: str, update_id: str) -> UpdateOut:
    """Stop the update's delivery: the rest of its signers are spared."""
    return updates.view(grace.stop(caller(router), checked_id(petition_id), _update_id(update_id)))
