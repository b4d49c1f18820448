"""The updates' data: the 24-hour rule as a conditional write, scheduling, edits and
cancellations, listing, and the photos' records.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.errors import Conflict, InvalidField, NotFound, NotOwner, UpdateTooSoon
from mobilise.table import counters, items
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.items import get_petition
from mobilise.table.models import (
    HELD,
    RETENTION,
    SCHEDULED,
    UPDATE_INTERVAL,
    FanoutJob,
    Petition,
    Photo,
    Signature,
    Update,
    bound,
    connection,
    signature_partition,
)

if TYPE_CHECKING:  # its module (and the emails' parts) comes with the renderer, when releasing
    from mobilise.table.update_emails import UpdateEmailsItem

#: The statuses of updates that never went out, or not yet: their starter's only.
UNPUBLISHED = ("scheduled", "cancelled", *HELD, "rejected")
#: Updates outside the starter's 24-hour rule: a decision-maker's answer.
OUTSIDE_WINDOW = frozenset({"decision_maker_response"})


def list_updates(
    petition_id: str, limit: int, after: str | None
) -> tuple[list[Update], str | None]:
    """Published updates newest first; ``after`` is the last update id of the previous page."""
    return _list(petition_id, limit, after, ~Update.status.is_in(*UNPUBLISHED))


def _list(
    petition_id: str, limit: int, after: str | None, only: Condition
) -> tuple[list[Update], str | None]:
    bound()
    start = None
    if after is not None:
        pk, sk = Update.key(petition_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Update.query(
        f"PET#{petition_id}",
        Update.sk.startswith("UPD#"),
        filter_condition=only,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    page = list(results)
    return page, (page[-1].update_id if page and results.last_evaluated_key else None)


def add_photo(photo: Photo) -> Photo:
    """Record a granted upload (a new id: never overwrites)."""
    bound()
    photo.save(condition=Photo.pk.does_not_exist())
    return photo


def find_photo(petition_id: str, photo_id: str) -> Photo | None:
    """The photo granted to this petition under this id, if there is one."""
    bound()
    try:
        return Photo.get(*Photo.key(petition_id, photo_id))
    except Photo.DoesNotExist:
        return None


def set_photo_type(petition_id: str, photo_id: str, content_type: str) -> None:
    """Record the type a photo was found to be when an update published it."""
    bound()
    Photo(*Photo.key(petition_id, photo_id)).update(
        actions=[Photo.content_type.set(content_type)], condition=Photo.pk.exists()
    )


def count_subscribers(petition_id: str) -> int:
    """How many signers an update reaches (confirmed, consenting, not unsubscribed, not
    suppressed): the petition's counters, a few reads whatever its size. A petition from
    before the counters, not recounted yet, is counted with the old query (see
    :mod:`mobilise.table.counters`)."""
    subscribers = counters.totals(get_petition(petition_id)).subscribers
    return _count_by_query(petition_id) if subscribers is None else subscribers


def _count_by_query(petition_id: str) -> int:
    """The subscribers counted from the signatures: one Select=COUNT query per shard, which
    reads (and bills) every signature of the petition."""
    bound()
    return sum(
        Signature.count(
            signature_partition(petition_id, shard),
            filter_condition=(Signature.wants_updates == True)  # noqa: E712
            & Signature.confirmed_at.exists()
            & Signature.unsubscribed_at.does_not_exist(),
        )
        for shard in range(get_settings().signature_shards)
    )


def publish_update(
    caller: str,
    update: Update,
    *,
    nudge: tuple[str, datetime] | None = None,
    victory: bool = False,
    status: str = "open",
    emails: UpdateEmailsItem | None = None,
) -> FanoutJob:
    """Store a published update and its fan-out job, if the 24-hour rule allows it.

    One transaction for a direct publish and a scheduled one: the update (new, or still
    ``scheduled`` and unedited since it was read), its fan-out job, its ``emails``
    (:mod:`mobilise.table.update_emails`), and the petition's
    ``last_update_at`` under the rule, with its next nudge (or, for a victory, its status,
    its closing and its retention, due as a closed petition's are) and,
    for a scheduled update, the end of its schedule. The rule is one conditional write
    on the petition: never a read followed by a write. A held update (``pending`` or
    ``in_review``, unedited since it was read) took the window when it was published: it
    keeps its ``published_at`` and the petition its ``last_update_at``.

    ``status`` is the petition's status the caller read (and chose ``nudge`` and
    ``victory`` by): the write is conditional on it, so that a petition closed meanwhile
    keeps its status and its due retention work. A victory closes signing in every count
    slot, in the same transaction.
    """
    bound()
    now = clock.now()
    was, published_at = update.status, update.published_at
    scheduled, held = was == "scheduled", was in HELD
    condition = unchanged(update) if scheduled or held else Update.pk.does_not_exist()
    update.status = "published"
    if not held:  # a held update took the window when it was published: it keeps that time
        update.published_at = now
    job = items.fanout_job(update.petition_id, update.update_id, now)
    # A held update's window: the one it took, unless a newer update took it since (held past
    # 24 hours): never wound back.
    window: Any = Petition.last_update_at | update.published_at if held else update.published_at
    actions: list[Any] = [Petition.last_update_at.set(window)]
    if victory:  # signing ends as a closing ends it: the signatures' retention is due now
        actions += [
            Petition.status.set("victory"),
            Petition.closed_at.set(now),
            Petition.outbox_pk.set(RETENTION),
            Petition.outbox_sk.set(now.isoformat()),
        ]
    elif nudge is not None:
        actions += [Petition.outbox_pk.set(nudge[0]), Petition.outbox_sk.set(nudge[1].isoformat())]
    if scheduled:
        actions.append(Petition.scheduled_update_id.remove())
    petition = Petition(*Petition.key(update.petition_id))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=condition)
            transaction.save(job, condition=FanoutJob.pk.does_not_exist())
            transaction.update(
                petition,
                actions=actions,
                condition=(Petition.owner_id == caller)
                & (Petition.status == status)
                & (Petition.last_update_at.exists() if held else window_open_at(now)),
                return_values="ALL_OLD",
            )
            if victory:
                counters.close_signing(transaction, update.petition_id)
            if emails is not None:
                emails.write(transaction)
    except TransactWriteError as error:
        update.status, update.published_at = was, published_at
        if (scheduled or held) and failed_condition(error, 0) is not None:
            raise Conflict("The update changed while it was being published.") from error
        old = failed_condition(error, 2)
        if old is None:
            raise
        refused_publish(error, old, caller, status)
    return job


def release_outside_window(update: Update, emails: UpdateEmailsItem | None = None) -> None:
    """An update outside the 24-hour rule (a decision-maker's answer), held for review and
    unedited since it was read, goes out with its fan-out job and its ``emails``: the
    petition is not written."""
    bound()
    was = update.status
    condition = unchanged(update)
    update.status = "published"
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=condition)
            transaction.save(
                items.fanout_job(update.petition_id, update.update_id, clock.now()),
                condition=FanoutJob.pk.does_not_exist(),
            )
            if emails is not None:
                emails.write(transaction)
    except TransactWriteError as error:
        update.status = was
        if failed_condition(error, 0) is not None:
            raise Conflict("The update changed while it was being published.") from error
        raise


def unchanged(update: Update) -> Condition:
    """The stored update is still as read: the same status, unedited since."""
    edited: Condition = (
        Update.edited_at.does_not_exist()
        if update.edited_at is None
        else Update.edited_at == update.edited_at
    )
    same: Condition = (Update.status == update.status) & edited
    return same


def refused_publish(error: Exception, old: dict[str, Any], caller: str, status: str) -> NoReturn:
    """The named error of a publish its petition's condition refused (``old``: the petition
    as it was)."""
    if not old:
        raise NotFound("There is no petition with this id.") from error
    refused = Petition.from_raw_data(old)
    if refused.owner_id != caller:
        raise NotOwner() from error
    reopens = refused.next_update_allowed_at
    if refused.status != status or reopens is None:
        raise Conflict("The petition changed while the update was published; try again.") from error
    raise UpdateTooSoon(reopens) from error


def schedule_update(caller: str, update: Update) -> None:
    """Store a scheduled update: one per petition at a time, and not due before the 24-hour
    window reopens (both conditions on the petition, in the same transaction)."""
    bound()
    assert update.publish_at is not None
    publish_at: datetime = update.publish_at
    update.status = "scheduled"
    update.outbox_pk, update.outbox_sk = SCHEDULED, publish_at.isoformat()
    petition = Petition(*Petition.key(update.petition_id))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=Update.pk.does_not_exist())
            transaction.update(
                petition,
                actions=[Petition.scheduled_update_id.set(update.update_id)],
                condition=(Petition.owner_id == caller)
                & Petition.scheduled_update_id.does_not_exist()
                & window_open_at(publish_at),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        old = failed_condition(error, 1)
        if old is None:
            raise
        _refused_schedule(error, old, caller, publish_at)


def window_open_at(moment: datetime) -> Condition:
    condition: Condition = Petition.last_update_at.does_not_exist() | (
        Petition.last_update_at <= moment - UPDATE_INTERVAL
    )
    return condition


def _refused_schedule(
    error: Exception, old: dict[str, Any], caller: str, publish_at: datetime
) -> NoReturn:
    if not old:
        raise NotFound("There is no petition with this id.") from error
    refused = Petition.from_raw_data(old)
    if refused.owner_id != caller:
        raise NotOwner() from error
    if refused.scheduled_update_id is not None and refused.scheduled_update_id != "":
        raise Conflict(
            "This petition already has a scheduled update: cancel or move it first."
        ) from error
    assert refused.last_update_at is not None
    raise publish_too_early(refused.last_update_at + UPDATE_INTERVAL) from error


def publish_too_early(reopens: datetime) -> InvalidField:
    return InvalidField(
        "publish_at",
        "must not be before the 24-hour window reopens, at "
        + reopens.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def edit_update(update: Update, expected_status: str, moved: bool = False) -> None:
    """Save an edited update (its page; never an email), if its status is still the one read.

    A scheduled update ``moved`` to another ``publish_at`` keeps its petition's 24-hour rule:
    the petition's window must be open at the new time (a condition check on the petition).
    One not moved keeps its due time (a held one: when the window reopens).
    """
    bound()
    condition = Update.status == expected_status
    if expected_status != "scheduled":
        # Only the page's attributes: the delivery counters go on being added meanwhile.
        actions: list[Any] = [
            Update.title.set(update.title),
            Update.body.set(update.body),
            Update.link.set(update.link) if update.link else Update.link.remove(),
            Update.fields.set(update.fields),
            Update.edited_at.set(update.edited_at),
        ]
        due_kind: str | None = update.outbox_pk
        due_at: str | None = update.outbox_sk
        if due_kind and due_at:
            actions += [Update.outbox_pk.set(due_kind), Update.outbox_sk.set(due_at)]
        else:  # nothing (any longer) to follow: no reminder or follow-up to come
            actions += [Update.outbox_pk.remove(), Update.outbox_sk.remove()]
        try:
            update.update(actions=actions, condition=condition)
        except UpdateError as error:
            if condition_failed(error):
                raise Conflict("The update changed meanwhile; read it again.") from error
            raise
        return
    assert update.publish_at is not None
    publish_at: datetime = update.publish_at
    if not moved:
        try:
            update.save(condition=condition)
        except PutError as error:
            if condition_failed(error):
                raise Conflict("The update changed meanwhile; read it again.") from error
            raise
        return
    update.outbox_pk, update.outbox_sk = SCHEDULED, publish_at.isoformat()
    try:
        with TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends condition checks first: entry 0 is the petition's, 1 the update.
            transaction.condition_check(
                Petition,
                Petition.key(update.petition_id)[0],
                Petition.key(update.petition_id)[1],
                condition=window_open_at(publish_at),
            )
            transaction.save(update, condition=condition)
    except TransactWriteError as error:
        if failed_condition(error, 1) is not None:
            raise Conflict("The update changed meanwhile; read it again.") from error
        if failed_condition(error, 0) is None:
            raise
        petition = get_petition(update.petition_id)
        assert petition.last_update_at is not None
        raise publish_too_early(petition.last_update_at + UPDATE_INTERVAL) from error


def cancel_update(update: Update) -> None:
    """A scheduled update becomes cancelled: out of the schedule, its petition free to
    schedule another."""
    bound()
    update.status = "cancelled"
    update.outbox_pk = update.outbox_sk = None
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(update, condition=Update.status == "scheduled")
            transaction.update(
                Petition(*Petition.key(update.petition_id)),
                actions=[Petition.scheduled_update_id.remove()],
                condition=Petition.scheduled_update_id == update.update_id,
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is not None or failed_condition(error, 1) is not None:
            raise Conflict("Only a scheduled update can be cancelled.") from error
        raise


def due_scheduled(
    now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """(petition, update) of scheduled updates due by ``now``, a page from the sparse
    ``outbox`` index (never a scan), and the cursor after it."""
    bound()
    results = Update.due.query(
        SCHEDULED,
        Update.outbox_sk <= now.isoformat(),
        limit=limit,
        last_evaluated_key=cursor,
    )
    page = [(item.pk.removeprefix("PET#"), item.sk.removeprefix("UPD#")) for item in results]
    return page, results.last_evaluated_key


def postpone(update: Update, until: datetime) -> bool:
    """A scheduled update refused by the 24-hour rule is due again when the window reopens."""
    bound()
    try:
        update.update(
            actions=[Update.outbox_sk.set(until.isoformat())],
            condition=(Update.status == "scheduled") & (Update.outbox_pk == SCHEDULED),
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def list_unpublished(
    petition_id: str, limit: int, after: str | None
) -> tuple[list[Update], str | None]:
    """Scheduled, held, cancelled and rejected updates, newest first (their starter's view)."""
    return _list(petition_id, limit, after, Update.status.is_in(*UNPUBLISHED))
