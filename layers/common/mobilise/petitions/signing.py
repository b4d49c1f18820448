"""Signing a petition: the signature with its consent, its rate limits and its confirmation
email; confirming it from the link of that email."""

from __future__ import annotations

import ipaddress
from typing import Literal

from mobilise.core import clock, crypto, links
from mobilise.core.config import get_settings
from mobilise.core.errors import AlreadySigned, InvalidLink, NotFound, RateLimited
from mobilise.core.observability import logger
from mobilise.delivery import queues
from mobilise.delivery.messages import ConfirmationMessage
from mobilise.petitions import proof_of_work, store
from mobilise.petitions.schemas import SignatureIn, SignatureOut
from mobilise.table import items
from mobilise.table.models import Petition, Signature

#: The version of the consent wording (``consent_updates`` in the catalogs) a signature
#: stores with its consent: a new wording gets a new version here.
CONSENT_VERSION = store.CONSENT_VERSION


def client_network(client_ip: str) -> str:
    """What the per-address limit counts as one client: an IPv4 address, or an IPv6 /64 (a
    home or a phone is given a whole /64: one client could otherwise sign from a new
    address each time, and never reach the burst)."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def sign(
    petition_id: str, request: SignatureIn, client_ip: str, proof: str | None = None
) -> SignatureOut:
    """Sign once per mailbox. Consent to updates is recorded with its time and the version
    of the wording the signer was shown (:data:`CONSENT_VERSION`).

    The answer is the same whatever the address's history (which petitions a person signed
    is a political opinion): only the email tells them what happened. With double opt-in a
    new signer, or one who has not confirmed yet, gets the confirmation email; a confirmed
    signer who signs again is told their signature stands. Without double opt-in signing
    sends no email, new address or not. A client IP may sign a petition a few times a
    minute; past that burst a signature costs a solved proof of work (``proof``, see
    :mod:`mobilise.petitions.proof_of_work`) instead of the client's windows, and without
    one the answer is :class:`ProofRequired` with a challenge. An address gets at most
    ``signing_email_limits`` emails from signing.
    """
    settings = get_settings()
    rate_scope = f"{petition_id}#{crypto.lookup_hash('ip', client_network(client_ip))}"
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
        consent_version=CONSENT_VERSION if request.wants_updates else None,
        confirmed_at=None if settings.double_opt_in else now,
        created_at=now,
        confirmations_requested={now.isoformat()} if settings.double_opt_in else None,
    )
    limits = settings.sign_rate_limits
    if proof is not None:
        proof_of_work.spend(proof)
        limits = []  # paid for: the client's windows do not count it
    try:
        _store(signature, rate_scope, limits)
    except RateLimited as limited:
        raise proof_of_work.required(retry_after_seconds=limited.retry_after_seconds) from limited
    return SignatureOut(
        petition_id=petition_id,
        name=request.name,
        wants_updates=request.wants_updates,
        signed_at=clock.isoformat(now),
        confirmation_required=settings.double_opt_in,
        message=_RECEIVED[settings.double_opt_in],
    )


def _store(signature: Signature, rate_scope: str, limits: list[tuple[int, int]]) -> None:
    """Store a new signature, or count an address's signing again, within ``limits``."""
    settings = get_settings()
    email_limits = settings.signing_email_limits if settings.double_opt_in else []
    petition_id, email_hash = signature.petition_id, signature.email_key
    try:
        if store.add_signature(signature, rate_scope, limits, email_limits):
            _email(petition_id, email_hash, "confirm", signature.created_at.isoformat())
        logger.info(
            "petition signed", petition_id=petition_id, wants_updates=signature.wants_updates
        )
    except AlreadySigned:
        _signed_again(petition_id, email_hash, rate_scope, limits)


_RECEIVED = {
    True: "Thank you. Check your inbox: the email we send you says what to do next.",
    False: "Thank you: your signature is received.",
}


def _signed_again(
    petition_id: str, email_hash: str, rate_scope: str, limits: list[tuple[int, int]]
) -> None:
    """A mailbox that had signed signs again: nothing changes but, with double opt-in, an
    email (within the same client rate limit, and the address's cap), which the deliver
    function chooses: the confirmation again if it was lost, or a note that the signature
    stands. One write here, as a new signature has one: the time of the answer tells
    nothing either."""
    settings = get_settings()
    email_limits = settings.signing_email_limits if settings.double_opt_in else []
    if store.signed_again(email_hash, rate_scope, limits, email_limits):
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
        items.get_signature(signer.petition_id, signer.email_hash)
        return items.get_petition(signer.petition_id)
    except NotFound:
        raise InvalidLink() from None


def confirm(token: str) -> Petition:
    """Confirm the signature of a confirmation link (posted from its page, never on GET: mail
    scanners open links): it now counts, and receives updates if it asked to."""
    signer = links.read_confirm(token)
    if store.confirm(signer.petition_id, signer.email_hash):
        logger.info("signature confirmed", petition_id=signer.petition_id)
    return items.get_petition(signer.petition_id)
