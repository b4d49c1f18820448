"""Publishing updates, and showing them."""

from __future__ import annotations

import base64
import binascii

from mobilise import clock, ids, photos, queues, store
from mobilise.errors import DomainError, NotOwner
from mobilise.messages import FanoutMessage
from mobilise.models import STAT_NAMES, Update
from mobilise.observability import logger, metrics
from mobilise.schemas import (
    AnyUpdateIn,
    RsvpCounts,
    UpdateOut,
    UpdatePage,
    UpdateStats,
    type_fields,
)


class InvalidCursor(DomainError):
    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave.")


def publish(caller: str, petition_id: str, request: AnyUpdateIn) -> Update:
    """Store the update and its fan-out job (24-hour rule), then hand the job to the queue.

    The job is in the table before the queue hears of it: if the send fails the
    update is still published and the job is still there to be sent again.
    """
    update_id = ids.new_id()
    photo = photos.verify(petition_id, request.photo) if request.photo else None
    update = Update(
        *Update.key(petition_id, update_id),
        update_id=update_id,
        petition_id=petition_id,
        type=request.type,
        title=request.title,
        body=request.body,
        link=str(request.link) if request.link else None,
        fields=type_fields(request),
        photo=photo,
        status="published",
        created_at=clock.now(),
    )
    store.publish_update(caller, update)
    logger.info("update published", petition_id=petition_id, update_id=update_id)
    metrics.add_metric(name="UpdatesPublished", unit="Count", value=1)
    try:
        queues.to_publish([FanoutMessage(petition_id=petition_id, update_id=update_id)])
    except Exception:
        logger.exception(
            "fan-out job not queued; it stays in the table",
            petition_id=petition_id,
            update_id=update_id,
        )
    return update


def view(update: Update) -> UpdateOut:
    assert update.published_at is not None
    return UpdateOut(
        update_id=update.update_id,
        petition_id=update.petition_id,
        type=update.type,
        title=update.title,
        body=update.body,
        link=update.link,
        photo=photos.view(update.photo),
        details=update.fields or {},
        status=update.status,  # type: ignore[arg-type]
        published_at=clock.isoformat(update.published_at),
        recipients=int(update.recipients) if update.recipients is not None else None,
    )


def stats(caller: str, petition_id: str, update_id: str) -> UpdateStats:
    petition = store.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    update = store.get_update(petition_id, update_id)
    job = store.get_job(petition_id, update_id)
    counters = {name: int(getattr(update, name) or 0) for name in (*STAT_NAMES, "recipients")}
    rsvp = None
    if update.type == "event":
        rsvp = RsvpCounts(yes=int(update.rsvp_yes or 0), no=int(update.rsvp_no or 0))
    return UpdateStats(
        update_id=update_id,
        state=job.state,  # type: ignore[arg-type]
        clicks=store.click_counts(petition_id, update_id),
        rsvp=rsvp,
        **counters,
    )


def page(petition_id: str, limit: int, cursor: str | None) -> UpdatePage:
    store.get_petition(petition_id)  # 404 for a petition that does not exist
    updates, last = store.list_updates(petition_id, limit, _read_cursor(cursor))
    return UpdatePage(
        updates=[view(update) for update in updates],
        next_cursor=base64.urlsafe_b64encode(last.encode()).decode() if last else None,
    )


def _read_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        update_id = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    if not ids.is_id(update_id):
        raise InvalidCursor()
    return update_id
