"""What a starter sees and switches of their own petitions: the list of them (the sparse
``by_owner`` index, newest first, never a scan) and the switch of their reminders.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool
from pynamodb.constants import DATETIME_FORMAT

from mobilise.core import clock, ids
from mobilise.core.errors import InvalidCursor, NotOwner
from mobilise.core.fields import RequestBody
from mobilise.core.observability import logger
from mobilise.i18n import Language
from mobilise.reminders import switch
from mobilise.table import items
from mobilise.table.models import Petition, bound


class OwnedPetition(BaseModel):
    """A petition in its starter's list: what the ``by_owner`` index holds."""

    petition_id: str
    title: str
    language: Language
    status: Literal["open", "victory", "closed"]
    created_at: str
    next_update_allowed_at: str | None = Field(
        description="When the 24-hour window reopens; null when an update may go out now."
    )


class OwnedPetitions(BaseModel):
    petitions: list[OwnedPetition]
    next_cursor: str | None


class NudgesIn(RequestBody):
    on: StrictBool = Field(description="Whether the starter wants reminders about the petition.")


class Nudges(BaseModel):
    """Whether the starter receives reminders (nudges, meeting follow-ups) about a petition."""

    petition_id: str
    on: bool


def page(caller: str, limit: int, cursor: str | None) -> OwnedPetitions:
    """One page of the caller's petitions, newest first; the cursor continues after it."""
    bound()
    results = Petition.by_owner.query(
        caller, scan_index_forward=False, limit=limit, last_evaluated_key=_start(caller, cursor)
    )
    petitions = list(results)
    last = petitions[-1] if petitions and results.last_evaluated_key else None
    return OwnedPetitions(
        petitions=[_summary(petition) for petition in petitions],
        next_cursor=_cursor(last) if last is not None else None,
    )


def _summary(petition: Petition) -> OwnedPetition:
    reopens = petition.next_update_allowed_at
    return OwnedPetition(
        petition_id=petition.petition_id,
        title=petition.title,
        language=petition.language,  # type: ignore[arg-type]  # validated when stored
        status=petition.status,  # type: ignore[arg-type]
        created_at=clock.isoformat(petition.created_at),
        next_update_allowed_at=clock.isoformat(reopens) if reopens else None,
    )


#: How the index holds ``created_at`` (PynamoDB's ``UTCDateTimeAttribute``).
_CREATED = DATETIME_FORMAT


def _cursor(petition: Petition) -> str:
    """Opaque to clients: the last petition's id and creation time (the index's keys)."""
    created = petition.created_at.astimezone(UTC).strftime(_CREATED)
    position = f"{petition.petition_id} {created}"
    return base64.urlsafe_b64encode(position.encode()).decode()


def _start(caller: str, cursor: str | None) -> dict[str, dict[str, str]] | None:
    """The index position a cursor names, in the caller's own partition (a forged cursor
    can only move within the caller's petitions); :class:`InvalidCursor` otherwise."""
    if cursor is None:
        return None
    try:
        petition_id, created = base64.urlsafe_b64decode(cursor.encode()).decode().split(" ")
        created_at = datetime.strptime(created, _CREATED)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    if not ids.is_id(petition_id) or created_at.strftime(_CREATED) != created:
        raise InvalidCursor()
    pk, sk = Petition.key(petition_id)
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "owner_id": {"S": caller},
        "created_at": {"S": created},
    }


def nudges(caller: str, petition_id: str) -> Nudges:
    petition = _owned(caller, petition_id)
    return Nudges(petition_id=petition_id, on=not petition.nudges_off)


def set_nudges(caller: str, petition_id: str, on: bool) -> Nudges:
    """The starter's switch of their reminders; setting it as it is changes nothing."""
    petition = _owned(caller, petition_id)
    if on:
        switch.switch_on(petition)
    else:
        switch.switch_off(petition)
    logger.info("reminders switched", petition_id=petition_id, on=on)
    return Nudges(petition_id=petition_id, on=on)


def _owned(caller: str, petition_id: str) -> Petition:
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    return petition
