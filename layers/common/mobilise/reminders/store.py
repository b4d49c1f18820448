"""The reminders' data: what is due (the due indexes of petitions and updates), and what
they read to write (RSVPs, later updates), the nudges' switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from mobilise.core.errors import NotFound
from mobilise.table.conditions import condition_failed
from mobilise.table.models import NUDGE, Petition, Rsvp, Update, bound


def due_petitions(
    kind: str, now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[Petition], dict[str, Any] | None]:
    """One page of the petitions whose work of ``kind`` is due by ``now`` (the sparse
    ``outbox`` index: keys and ids only), and the cursor after it."""
    bound()
    results = Petition.due.query(
        kind, Petition.outbox_sk <= now.isoformat(), limit=limit, last_evaluated_key=cursor
    )
    return cast(list[Petition], list(results)), results.last_evaluated_key


def due_updates(
    kind: str, now: datetime, limit: int, cursor: dict[str, Any] | None
) -> tuple[list[Update], dict[str, Any] | None]:
    """One page of the updates whose work of ``kind`` is due by ``now``, and the cursor."""
    bound()
    results = Update.due.query(
        kind, Update.outbox_sk <= now.isoformat(), limit=limit, last_evaluated_key=cursor
    )
    return cast(list[Update], list(results)), results.last_evaluated_key


def move_due(item: Petition | Update, was: str, to: datetime | None) -> bool:
    """Move the due time of ``item``'s pending work to ``to``, or remove it (``None``), if it
    is still ``was``: work the publisher moved meanwhile stays where it put it."""
    bound()
    model = type(item)
    actions: list[Action] = (
        [model.outbox_pk.remove(), model.outbox_sk.remove()]
        if to is None
        else [model.outbox_sk.set(to.isoformat())]
    )
    condition = model.outbox_sk == was
    if item.outbox_pk is not None:  # and still the same kind of work (a closing replaces it)
        condition &= model.outbox_pk == item.outbox_pk
    try:
        model(item.pk, item.sk).update(actions=actions, condition=condition)
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def page_rsvps(
    petition_id: str, update_id: str, answer: str, after: str | None, limit: int
) -> tuple[list[str], str | None]:
    """The email hashes of one page of an event's RSVPs with ``answer``, in hash order,
    starting after the hash ``after``; and the hash to continue after, or None at the end."""
    bound()
    prefix = f"RSVP#{update_id}#"
    start = None
    if after is not None:
        pk, sk = Rsvp.key(petition_id, update_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Rsvp.query(
        f"PET#{petition_id}",
        Rsvp.sk.startswith(prefix),
        filter_condition=Rsvp.answer == answer,
        limit=limit,
        last_evaluated_key=start,
    )
    hashes = [rsvp.sk.removeprefix(prefix) for rsvp in results]
    last = results.last_evaluated_key
    return hashes, (str(last["sk"]["S"]).removeprefix(prefix) if last else None)


def later_updates(petition_id: str, update_id: str) -> Iterator[Update]:
    """The petition's updates published after ``update_id`` (ids sort by time), oldest first."""
    bound()
    return iter(
        Update.query(
            f"PET#{petition_id}",
            Update.sk.between(f"UPD#{update_id}", "UPD#~"),
            filter_condition=Update.update_id != update_id,
        )
    )


def switch_nudges_off(petition_id: str) -> None:
    """The starter wants no more reminders for this petition; :class:`NotFound` if none.
    A due nudge leaves the index; other due work of the petition (the retention of a
    closed petition's signatures) stays."""
    bound()
    petition = Petition(*Petition.key(petition_id))
    try:
        petition.update(actions=[Petition.nudges_off.set(True)], condition=Petition.pk.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound("There is no petition with this id.") from error
        raise
    try:
        petition.update(
            actions=[Petition.outbox_pk.remove(), Petition.outbox_sk.remove()],
            condition=Petition.outbox_pk == NUDGE,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def switch_nudges_on(petition: Petition, nudge: tuple[str, str]) -> None:
    """Reminders again: the flag goes, and an open petition without pending work is due for
    ``nudge`` (its kind and due time's sort key). A closed or won petition is never nudged:
    it only loses the flag."""
    bound()
    item = Petition(*Petition.key(petition.petition_id))
    item.update(actions=[Petition.nudges_off.remove()], condition=Petition.pk.exists())
    kind, due_at = nudge
    try:
        item.update(
            actions=[Petition.outbox_pk.set(kind), Petition.outbox_sk.set(due_at)],
            condition=(Petition.status == "open") & Petition.outbox_pk.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
