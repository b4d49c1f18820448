"""Petitions and signatures: the rules of creating, showing and signing."""

from __future__ import annotations

from typing import Literal

from mobilise.core import clock, crypto, ids, links
from mobilise.core.config import get_settings
from mobilise.core.errors import AlreadySigned, InvalidLink, NotFound, NotOwner
from mobilise.core.observability import logger
from mobilise.delivery import queues
from mobilise.delivery.messages import ConfirmationMessage
from mobilise.reminders import due
from mobilise.schemas import (
    PetitionIn,
    PetitionOut,
    SignatureCounts,
    SignatureIn,
    SignatureOut,
)
from mobilise.table import store
from mobilise.table.models import Petition, Signature


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
    ``signature_retention_days`` later (:mod:`mobilise.privacy.retention`)."""
    petition = store.close_petition(caller, petition_id)
    logger.info("petition closed", petition_id=petition_id)
    return petition


def view(petition: Petition) -> PetitionOut:
    """The public view: ``signer_count`` counts confirmed signatures only (every signature
    is confirmed at once when double opt-in is off), so invented addresses do not count."""
    reopens = petition.next_update_allowed_at
    return PetitionOut(
        petition_id=petition.petition_id,
        title=petition.title,
        description=petition.description,
        language=petition.language,  # type: ignore[arg-type]  # validated when stored
        decision_maker=petition.decision_maker,
        status=petition.status,  # type: ignore[arg-type]
        signer_count=int(petition.confirmed_count),
        next_update_allowed_at=clock.isoformat(reopens) if reopens else None,
        created_at=clock.isoformat(petition.created_at),
    )


def counts(caller: str, petition_id: str) -> SignatureCounts:
    """The starter's view of the signatures: confirmed (the public count) and unconfirmed."""
    petition = store.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    confirmed = int(petition.confirmed_count)
    return SignatureCounts(
        petition_id=petition_id,
        confirmed=confirmed,
        unconfirmed=int(petition.signer_count) - confirmed,
    )


def sign(petition_id: str, request: SignatureIn, client_ip: str) -> SignatureOut:
    """Sign once per mailbox. Consent to updates is recorded with its time and wording.

    The answer is the same whatever the address's history (which petitions a person signed
    is a political opinion): only the email tells them what happened. With double opt-in a
    new signer, or one who has not confirmed yet, gets the confirmation email; a confirmed
    signer who signs again is told their signature stands. Without double opt-in signing
    sends no email, new address or not. A client IP may sign a petition a few times a
    minute; an address gets at most ``signing_email_limits`` emails from signing.
    """
    settings = get_settings()
    rate_scope = f"{petition_id}#{crypto.lookup_hash('ip', client_ip)}"
    now = clock.now()
    email_hash = crypto.email_hash(request.email)
    signature = Signature(
        *Signature.key(petition_id, email_hash),
        petition_id=petition_id,
        email_key=email_hash,
        email=request.email,  # as typed: the mailbox's own spelling of its address
        name=request.name,
        language=request.language,
        wants_updates=request.wants_updates,
        consent_at=now if request.wants_updates else None,
        consent_version=store.CONSENT_VERSION if request.wants_updates else None,
        confirmed_at=None if settings.double_opt_in else now,
        created_at=now,
        confirmations_requested={now.isoformat()} if settings.double_opt_in else None,
    )
    email_limits = settings.signing_email_limits if settings.double_opt_in else []
    try:
        if store.add_signature(signature, rate_scope, settings.sign_rate_limits, email_limits):
            _email(petition_id, email_hash, "confirm", now.isoformat())
        logger.info("petition signed", petition_id=petition_id, wants_updates=request.wants_updates)
    except AlreadySigned:
        _signed_again(petition_id, email_hash, rate_scope)
    return SignatureOut(
        petition_id=petition_id,
        name=request.name,
        wants_updates=request.wants_updates,
        signed_at=clock.isoformat(now),
        confirmation_required=settings.double_opt_in,
        message=_RECEIVED[settings.double_opt_in],
    )


_RECEIVED = {
    True: "Thank you. Check your inbox: the email we send you says what to do next.",
    False: "Thank you: your signature is received.",
}


def _signed_again(petition_id: str, email_hash: str, rate_scope: str) -> None:
    """A mailbox that had signed signs again: nothing changes but, with double opt-in, an
    email (within the same client rate limit, and the address's cap), which the deliver
    function chooses: the confirmation again if it was lost, or a note that the signature
    stands. One write here, as a new signature has one: the time of the answer tells
    nothing either."""
    settings = get_settings()
    email_limits = settings.signing_email_limits if settings.double_opt_in else []
    if store.signed_again(email_hash, rate_scope, settings.sign_rate_limits, email_limits):
        _email(petition_id, email_hash, "signed_again", clock.now().isoformat())
    logger.info("petition signed again", petition_id=petition_id)


def _email(
    petition_id: str, email_hash: str, kind: Literal["confirm", "signed_again"], at: str
) -> None:
    """Queue the email that follows a signature; ``at`` (kept on the signature) makes a
    resent request a new email, and lets erasure find its idempotency record again."""
    message = ConfirmationMessage(
        kind=kind, petition_id=petition_id, email_hash=email_hash, requested_at=at
    )
    queues.to_delivery([message])


def to_confirm(token: str) -> Petition:
    """The petition of a confirmation link, read and changing nothing (the page that asks)."""
    signer = links.read_confirm(token)
    try:
        store.get_signature(signer.petition_id, signer.email_hash)
        return store.get_petition(signer.petition_id)
    except NotFound:
        raise InvalidLink() from None


def confirm(token: str) -> Petition:
    """Confirm the signature of a confirmation link (posted from its page, never on GET: mail
    scanners open links): it now counts, and receives updates if it asked to."""
    signer = links.read_confirm(token)
    if store.confirm(signer.petition_id, signer.email_hash):
        logger.info("signature confirmed", petition_id=signer.petition_id)
    return store.get_petition(signer.petition_id)
