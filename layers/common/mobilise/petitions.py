"""Petitions and signatures: the rules of creating, showing and signing."""

from __future__ import annotations

from mobilise import clock, crypto, ids, store
from mobilise.observability import logger
from mobilise.schemas import PetitionIn, PetitionOut, SignatureIn, SignatureOut
from mobilise.store import Petition, Signature


def create(owner_id: str, request: PetitionIn) -> Petition:
    petition_id = ids.new_id()
    petition = Petition(
        *Petition.key(petition_id),
        petition_id=petition_id,
        owner_id=owner_id,
        title=request.title,
        description=request.description,
        language=request.language,
        decision_maker=request.decision_maker.model_dump(mode="json", exclude_none=True),
        created_at=clock.now(),
    )
    store.create_petition(petition)
    logger.info("petition created", petition_id=petition_id)
    return petition


def view(petition: Petition) -> PetitionOut:
    reopens = petition.next_update_allowed_at
    return PetitionOut(
        petition_id=petition.petition_id,
        title=petition.title,
        description=petition.description,
        language=petition.language,  # type: ignore[arg-type]  # validated when stored
        decision_maker=petition.decision_maker,
        status=petition.status,  # type: ignore[arg-type]
        signer_count=int(petition.signer_count),
        next_update_allowed_at=clock.isoformat(reopens) if reopens else None,
        created_at=clock.isoformat(petition.created_at),
    )


def sign(petition_id: str, request: SignatureIn) -> SignatureOut:
    """Sign once per address. Consent to updates is recorded with its time and wording."""
    now = clock.now()
    email_hash = crypto.email_hash(request.email)
    signature = Signature(
        *Signature.key(petition_id, email_hash),
        petition_id=petition_id,
        email=crypto.normalise_email(request.email),
        name=request.name,
        language=request.language,
        wants_updates=request.wants_updates,
        consent_at=now if request.wants_updates else None,
        consent_version=store.CONSENT_VERSION if request.wants_updates else None,
        confirmed_at=now,
        created_at=now,
    )
    store.add_signature(signature)
    logger.info("petition signed", petition_id=petition_id, wants_updates=request.wants_updates)
    return SignatureOut(
        petition_id=petition_id,
        name=request.name,
        wants_updates=request.wants_updates,
        signed_at=clock.isoformat(now),
    )
