"""Publishing updates (now or at a time), previewing and test-sending them, correcting
them, and showing them."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import ValidationError

from mobilise.core import clock, ids
from mobilise.core.errors import (
    Conflict,
    EmailRefused,
    InvalidCursor,
    InvalidField,
    NotFound,
    NotOwner,
    NoVerifiedAddress,
)
from mobilise.core.observability import logger
from mobilise.delivery import pausing, ses
from mobilise.emails import rendering
from mobilise.engagement import clicks as engagement_clicks
from mobilise.publishing import actions, grace, photos, releasing, store
from mobilise.publishing.schemas import (
    KEPT_TIMES,
    AnyUpdateIn,
    CallToActionIn,
    PreviewOut,
    RsvpCounts,
    StarterCopyOut,
    UpdateOut,
    UpdatePage,
    UpdateStats,
    type_fields,
    update_in,
)
from mobilise.reminders import due
from mobilise.table import delivery_stats, items, rates
from mobilise.table.models import EVENT, MEETING, Petition, Update

#: Test sends a petition may make in an hour (they go to its starter only).
TEST_SENDS_PER_HOUR = 10
UNPUBLISHED = frozenset(store.UNPUBLISHED)


# Publishing ---------------------------------------------------------------------------------


def publish(caller: str, petition_id: str, request: AnyUpdateIn) -> tuple[Update, int]:
    """Publish now (24-hour rule), or schedule for ``publish_at``; and how many signers
    will receive it. Published now, it may be held first: for an operator's review, or for
    its grace period (:mod:`mobilise.publishing.grace`).

    The job is in the table before the queue hears of it: if the send fails the
    update is still published and the job is still there to be sent again.
    """
    petition = _owned(caller, petition_id)
    update = _new_update(petition, request)
    if request.publish_at is not None:
        update.publish_at = request.publish_at
        store.schedule_update(caller, update)
        logger.info("update scheduled", petition_id=petition_id, update_id=update.update_id)
    elif not grace.hold(caller, petition, update):
        releasing.release(caller, petition, update)
    return update, store.count_subscribers(petition_id)


def _owned(caller: str, petition_id: str) -> Petition:
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    return petition


def _checked(petition: Petition, request: AnyUpdateIn) -> None:
    """What the body alone cannot tell: a call to action's channels must reach the
    petition's decision-maker."""
    if isinstance(request, CallToActionIn):
        missing = actions.missing_channels(petition.decision_maker, list(request.channels))
        if missing:
            raise InvalidField(
                "channels",
                "the decision-maker cannot be reached by "
                + ", ".join(missing)
                + ": add it to the petition's decision_maker or leave the channel out",
            )


def _new_update(petition: Petition, request: AnyUpdateIn) -> Update:
    _checked(petition, request)
    update_id = ids.new_id()
    photo = photos.verify(petition.petition_id, request.photo) if request.photo else None
    return Update(
        *Update.key(petition.petition_id, update_id),
        update_id=update_id,
        petition_id=petition.petition_id,
        type=request.type,
        title=request.title,
        body=request.body,
        link=str(request.link) if request.link else None,
        fields=type_fields(request),
        photo=photo,
        status="draft",
        created_at=clock.now(),
    )


# Before publishing --------------------------------------------------------------------------


def _preview_links(petition_id: str) -> rendering.RecipientLinks:
    """Links that lead nowhere harmful: every per-signer link opens the petition's page."""
    page = actions.petition_url(petition_id)
    return rendering.RecipientLinks(unsubscribe=page, respond=page, rsvp=page)


def preview(caller: str, petition_id: str, request: AnyUpdateIn) -> PreviewOut:
    """The email as signers would receive it; nothing stored, nothing sent."""
    petition = _owned(caller, petition_id)
    update = _new_update(petition, request)
    rendered = rendering.render_update(petition, update)
    html, text = rendered.personalised(_preview_links(petition_id))
    return PreviewOut(
        subject=rendered.subject,
        html=html,
        text=text,
        recipients=store.count_subscribers(petition_id),
    )


def send_test(
    caller: str, petition_id: str, request: AnyUpdateIn, caller_email: str | None
) -> StarterCopyOut:
    """The email, sent to the starter's own verified address only: not an update, so the
    24-hour window stays as it is; at most ``TEST_SENDS_PER_HOUR`` an hour per petition."""
    petition = _owned(caller, petition_id)
    update = _new_update(petition, request)
    address = petition.owner_email or caller_email
    if not address:
        raise NoVerifiedAddress()
    limit = (f"test-send#{petition_id}", [(3600, TEST_SENDS_PER_HOUR)])
    rates.take_rate(*limit)
    try:
        releasing.send_to_starter(
            address, test_email(petition, update), test_links(petition_id), {"kind": "test"}
        )
    except Exception as error:
        answer = ses.at_once(error)  # SesUnavailable when it may pass: a 503
        if not isinstance(answer, ses.EmailUnconfirmed):  # that one may have left
            rates.give_rate_back(*limit)  # nothing sent: it does not count against the hour
        if answer is error:
            raise
        if isinstance(answer, ses.AddressRefused):
            logger.warning("test send's address refused by SES", petition_id=petition_id)
            raise EmailRefused() from error
        raise answer from error
    logger.info("test send", petition_id=petition_id)
    return StarterCopyOut(sent_to=address)


def test_email(petition: Petition, update: Update) -> rendering.Rendered:
    """The update's email as a test: it says so, and offers no unsubscribe."""
    return rendering.render_update(petition, update, test=True)


def test_links(petition_id: str) -> rendering.RecipientLinks:
    """A test send's links: respond and RSVP open the petition's page; no unsubscribe, in
    the body or the headers (the starter signed nothing, and the petition's page would
    answer RFC 8058's POST with a 404)."""
    return _preview_links(petition_id)._replace(unsubscribe=None)


# Corrections --------------------------------------------------------------------------------


def edit(caller: str, petition_id: str, update_id: str, patch: dict[str, Any]) -> Update:
    """Correct an update's page (no email, the 24-hour window untouched), move or change a
    scheduled one, correct a pending one (its email is built from what is stored when it
    goes out), or cancel either (``{"status": "cancelled"}``)."""
    petition = _owned(caller, petition_id)
    update = items.get_update(petition_id, update_id)
    if "status" in patch:
        return _cancel(update, patch)
    if "photo" in patch:
        raise InvalidField("photo", "the photo of an update cannot change once it is stored")
    if "type" in patch and patch["type"] != update.type:
        raise InvalidField("type", "the type of an update cannot change")
    if update.status in ("cancelled", "in_review", "rejected", "stopped"):
        raise Conflict("An update that is " + update.status + " cannot be edited.")
    scheduled = update.status == "scheduled"
    if "publish_at" in patch and not scheduled:
        raise InvalidField("publish_at", "only a scheduled update can be moved")
    if scheduled and patch.get("publish_at", 0) is None:
        raise InvalidField("publish_at", "a scheduled update keeps a time: cancel it instead")
    request = _merged(update, patch)
    _checked(petition, request)
    status = update.status
    sent = not scheduled and update.status != "pending"
    sent_buttons = _buttons(petition, update) if sent else None
    update.title, update.body = request.title, request.body
    update.link = str(request.link) if request.link else None
    update.fields = type_fields(request)
    update.edited_at = clock.now()
    if sent_buttons is not None and _buttons(petition, update) != sent_buttons:
        # /r/{token} finds a button's target from the stored update: changing it would make
        # the links of the emails already sent lead somewhere their readers never saw.
        raise InvalidField(
            "link",
            "where the email's buttons lead (link, article_url, online_url, the call to "
            "action's channels and message, the theme) cannot change once it was sent",
        )
    if scheduled:
        update.publish_at = request.publish_at
    elif update.outbox_pk in (EVENT, MEETING):  # its reminder is still to come: follow the date
        follow_up = due.after_publish(update.type, update.fields)
        update.outbox_pk, update.outbox_sk = (
            (follow_up[0], due.when(follow_up[1])) if follow_up else (None, None)
        )
    store.edit_update(update, status, moved="publish_at" in patch)
    logger.info("update edited", petition_id=petition_id, update_id=update_id, status=status)
    return update


def _buttons(petition: Petition, update: Update) -> dict[str, str]:
    """Where each button of the update's email leads."""
    return {action.name: action.url for action in actions.for_update(petition, update)}


def _cancel(update: Update, patch: dict[str, Any]) -> Update:
    if patch["status"] != "cancelled":
        raise InvalidField("status", "the only status a client sets is cancelled")
    if len(patch) > 1:
        raise InvalidField("status", "cancel with the status alone, nothing else")
    if update.status != "scheduled":
        grace.cancel(update)
        return update
    store.cancel_update(update)
    logger.info("update cancelled", petition_id=update.petition_id, update_id=update.update_id)
    return update


def _merged(update: Update, patch: dict[str, Any]) -> AnyUpdateIn:
    """The update as stored, with the patch over it, validated as a new one would be."""
    current: dict[str, Any] = {
        "type": update.type,
        "title": update.title,
        "body": update.body,
        **(update.fields or {}),
    }
    if update.link:
        current["link"] = update.link
    if update.photo:
        current["photo"] = {"photo_id": update.photo["photo_id"], "alt": update.photo["alt"]}
    if update.publish_at is not None and update.status == "scheduled":
        current["publish_at"] = update.publish_at.isoformat()
    merged = {**current, **patch}
    merged = {name: value for name, value in merged.items() if value is not None}
    kept = {name for name in current if name not in patch}
    try:
        return update_in.validate_python(merged, context={KEPT_TIMES: kept})
    except ValidationError as error:
        # Imported here: the scheduled and reminder functions import this module and not
        # the API's (a cold start's worth of routing code).
        from mobilise.api.http import RequestValidationError

        raise RequestValidationError(
            [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
        ) from None


# Showing ------------------------------------------------------------------------------------


def view(update: Update, recipients: int | None = None) -> UpdateOut:
    if recipients is None and update.recipients is not None:
        recipients = int(update.recipients)
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
        published_at=clock.isoformat(update.published_at) if update.published_at else None,
        publish_at=clock.isoformat(update.publish_at) if update.publish_at else None,
        release_at=clock.isoformat(update.release_at) if update.release_at else None,
        edited_at=clock.isoformat(update.edited_at) if update.edited_at else None,
        recipients=recipients,
        paused_reason=pausing.reason(update) if update.status == "paused" else None,  # type: ignore[arg-type]
    )


def shown(petition_id: str, update_id: str) -> Update:
    """A published update; scheduled and cancelled ones are not public (404)."""
    update = items.get_update(petition_id, update_id)
    if update.status in UNPUBLISHED:
        raise NotFound("There is no update with this id on this petition.")
    return update


def stats(caller: str, petition_id: str, update_id: str) -> UpdateStats:
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    update = items.get_update(petition_id, update_id)
    job = items.get_job(petition_id, update_id)
    counters = delivery_stats.counted(petition_id, update_id)
    del counters["settled"]
    rsvp = None
    if update.type == "event":
        rsvp = RsvpCounts(yes=int(update.rsvp_yes or 0), no=int(update.rsvp_no or 0))
    clicks = engagement_clicks.per_button(petition_id, update_id)
    return UpdateStats(
        update_id=update_id,
        state=job.state,  # type: ignore[arg-type]
        clicks={action: counted.people for action, counted in clicks.items()},
        machine_clicks={action: counted.machines for action, counted in clicks.items()},
        rsvp=rsvp,
        **counters,
    )


def page(petition_id: str, limit: int, cursor: str | None) -> UpdatePage:
    items.get_petition(petition_id)  # 404 for a petition that does not exist
    updates, last = store.list_updates(petition_id, limit, _read_cursor(cursor))
    return _page(updates, last)


def unpublished(caller: str, petition_id: str, limit: int, cursor: str | None) -> UpdatePage:
    """The starter's scheduled, held, cancelled and rejected updates, newest first."""
    _owned(caller, petition_id)
    updates, last = store.list_unpublished(petition_id, limit, _read_cursor(cursor))
    return _page(updates, last)


def _page(updates: list[Update], last: str | None) -> UpdatePage:
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
