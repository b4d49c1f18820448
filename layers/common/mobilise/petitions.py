"""Petitions and signatures: the rules of creating, showing and signing."""

from __future__ import annotations

from datetime import datetime

from mobilise import clock, crypto, due, ids, links, queues, store
from mobilise.config import get_settings
from mobilise.errors import AlreadySigned, AwaitingConfirmation
from mobilise.messages import ConfirmationMessage
from mobilise.models import Petition, Signature
from mobilise.observability import logger
from mobilise.schemas import PetitionIn, PetitionOut, SignatureIn, SignatureOut


def create(owner_id: str, request: PetitionIn, owner_email: str | None = None) -> Petition:
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
        decision_maker=request.decision_maker.model_dump(mode="json", exclude_none=True),
        created_at=now,
        outbox_pk=nudge_kind,
        outbox_sk=due.when(nudge_at),
    )
    store.create_petition(petition)
    logger.info("petition created", petition_id=petition_id)
    return petition


def close(caller: str, petition_id: str) -> Petition:
    """Close a petition to new signatures (for good). Its signatures are deleted
    ``signature_retention_days`` later (:mod:`mobilise.retention`)."""
    petition = store.close_petition(caller, petition_id)
    logger.info("petition closed", petition_id=petition_id)
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


def sign(petition_id: str, request: SignatureIn, client_ip: str) -> SignatureOut:
    """Sign once per address. Consent to updates is recorded with its time and wording.

    With double opt-in the signer gets a confirmation email, and updates only once
    they followed its link. A client IP may sign a petition a few times a minute.
    """
    settings = get_settings()
    rate_scope = f"{petition_id}#{crypto.lookup_hash('ip', client_ip)}"
    now = clock.now()
    email_hash = crypto.email_hash(request.email)
    signature = Signature(
        *Signature.key(petition_id, email_hash),
        petition_id=petition_id,
        email_key=email_hash,
        email=crypto.normalise_email(request.email),
        name=request.name,
        language=request.language,
        wants_updates=request.wants_updates,
        consent_at=now if request.wants_updates else None,
        consent_version=store.CONSENT_VERSION if request.wants_updates else None,
        confirmed_at=None if settings.double_opt_in else now,
        created_at=now,
        confirmations_requested={now.isoformat()} if settings.double_opt_in else None,
    )
    try:
        store.add_signature(signature, rate_scope, settings.sign_rate_limits)
    except AlreadySigned:
        confirmed: datetime | None = store.get_signature(petition_id, email_hash).confirmed_at
        if confirmed is not None:
            raise
        # The first email may have been lost: send it again, within the same rate limit.
        store.take_rate(rate_scope, settings.sign_rate_limits)
        requested_at = clock.now().isoformat()
        store.confirmation_requested(petition_id, email_hash, requested_at)
        _ask_confirmation(petition_id, email_hash, requested_at)
        raise AwaitingConfirmation() from None
    if settings.double_opt_in:
        _ask_confirmation(petition_id, email_hash, now.isoformat())
    logger.info("petition signed", petition_id=petition_id, wants_updates=request.wants_updates)
    return SignatureOut(
        petition_id=petition_id,
        name=request.name,
        wants_updates=request.wants_updates,
        signed_at=clock.isoformat(now),
        confirmation_required=settings.double_opt_in,
    )


def _ask_confirmation(petition_id: str, email_hash: str, requested_at: str) -> None:
    """Queue the confirmation email; ``requested_at`` (kept on the signature) makes a resent
    request a new email, and lets erasure find its idempotency record again."""
    message = ConfirmationMessage(
        kind="confirm",
        petition_id=petition_id,
        email_hash=email_hash,
        requested_at=requested_at,
    )
    queues.to_delivery([message])


def confirm(token: str) -> Petition:
    """Follow a confirmation link: the signature now receives updates (if it asked to)."""
    signer = links.read_confirm(token)
    store.confirm(signer.petition_id, signer.email_hash)
    logger.info("signature confirmed", petition_id=signer.petition_id)
    return store.get_petition(signer.petition_id)
