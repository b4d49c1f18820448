"""The data access of digests: a person's daily window, taken by a conditional write, and the
entries of the updates waiting for it to reopen (:mod:`mobilise.table.persons`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pynamodb.exceptions import DeleteError, UpdateError

from mobilise.core import clock
from mobilise.digests import alone
from mobilise.table.base import _Item
from mobilise.table.batch_reads import raw_items
from mobilise.table.conditions import condition_failed
from mobilise.table.models import bound
from mobilise.table.persons import DIGEST, DigestEntry, Follows, Window, person_partition

DAY = timedelta(hours=24)
#: A digest being sent holds the window this long (more than the deliver function's timeout,
#: less than the delivery queue's visibility timeout, as a delivery record's lease).
LEASE_SECONDS = 600
#: The schedule queues a person's digest again if its entries are still there this much later.
REQUEUE = timedelta(minutes=15)
ENTRY_DAYS = 30
_HOLDER_DIGEST = "DIGEST"
_MODELS: tuple[type[_Item], ...] = (Window, DigestEntry, Follows)


def _bound() -> None:
    """Point the models at the configured table; forget a connection made for another one
    (tests on a new DynamoDB Local table)."""
    bound()
    for model in _MODELS:
        table = model._connection
        if table is not None and table.table_name != _Item.Meta.table_name:
            model._connection = None


def _holder(update_id: str) -> str:
    return f"UPD#{update_id}"


def _free(now: datetime) -> Any:
    """The window is free: never taken, or taken a day ago or more."""
    return Window.pk.does_not_exist() | (Window.taken_at <= now - DAY)


def _window(email_hash: str) -> Window | None:
    try:
        return Window.get(*Window.key(email_hash), consistent_read=True)
    except Window.DoesNotExist:
        return None


def take_for_update(email_hash: str, update_id: str) -> datetime | None:
    """Take the person's window for an update's email: None if it is theirs now (free, a day
    old, or already this update's: a retry), else when it reopens (the update waits)."""
    _bound()
    now = clock.now()
    try:
        Window(*Window.key(email_hash)).update(
            actions=[
                Window.holder.set(_holder(update_id)),
                Window.taken_at.set(now),
                Window.lease.remove(),
                Window.lease_until.remove(),
                Window.expires_at.set(now + 2 * DAY),
            ],
            condition=_free(now),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        held = _window(email_hash)
        if held is None or held.taken_at <= now - DAY:
            return take_for_update(email_hash, update_id)  # freed meanwhile: try again
        if held.holder == _holder(update_id):
            return None
        reopens: datetime = held.taken_at + DAY
        return reopens
    return None


def add_entry(email_hash: str, petition_id: str, update_id: str, due_at: datetime) -> None:
    """The update waits in the person's digest until ``due_at``; written again (a retried
    message), it is the same entry."""
    _bound()
    now = clock.now()
    DigestEntry(
        *DigestEntry.key(email_hash, update_id),
        petition_id=petition_id,
        update_id=update_id,
        due_at=due_at,
        created_at=now,
        outbox_pk=DIGEST,
        outbox_sk=due_at.isoformat(),
        expires_at=due_at + timedelta(days=ENTRY_DAYS),
    ).save()
    alone.waited(email_hash)


def due_entries(
    now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[DigestEntry], dict[str, Any] | None]:
    """One page of the entries listed as due (the sparse ``outbox`` index), and the cursor."""
    _bound()
    results = DigestEntry.due.query(
        DIGEST,
        DigestEntry.outbox_sk <= now.isoformat(),
        limit=limit,
        last_evaluated_key=cursor,
    )
    found: list[DigestEntry] = list(results)  # type: ignore[arg-type]
    return found, results.last_evaluated_key


def queued(entry: DigestEntry, now: datetime) -> None:
    """Its digest is queued: listed again only if it is still there :data:`REQUEUE` later."""
    _bound()
    try:
        DigestEntry(entry.pk, entry.sk).update(
            actions=[DigestEntry.outbox_sk.set((now + REQUEUE).isoformat())],
            condition=DigestEntry.outbox_sk == entry.outbox_sk,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise  # else sent, or queued by another run meanwhile


def waiting(email_hash: str, now: datetime, limit: int) -> list[DigestEntry]:
    """The person's entries due by ``now``, oldest update first, at most ``limit``."""
    _bound()
    return list(
        DigestEntry.query(
            person_partition(email_hash),
            DigestEntry.sk.startswith("DIGEST#"),
            filter_condition=DigestEntry.due_at <= now,
            consistent_read=True,
            limit=limit,
            page_size=limit,
        )
    )


class Taken(NamedTuple):
    """The window, taken for a digest by the invocation holding ``token``."""

    email_hash: str
    token: str


class DigestBusy(Exception):
    """Another invocation is sending this person's digest: its SQS record is tried later."""


def take_for_digest(email_hash: str, token: str) -> Taken | datetime:
    """Take the person's window for their digest (free, a day old, or a digest whose sender
    died: its lease ran out), or when it reopens. :class:`DigestBusy` while another
    invocation sends it."""
    _bound()
    now = clock.now()
    died = (Window.holder == _HOLDER_DIGEST) & (Window.lease_until < now)
    try:
        Window(*Window.key(email_hash)).update(
            actions=[
                Window.holder.set(_HOLDER_DIGEST),
                Window.taken_at.set(now),
                Window.lease.set(token),
                Window.lease_until.set(now + timedelta(seconds=LEASE_SECONDS)),
                Window.expires_at.set(now + 2 * DAY),
            ],
            condition=_free(now) | died,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        held = _window(email_hash)
        if held is None or held.taken_at <= now - DAY:
            return take_for_digest(email_hash, token)  # freed meanwhile: try again
        if held.lease_until is not None and held.lease_until >= now:
            raise DigestBusy(email_hash) from None
        reopens: datetime = held.taken_at + DAY
        return reopens
    return Taken(email_hash, token)


def release(taken: Taken) -> None:
    """The digest was sent: the window stays taken for the day, its lease let go."""
    _lease_ended(taken, [Window.lease.remove(), Window.lease_until.remove()])


def give_back(taken: Taken) -> None:
    """Nothing was sent (SES refused for now): the window is free again, as it was."""
    try:
        Window(*Window.key(taken.email_hash)).delete(condition=Window.lease == taken.token)
    except DeleteError as error:
        if not condition_failed(error):
            raise


def _lease_ended(taken: Taken, actions: list[Any]) -> None:
    try:
        Window(*Window.key(taken.email_hash)).update(
            actions=actions, condition=Window.lease == taken.token
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def remove(entries: list[DigestEntry]) -> None:
    """Delete entries: sent, or no longer to send."""
    _bound()
    with DigestEntry.batch_write() as batch:
        for entry in entries:
            batch.delete(entry)


def postpone(email_hash: str, now: datetime, reopens: datetime, page: int) -> int:
    """The person's entries due by ``now`` wait for ``reopens`` (their window was taken
    meanwhile, or they were more than a digest holds), a page at a time; how many."""
    _bound()
    moved = 0
    for entry in _due_pages(email_hash, now, page):
        try:
            entry.update(
                actions=[
                    DigestEntry.due_at.set(reopens),
                    DigestEntry.outbox_sk.set(reopens.isoformat()),
                    DigestEntry.expires_at.set(reopens + timedelta(days=ENTRY_DAYS)),
                ],
                condition=DigestEntry.pk.exists(),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            continue  # sent meanwhile
        moved += 1
    return moved


def _due_pages(email_hash: str, now: datetime, page: int) -> Iterator[DigestEntry]:
    yield from DigestEntry.query(
        person_partition(email_hash),
        DigestEntry.sk.startswith("DIGEST#"),
        filter_condition=DigestEntry.due_at <= now,
        consistent_read=True,
        page_size=page,
    )


class PersonItems(NamedTuple):
    """Everything held about a person here: their window, their count of petitions followed
    (:mod:`mobilise.digests.alone`) and their waiting updates."""

    window: Window | None
    follows: Follows | None
    entries: list[DigestEntry]


def person_items(email_hash: str) -> PersonItems:
    """The person's items: the window and the count in one batch read, the entries' query."""
    _bound()
    entries = list(
        DigestEntry.query(person_partition(email_hash), DigestEntry.sk.startswith("DIGEST#"))
    )
    window: Window | None = None
    follows: Follows | None = None
    for item in raw_items([Window.key(email_hash), Follows.key(email_hash)], consistent=True):
        if item["sk"]["S"] == "WINDOW":
            window = Window.from_raw_data(item)
        else:
            follows = Follows.from_raw_data(item)
    return PersonItems(window, follows, entries)


def forget_person(email_hash: str) -> int:
    """Delete the person's window, digest entries and count of petitions followed (erasure:
    their signatures are gone); how many entries."""
    found = person_items(email_hash)
    remove(found.entries)
    for item in (found.window, found.follows):
        if item is not None:
            item.delete()
    return len(found.entries)
