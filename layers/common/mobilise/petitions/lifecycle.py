"""A petition's life: started by its owner, shown to anyone, counted for its owner,
closed to signatures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobilise.core import clock, crypto, ids
from mobilise.core.errors import NotOwner
from mobilise.core.observability import logger
from mobilise.petitions import store
from mobilise.petitions.public import DecisionMakerOut, PetitionOut
from mobilise.reminders import due
from mobilise.table import counters, items
from mobilise.table.models import Petition

if TYPE_CHECKING:
    from mobilise.petitions.plain import NewPetition
    from mobilise.petitions.schemas import SignatureCounts


def create(owner_id: str, request: NewPetition, owner_email: str | None = None) -> Petition:
    petition_id = ids.new_id()
    now = clock.now()
    nudge_kind, nudge_at = due.nudge(now)
    petition = Petition(
        *Petition.key(petition_id),
        petition_id=petition_id,
        owner_id=owner_id,
        owner_email=owner_email,
        owner_email_key=crypto.email_hash(owner_email) if owner_email else None,
        title=request.title,
        description=request.description,
        language=request.language,
        decision_maker=request.decision_maker,
        created_at=now,
        outbox_pk=nudge_kind,
        outbox_sk=due.when(nudge_at),
    )
    store.create_petition(petition)
    logger.info("petition created", petition_id=petition_id)
    return petition


def close(caller: str, petition_id: str) -> Petition:
    """Close a petition to new signatures (for good). Its signatures are deleted
    ``signature_retention_days`` later (:mod:`mobilise.privacy.retention`)."""
    petition = store.close_petition(caller, petition_id)
    logger.info("petition closed", petition_id=petition_id)
    return petition


def view(petition: Petition) -> PetitionOut:
    """The public view: ``signer_count`` counts confirmed signatures only (every signature
    is confirmed at once when double opt-in is off), so invented addresses do not count.
    It is read from the petition's counters (one BatchGetItem)."""
    reopens = petition.next_update_allowed_at
    return PetitionOut(
        petition_id=petition.petition_id,
        title=petition.title,
        description=petition.description,
        language=petition.language,  # type: ignore[arg-type]  # validated when stored
        decision_maker=DecisionMakerOut.of(petition.decision_maker),
        status=petition.status,  # type: ignore[arg-type]
        signer_count=counters.totals(petition).confirmed,
        next_update_allowed_at=clock.isoformat(reopens) if reopens else None,
        created_at=clock.isoformat(petition.created_at),
    )


def public_view(petition_id: str) -> PetitionOut:
    """A petition as anyone may see it; :class:`NotFound` if there is none."""
    return view(items.get_petition(petition_id))


def counts(caller: str, petition_id: str) -> SignatureCounts:
    """The starter's view of the signatures: confirmed (the public count) and unconfirmed,
    and what each day brought; from the counters, never from the signatures."""
    # Here: reading a petition (view) loads no pydantic, and the counts are its starter's.
    from mobilise.petitions.schemas import DayCount, SignatureCounts

    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    totals = counters.totals(petition)
    return SignatureCounts(
        petition_id=petition_id,
        confirmed=totals.confirmed,
        unconfirmed=totals.unconfirmed,
        history=[
            DayCount(date=day, signed=signed, confirmed=confirmed)
            for day, signed, confirmed in counters.history(petition_id)
        ],
    )
