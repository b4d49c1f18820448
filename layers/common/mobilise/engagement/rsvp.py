"""RSVPs: a signer's yes or no to an event, through the signed link of the event's email.

Each signer's last answer is kept (an Rsvp item) and the event counts its yes and no answers
(``Update.rsvp_yes``, ``Update.rsvp_no``), moved in the same transaction as the answer, so
that reminders reach those who said yes (:func:`mobilise.engagement.store.rsvp_yes_page`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from mobilise.core import links
from mobilise.core.errors import InvalidLink
from mobilise.core.fields import RequestBody
from mobilise.core.links import SignerRef
from mobilise.core.observability import logger
from mobilise.engagement import store
from mobilise.table import items
from mobilise.table.models import Petition, Update

Answer = Literal["yes", "no"]


class RsvpIn(RequestBody):
    answer: Answer


class RsvpOut(BaseModel):
    update_id: str
    answer: Answer | None  # null until the signer answers


@dataclass(frozen=True)
class Invited:
    """What an RSVP link names: the signer, the petition, the event, and the answer so far."""

    signer: SignerRef
    petition: Petition
    update: Update
    language: str
    answer: str | None

    def out(self, answer: str | None = None) -> RsvpOut:
        return RsvpOut(update_id=self.update.update_id, answer=answer or self.answer)  # type: ignore[arg-type]

    @property
    def when(self) -> tuple[str, str]:
        """The event's start in its own time zone, and the zone's name."""
        fields = self.update.fields or {}
        zone = str(fields.get("time_zone") or "UTC")
        starts = str(fields.get("starts_at") or "")
        try:
            moment = datetime.fromisoformat(starts).astimezone(ZoneInfo(zone))
        except (ValueError, KeyError):
            return starts, zone
        return moment.strftime("%Y-%m-%d %H:%M"), zone


def invited(token: str) -> Invited:
    """The signer and event of an RSVP link; :class:`InvalidLink` for a tampered or expired
    link, a signer who is no longer there, or an update that is not an event."""
    signer = links.read_rsvp(token)
    assert signer.update_id is not None
    signature, petition, update = items.linked(
        signer.petition_id, signer.email_hash, signer.update_id
    )
    if update.type != "event":
        raise InvalidLink()
    current = items.get_rsvp(signer.petition_id, signer.update_id, signer.email_hash)
    return Invited(
        signer,
        petition,
        update,
        signature.language or petition.language,
        current.answer if current is not None else None,
    )


def from_form(fields: Mapping[str, list[str]]) -> RsvpIn:
    """The answer of the page's form (its buttons post ``answer``); other fields are ignored."""
    return RsvpIn.model_validate({"answer": (fields.get("answer") or [""])[0]})


def answer(invited: Invited, request: RsvpIn) -> RsvpOut:
    store.answer_rsvp(
        invited.signer.petition_id,
        invited.update.update_id,
        invited.signer.email_hash,
        request.answer,
    )
    logger.info(
        "rsvp answered",
        petition_id=invited.signer.petition_id,
        update_id=invited.update.update_id,
        answer=request.answer,
    )
    return invited.out(request.answer)
