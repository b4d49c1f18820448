"""A petition's counts, kept as counters that move in the same transaction as the
signature that moves them, so that reading them never reads a signature.

A signature counts as confirmed (the public count) or unconfirmed, and as a
subscriber when an update reaches it: confirmed, consenting, not unsubscribed,
its address not suppressed. The counts are spread over ``slots()`` items
(``CNT#{petition}#{slot}``, ``TOTAL``), a signature's slot derived from its hash:
2,000 signatures a second write none of them more than about 125 times a second
(see ``docs/design.md``), where one item on the petition took them all. A slot's
``DAY#{date}`` items count what happened each day (UTC): signatures received, and
confirmations; they are the starter's chart and are not moved back by erasure.

The slot's ``TOTAL`` item also says whether signing is open (``signing``), so that
a signature's transaction checks it there instead of on the petition: a new petition
is stored with its slots open, closing and a victory write ``closed`` into every
slot; a slot that says nothing (a petition's from before the counters) is opened
after a read of the petition.

Petitions from before the counters keep the counts written on them then
(``legacy_signers``, ``legacy_confirmed``), added to the counters', and count their
subscribers with a query, until :func:`recount` has run (``docs/deploying.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.errors import Conflict
from mobilise.digests import alone
from mobilise.table.batch_reads import batch_get
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.count_items import Counts, DayCounts
from mobilise.table.models import (
    Petition,
    Signature,
    bound,
    connection,
    shard_of,
    signature_partition,
)
from mobilise.table.persons import Follows

#: How many times a change is tried again after the signature changed under it.
ATTEMPTS = 5
OPEN, CLOSED = "open", "closed"
#: Count slots per signature shard: 16 shards x 2 = 32 slots, so that 2,000 signatures a
#: second, and as many confirmations, write no slot more than about 125 times a second.
SLOTS_PER_SHARD = 2


def slots() -> int:
    """How many count slots a petition has."""
    return get_settings().signature_shards * SLOTS_PER_SHARD


def slot_of(email_hash: str) -> int:
    """The count slot of an address: a slot of its signature shard, chosen by other digits
    (so a shard's signatures are counted in its own slots)."""
    return shard_of(email_hash) * SLOTS_PER_SHARD + int(email_hash[8:10], 16) % SLOTS_PER_SHARD


class State(NamedTuple):
    """What one signature counts as."""

    confirmed: bool
    subscribed: bool


def state(signature: Signature, **changed: Any) -> State:
    """What ``signature`` counts as, with the attributes in ``changed`` set to new values."""
    value = {
        name: changed.get(name, getattr(signature, name))
        for name in ("confirmed_at", "wants_updates", "unsubscribed_at", "suppressed_at")
    }
    confirmed = value["confirmed_at"] is not None
    subscribed = (
        confirmed
        and bool(value["wants_updates"])
        and value["unsubscribed_at"] is None
        and value["suppressed_at"] is None
    )
    return State(confirmed=confirmed, subscribed=subscribed)


class Totals(NamedTuple):
    """A petition's counts now; ``subscribers`` is ``None`` for a petition from before the
    counters that was not recounted yet."""

    confirmed: int
    unconfirmed: int
    subscribers: int | None


def moves(before: State | None, after: State | None) -> list[Action]:
    """The counter actions of a signature going from ``before`` to ``after`` (``None``: no
    signature), on its slot's ``TOTAL`` item."""

    def weight(found: State | None) -> tuple[int, int, int]:
        if found is None:
            return 0, 0, 0
        return int(found.confirmed), int(not found.confirmed), int(found.subscribed)

    deltas = [new - old for new, old in zip(weight(after), weight(before), strict=True)]
    fields = (Counts.confirmed, Counts.unconfirmed, Counts.subscribers)
    return [field.add(delta) for field, delta in zip(fields, deltas, strict=True) if delta]


def slot_item(signature: Signature) -> Counts:
    return Counts(*Counts.key(signature.petition_id, slot_of(signature.email_hash)))


def day_item(signature: Signature, moment: datetime) -> DayCounts:
    day = moment.date().isoformat()
    return DayCounts(*DayCounts.key(signature.petition_id, slot_of(signature.email_hash), day))


def signed(signature: Signature) -> tuple[Counts, list[Action], DayCounts, list[Action]]:
    """What a new signature writes besides itself: its slot's counts (conditional on
    :func:`signing_open`) and the day's."""
    actions: list[Action] = [DayCounts.signed.add(1)]
    if signature.confirmed_at is not None:
        actions.append(DayCounts.confirmed.add(1))
    return (
        slot_item(signature),
        moves(None, state(signature)),
        day_item(signature, signature.created_at),
        actions,
    )


def signing_open() -> Condition:
    condition: Condition = Counts.signing == OPEN
    return condition


def open_signing(petition_id: str, slot: int) -> None:
    """Write that signing is open into a slot that says nothing yet (the petition was just
    read open); one that says something keeps it (a closing wrote it meanwhile)."""
    bound()
    try:
        Counts(*Counts.key(petition_id, slot)).update(
            actions=[Counts.signing.set(OPEN)], condition=Counts.signing.does_not_exist()
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def open_all(transaction: TransactWrite, petition_id: str) -> None:
    """Add to ``transaction`` the slots of a new petition, open to signing."""
    for slot in range(slots()):
        transaction.save(Counts(*Counts.key(petition_id, slot), signing=OPEN))


def close_signing(transaction: TransactWrite, petition_id: str) -> None:
    """Add to ``transaction`` the end of signing, in every slot."""
    for slot in range(slots()):
        transaction.update(
            Counts(*Counts.key(petition_id, slot)), actions=[Counts.signing.set(CLOSED)]
        )


def change(
    petition_id: str,
    email_hash: str,
    plan: Callable[[Signature], tuple[list[Action], State | None] | None],
    *,
    confirmed_today: bool = False,
) -> Signature | None:
    """Change a signature and its counts in one transaction, the signature's write
    conditional on the state it was read in (tried again if it changed meanwhile).

    ``plan`` says, from the signature as read, its actions (none: delete it) and what it
    counts as afterwards, or ``None`` when there is nothing to do. The signature as read
    (``None``: there is none) is returned; ``confirmed_today`` counts a confirmation in
    the day's counts.
    """
    bound()
    for _ in range(ATTEMPTS):
        try:
            signature = Signature.get(*Signature.key(petition_id, email_hash), consistent_read=True)
        except Signature.DoesNotExist:
            return None
        planned = plan(signature)
        if planned is None:
            return signature
        try:
            _write(signature, *planned, confirmed_today=confirmed_today)
        except TransactWriteError as error:
            if failed_condition(error, 0) is None:
                raise
            continue
        return signature
    raise Conflict("The signature changed too often meanwhile; try again.")


def mark(
    petition_id: str,
    email_hash: str,
    attribute: Any,
    at: datetime,
    *,
    confirmed_today: bool = False,
) -> bool | None:
    """Set a signature's time ``attribute`` (confirmed, unsubscribed, suppressed) to ``at``
    if it has none, with the counts that moves (:func:`change`). True: set now; False: it
    was already; ``None``: there is no such signature."""
    first = False

    def plan(signature: Signature) -> tuple[list[Action], State | None] | None:
        nonlocal first
        first = getattr(signature, attribute.attr_name) is None
        if not first:
            return None
        return [attribute.set(at)], state(signature, **{attribute.attr_name: at})

    if change(petition_id, email_hash, plan, confirmed_today=confirmed_today) is None:
        return None
    return first


def following(before: State | None, after: State | None) -> int:
    """How a signature going from ``before`` to ``after`` moves the count of petitions its
    person follows (:class:`~mobilise.table.persons.Follows`): +1, -1 or 0."""
    return int(after is not None and after.subscribed) - int(
        before is not None and before.subscribed
    )


def follow(
    transaction: TransactWrite, email_hash: str, delta: int, plan: alone.Following | None
) -> None:
    """Add to ``transaction`` the move of the person's count (last: the entries before it
    keep their places, which refusals are read by): one more as ``plan`` says
    (:func:`mobilise.digests.alone.following`, read before it), or ``delta``."""
    item = Follows(*Follows.key(email_hash))
    if plan is not None:
        transaction.update(item, actions=[plan.action()])
    elif delta:
        transaction.update(item, actions=[Follows.petitions.add(delta)])


def _write(
    signature: Signature, actions: list[Action], after: State | None, *, confirmed_today: bool
) -> None:
    guard = _as_read(signature)
    counts = moves(state(signature), after)
    delta = following(state(signature), after)
    plan = alone.following(signature.email_hash, signature.petition_id) if delta > 0 else None
    if delta < 0 and not alone.counted(signature.email_hash):
        delta = 0  # no count yet: one is made, of all their petitions, when they sign again
    with TransactWrite(connection=connection()) as transaction:
        if actions:
            transaction.update(signature, actions=actions, condition=guard)
        else:
            transaction.delete(signature, condition=guard)
        if counts:
            transaction.update(slot_item(signature), actions=counts)
        if confirmed_today:
            transaction.update(
                day_item(signature, clock.now()), actions=[DayCounts.confirmed.add(1)]
            )
        follow(transaction, signature.email_hash, delta, plan)
    if plan is not None:
        plan.written()


def _as_read(signature: Signature) -> Condition:
    """The signature exists, with the attributes its counts depend on as read."""
    condition: Condition = Signature.pk.exists()
    for attribute in (Signature.confirmed_at, Signature.unsubscribed_at, Signature.suppressed_at):
        value = getattr(signature, attribute.attr_name)
        condition &= attribute.does_not_exist() if value is None else attribute == value
    return condition


# Reading ----------------------------------------------------------------------------------


def totals(petition: Petition) -> Totals:
    """A petition's counts: one BatchGetItem of its slots, whatever its size."""
    found = _slot_items(petition.petition_id)
    confirmed = sum(int(item.confirmed or 0) for item in found)
    unconfirmed = sum(int(item.unconfirmed or 0) for item in found)
    subscribers: int | None = sum(int(item.subscribers or 0) for item in found)
    if petition.legacy_signers is not None:
        legacy_confirmed = int(petition.legacy_confirmed or 0)
        confirmed += legacy_confirmed
        unconfirmed += int(petition.legacy_signers) - legacy_confirmed
        subscribers = None
    return Totals(confirmed=confirmed, unconfirmed=unconfirmed, subscribers=subscribers)


def _slot_items(petition_id: str, *, consistent: bool = False, live: bool = True) -> list[Counts]:
    bound()
    keys = [Counts.key(petition_id, slot) for slot in range(slots())]
    found = batch_get(Counts, keys, consistent=consistent)
    return [item for item in found if _live(item) or not live]


def _live(item: Counts | DayCounts) -> bool:
    """An item past its expiry is as good as deleted (DynamoDB's TTL deletes it later)."""
    return item.expires_at is None or item.expires_at > clock.now()


def history(petition_id: str) -> list[tuple[str, int, int]]:
    """(day, signatures received, confirmations) for each day that had any, oldest first:
    one query per slot, each reading one item per day."""
    days: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in _day_items(petition_id):
        day = days[item.sk.removeprefix("DAY#")]
        day[0] += int(item.signed or 0)
        day[1] += int(item.confirmed or 0)
    return [(day, signed, confirmed) for day, (signed, confirmed) in sorted(days.items())]


def _day_items(petition_id: str) -> Iterable[DayCounts]:
    bound()
    for slot in range(slots()):
        partition = Counts.key(petition_id, slot)[0]
        for item in DayCounts.query(partition, DayCounts.sk.startswith("DAY#")):
            if _live(item):
                yield item


# Retention and recounting -----------------------------------------------------------------


def expire(petition_id: str, expires_at: datetime) -> None:
    """Give a petition's counts the expiry of its signatures: they go with them."""
    bound()
    for total in _slot_items(petition_id, consistent=True):
        _expire(total, [Counts.expires_at.set(expires_at)], Counts.pk.exists())
    for day in list(_day_items(petition_id)):
        _expire(day, [DayCounts.expires_at.set(expires_at)], DayCounts.pk.exists())


def _expire(item: Counts | DayCounts, actions: list[Action], condition: Condition) -> None:
    """One item's expiry; one deleted meanwhile is not written back."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if not condition_failed(error):
            raise


def recount(petition_id: str) -> Totals:
    """Set a petition's counts from a full count of its signatures, and drop the counts
    written on the petition before the counters: one transaction, conditional on no slot
    having moved during the count (counted again if one did). For the migration
    (``infra/recount.py``) and for signatures written straight to the table."""
    bound()
    for _ in range(ATTEMPTS):
        before = {item.pk: item for item in _slot_items(petition_id, consistent=True, live=False)}
        counted = _full_count(petition_id)
        try:
            _replace(petition_id, before, counted)
        except TransactWriteError as error:
            if not any(
                failed_condition(error, index) for index in range(len(error.cancellation_reasons))
            ):
                raise
            continue
        return Totals(
            confirmed=sum(c[0] for c in counted.values()),
            unconfirmed=sum(c[1] for c in counted.values()),
            subscribers=sum(c[2] for c in counted.values()),
        )
    raise Conflict("The petition's counts moved during every recount; run it again.")


def _full_count(petition_id: str) -> dict[int, list[int]]:
    """Every signature of the petition, read: [confirmed, unconfirmed, subscribers] by slot."""
    counted: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for shard in range(get_settings().signature_shards):
        query = Signature.query(
            signature_partition(petition_id, shard),
            Signature.sk.startswith("EMAIL#"),
            consistent_read=True,
        )
        for signature in query:
            found = state(signature)
            slot = counted[slot_of(signature.email_hash)]
            slot[0 if found.confirmed else 1] += 1
            slot[2] += int(found.subscribed)
    return counted


def _replace(petition_id: str, before: dict[str, Counts], counted: dict[int, list[int]]) -> None:
    with TransactWrite(connection=connection()) as transaction:
        for slot in range(slots()):
            item = Counts(*Counts.key(petition_id, slot))
            old = before.get(item.pk)
            values = counted.get(slot, [0, 0, 0])
            fields = (Counts.confirmed, Counts.unconfirmed, Counts.subscribers)
            condition: Condition = Counts.pk.exists() if old else Counts.pk.does_not_exist()
            for field in fields if old else ():
                seen = getattr(old, field.attr_name)
                condition &= field.does_not_exist() if seen is None else field == seen
            transaction.update(
                item,
                actions=[field.set(value) for field, value in zip(fields, values, strict=True)],
                condition=condition,
            )
        transaction.update(
            Petition(*Petition.key(petition_id)),
            actions=[Petition.legacy_signers.remove(), Petition.legacy_confirmed.remove()],
            condition=Petition.pk.exists(),
        )
