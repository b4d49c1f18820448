"""Delivery: one raw MIME email per recipient through SESv2, exactly once per (update, signer)
as far as SES allows.

Each send goes through Powertools Idempotency, keyed on the business identity
(update, signer), never the SQS message id: a message delivered twice, or a
recipient enqueued twice, sends one email. The one duplicate window left: the
function dies after SES accepted an email and before its idempotency record is
completed; once the in-progress record expires, a retry sends that email again.

Every recipient is on its own: one whose email cannot be built (an address SES
cannot take, such as a non-ASCII local part) or that SES refuses for good
(MessageRejected, sending paused, MAIL FROM not verified, ...) is counted as
failed, logged without its address, measured, and the others go on. Throttling
and 5xx fail the SQS record: it is retried, and the recipients already sent are
skipped by idempotency.

What became of each recipient of a delivery message (sent, failed, skipped) is
counted on the update once the whole message is done, once per message however
often SQS hands it in (:func:`mobilise.delivery.store.settle_batch`); the update is
``sent`` when every recipient fan-out enqueued is counted
(:func:`mobilise.delivery.store.finish_delivery`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from botocore.exceptions import ClientError

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.core.links import SignerRef, confirm_url, unsubscribe_url
from mobilise.core.observability import logger, metrics
from mobilise.delivery import ses, store
from mobilise.delivery.messages import ConfirmationMessage, DeliveryMessage
from mobilise.delivery.pacing import pacer
from mobilise.emails import rendering
from mobilise.table import items

#: Idempotency records are ``{IDEMPOTENCY_PREFIX}#{md5 of [kind, petition, subject, hash]}``:
#: a stable name, so that erasing an address can find its records (mobilise.privacy.personal_data).
IDEMPOTENCY_PREFIX = "mobilise-send"
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[kind, petition_id, subject_id, email_hash]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=14 * 24 * 3600,
)


@dataclass(frozen=True)
class Outgoing:
    to: str
    raw: bytes
    tags: dict[str, str]
    batch: str = ""  # the delivery message it is sent for (its digest)


def _send(send: dict[str, str], email: Outgoing) -> dict[str, str]:
    """Send one email (called at most once per identity by the idempotency wrapper). What it
    returns is stored with the identity: a retry reads it instead of sending again."""
    pacer().wait()
    try:
        message_id = ses.send(email.to, email.raw, email.tags)
    except ClientError as error:
        code = ses.permanent_refusal(error)  # SesUnavailable if it may pass
        logger.warning(
            "email refused by SES",
            code=code,
            kind=send["kind"],
            petition_id=send["petition_id"],
            subject_id=send["subject_id"],
        )
        return {"status": "rejected", "code": code, "batch": email.batch}
    return {"status": "sent", "message_id": message_id, "batch": email.batch}


@cache
def _send_once() -> Callable[..., dict[str, str]]:
    persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table_name)
    wrapped: Callable[..., dict[str, str]] = idempotent_function(
        data_keyword_argument="send",
        config=IDEMPOTENCY,
        persistence_store=persistence,
        key_prefix=IDEMPOTENCY_PREFIX,
    )(_send)
    return wrapped


@lru_cache(maxsize=64)
def _rendered(petition_id: str, update_id: str, language: str) -> rendering.Rendered:
    petition = items.get_petition(petition_id)
    update = items.get_update(petition_id, update_id)
    return rendering.render_update(petition, update, language)


@lru_cache(maxsize=64)
def _petition(petition_id: str) -> tuple[str, str]:
    petition = items.get_petition(petition_id)
    return petition.title, petition.language


def reset() -> None:
    """Forget rendered emails, petitions and the idempotency store (tests on a new moto)."""
    _rendered.cache_clear()
    _petition.cache_clear()
    _send_once.cache_clear()
    pacer.cache_clear()


def deliver(message: DeliveryMessage | ConfirmationMessage) -> None:
    if isinstance(message, ConfirmationMessage):
        _confirmation(message)
    else:
        _update(message)


def _update(message: DeliveryMessage) -> None:
    """Send to each recipient, then count what became of each on the update, once for this
    message; the update is ``sent`` when this was the last of its recipients."""
    signatures, suppressed = items.recipients(message.petition_id, message.recipients)
    batch = batch_digest(message)
    outcomes: Counter[str] = Counter()
    for email_hash in message.recipients:
        signature = signatures.get(email_hash)
        if signature is None or not signature.receives_updates or email_hash in suppressed:
            outcomes["skipped"] += 1  # unsubscribed or suppressed since the fan-out
            continue
        language = signature.language or _petition(message.petition_id)[1]
        rendered = _rendered(message.petition_id, message.update_id, language)
        signer = SignerRef(message.petition_id, email_hash, message.update_id)
        tags = {"petition_id": message.petition_id, "update_id": message.update_id}
        _send_to(
            signature.email,
            signer,
            rendered,
            "update",
            message.update_id,
            tags,
            outcomes,
            batch=batch,
        )
    if store.settle_batch(message.petition_id, message.update_id, batch, outcomes):
        metrics.add_metric(name="EmailsSent", unit="Count", value=outcomes["sent"])
        logger.info("delivery batch", update_id=message.update_id, **_counts(outcomes))
    if store.finish_delivery(message.petition_id, message.update_id):
        logger.info(
            "update delivered", petition_id=message.petition_id, update_id=message.update_id
        )


def batch_digest(message: DeliveryMessage) -> str:
    """A delivery message's name: the same update and recipients, the same message."""
    content = "\n".join([message.update_id, *message.recipients]).encode()
    return hashlib.sha256(content).hexdigest()[:32]


def _confirmation(message: ConfirmationMessage) -> None:
    """The email that follows a signature: the confirmation (unless confirmed meanwhile);
    to an address that signed again, the confirmation again if it is unconfirmed, or the
    note that its confirmed signature stands. Its idempotency key is ("confirm", petition,
    ``requested_at``, signer) for each, as erasure finds it (mobilise.privacy.personal_data)."""
    try:
        signature = items.get_signature(message.petition_id, message.email_hash)
    except NotFound:
        logger.info("confirmation for a signature that is gone", petition_id=message.petition_id)
        return
    confirmed: datetime | None = signature.confirmed_at
    stands = message.kind == "signed_again" and confirmed is not None
    if (confirmed is not None and not stands) or items.suppressed([message.email_hash]):
        return
    if message.kind == "signed_again":  # erasure finds the email's record by this time
        store.confirmation_requested(message.petition_id, message.email_hash, message.requested_at)
    title, petition_language = _petition(message.petition_id)
    signer = SignerRef(message.petition_id, message.email_hash)
    language = signature.language or petition_language
    rendered = (
        rendering.render_already_signed(petition_title=title, language=language)
        if stands
        else rendering.render_confirmation(
            petition_title=title, confirm_url=confirm_url(signer), language=language
        )
    )
    tags = {"petition_id": message.petition_id}
    _send_to(signature.email, signer, rendered, "confirm", message.requested_at, tags, Counter())


def recipient_links(signer: SignerRef, rendered: rendering.Rendered) -> rendering.RecipientLinks:
    """One signer's links: unsubscribe, and only those the email has slots for (each is an
    HMAC, and HMACs cost CPU on every email)."""
    needs = rendered.needs
    return rendering.RecipientLinks(
        unsubscribe=unsubscribe_url(signer),
        respond=links.respond_url(signer) if "respond" in needs else None,
        rsvp=links.rsvp_url(signer) if "rsvp" in needs else None,
        signer=links.signer_token(signer) if "signer" in needs else None,
    )


def _send_to(
    address: str,
    signer: SignerRef,
    rendered: rendering.Rendered,
    kind: str,
    subject_id: str,
    tags: dict[str, str],
    outcomes: Counter[str],
    *,
    batch: str = "",
) -> None:
    """Address ``rendered`` to one signer and send it, once for (kind, subject, signer); count
    in ``outcomes`` whether it was sent, failed, or skipped (sent already for another
    ``batch``). A recipient whose email cannot be built is failed, and the others go on."""
    links = recipient_links(signer, rendered)  # the signing key: a failure here is everyone's
    try:
        raw = rendering.addressed(
            rendered, sender=get_settings().sender_address, to=address, links=links
        )
    except Exception as error:
        _not_built(kind, signer, subject_id, error)
        outcomes["failed"] += 1
        return
    result = _send_once()(
        send={
            "kind": kind,
            "petition_id": signer.petition_id,
            "subject_id": subject_id,
            "email_hash": signer.email_hash,
        },
        email=Outgoing(address, raw, tags, batch),
    )
    outcomes[_outcome(result, batch)] += 1


def _outcome(result: dict[str, str], batch: str) -> str:
    """sent or failed if this message sent it (now, or in a run that died before counting),
    skipped if another message did (a recipient enqueued twice is counted once)."""
    if result.get("batch", "") != batch:
        return "skipped"
    return "sent" if result["status"] == "sent" else "failed"


def _not_built(kind: str, signer: SignerRef, subject_id: str, error: Exception) -> None:
    """Log and measure an email that could not be built: the error's class only, since its
    message may quote the address (neither the address nor its hash is ever logged)."""
    logger.warning(
        "email not built",
        kind=kind,
        petition_id=signer.petition_id,
        subject_id=subject_id,
        error=type(error).__name__,
    )
    metrics.add_metric(name="EmailsNotBuilt", unit="Count", value=1)


def _counts(outcomes: Counter[str]) -> dict[str, Any]:
    return {name: outcomes[name] for name in ("sent", "failed", "skipped")}
