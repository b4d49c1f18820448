"""Delivery: one raw MIME email per recipient through SESv2, exactly once per (update, signer)
as far as SES allows.

Each send goes through Powertools Idempotency, keyed on the business identity
(update, signer), never the SQS message id: a message delivered twice, or a
recipient enqueued twice, sends one email. The one duplicate window left: the
function dies after SES accepted an email and before its idempotency record is
completed; once the in-progress record expires, a retry sends that email again.

SES errors are classified: throttling and 5xx fail the SQS record (it is retried,
and the recipients already sent are skipped by idempotency); a permanent refusal
(MessageRejected, sending paused, MAIL FROM not verified, ...) is counted as
failed on the update, logged and measured, and not retried.
"""

from __future__ import annotations

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

from mobilise import aws, emails, links, store
from mobilise.config import get_settings
from mobilise.errors import NotFound
from mobilise.links import SignerRef, confirm_url, unsubscribe_url
from mobilise.messages import ConfirmationMessage, DeliveryMessage
from mobilise.observability import logger, metrics
from mobilise.pacing import pacer

#: Idempotency records are ``{IDEMPOTENCY_PREFIX}#{md5 of [kind, petition, subject, hash]}``:
#: a stable name, so that erasing an address can find its records (mobilise.privacy).
IDEMPOTENCY_PREFIX = "mobilise-send"
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[kind, petition_id, subject_id, email_hash]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=14 * 24 * 3600,
)

TRANSIENT = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "ServiceUnavailable",
        "InternalFailure",
        "RequestTimeout",
    }
)
PERMANENT = frozenset(
    {
        "MessageRejected",
        "AccountSendingPausedException",
        "SendingPausedException",
        "AccountSuspendedException",
        "MailFromDomainNotVerifiedException",
        "BadRequestException",
        "NotFoundException",
    }
)


class SesUnavailable(Exception):
    """SES throttled or failed on its side: the record is retried through SQS."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    raw: bytes
    tags: dict[str, str]


def transient(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    return code in TRANSIENT or (status >= 500 and code not in PERMANENT)


def _send(send: dict[str, str], email: Outgoing, tally: Counter[str]) -> dict[str, str]:
    """Send one email (called at most once per identity by the idempotency wrapper)."""
    settings = get_settings()
    pacer().wait()
    try:
        response = aws.sesv2().send_email(
            FromEmailAddress=settings.sender_address,
            Destination={"ToAddresses": [email.to]},
            Content={"Raw": {"Data": email.raw}},
            ConfigurationSetName=settings.ses_configuration_set,
            EmailTags=[{"Name": name, "Value": value} for name, value in email.tags.items()],
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Unknown")
        if transient(error):
            raise SesUnavailable(code) from error
        tally["failed"] += 1
        logger.warning(
            "email refused by SES",
            code=code,
            kind=send["kind"],
            petition_id=send["petition_id"],
            subject_id=send["subject_id"],
        )
        metrics.add_metric(name="EmailsRejected", unit="Count", value=1)
        return {"status": "rejected", "code": code}
    tally["sent"] += 1
    return {"status": "sent", "message_id": response["MessageId"]}


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
def _rendered(petition_id: str, update_id: str, language: str) -> emails.Rendered:
    petition = store.get_petition(petition_id)
    update = store.get_update(petition_id, update_id)
    return emails.render_update(petition, update, language)


@lru_cache(maxsize=64)
def _petition(petition_id: str) -> tuple[str, str]:
    petition = store.get_petition(petition_id)
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
    signatures, suppressed = store.recipients(message.petition_id, message.recipients)
    tally: Counter[str] = Counter()
    try:
        for email_hash in message.recipients:
            signature = signatures.get(email_hash)
            if signature is None or not signature.receives_updates or email_hash in suppressed:
                tally["skipped"] += 1  # unsubscribed or suppressed since the fan-out
                continue
            language = signature.language or _petition(message.petition_id)[1]
            rendered = _rendered(message.petition_id, message.update_id, language)
            signer = SignerRef(message.petition_id, email_hash, message.update_id)
            tags = {"petition_id": message.petition_id, "update_id": message.update_id}
            _send_to(signature.email, signer, rendered, "update", message.update_id, tags, tally)
    finally:
        store.add_stats(message.petition_id, message.update_id, tally)
        metrics.add_metric(name="EmailsSent", unit="Count", value=tally["sent"])
        logger.info("delivery batch", update_id=message.update_id, **_counts(tally))


def _confirmation(message: ConfirmationMessage) -> None:
    """The email that follows a signature: the confirmation (unless confirmed meanwhile);
    to an address that signed again, the confirmation again if it is unconfirmed, or the
    note that its confirmed signature stands. Its idempotency key is ("confirm", petition,
    ``requested_at``, signer) for each, as erasure finds it (mobilise.privacy)."""
    try:
        signature = store.get_signature(message.petition_id, message.email_hash)
    except NotFound:
        logger.info("confirmation for a signature that is gone", petition_id=message.petition_id)
        return
    confirmed: datetime | None = signature.confirmed_at
    stands = message.kind == "signed_again" and confirmed is not None
    if (confirmed is not None and not stands) or store.suppressed([message.email_hash]):
        return
    if message.kind == "signed_again":  # erasure finds the email's record by this time
        store.confirmation_requested(message.petition_id, message.email_hash, message.requested_at)
    title, petition_language = _petition(message.petition_id)
    signer = SignerRef(message.petition_id, message.email_hash)
    language = signature.language or petition_language
    rendered = (
        emails.render_already_signed(petition_title=title, language=language)
        if stands
        else emails.render_confirmation(
            petition_title=title, confirm_url=confirm_url(signer), language=language
        )
    )
    tags = {"petition_id": message.petition_id}
    _send_to(signature.email, signer, rendered, "confirm", message.requested_at, tags, Counter())


def recipient_links(signer: SignerRef, rendered: emails.Rendered) -> emails.RecipientLinks:
    """One signer's links: unsubscribe, and only those the email has slots for (each is an
    HMAC, and HMACs cost CPU on every email)."""
    needs = rendered.needs
    return emails.RecipientLinks(
        unsubscribe=unsubscribe_url(signer),
        respond=links.respond_url(signer) if "respond" in needs else None,
        rsvp=links.rsvp_url(signer) if "rsvp" in needs else None,
        signer=links.signer_token(signer) if "signer" in needs else None,
    )


def _send_to(
    address: str,
    signer: SignerRef,
    rendered: emails.Rendered,
    kind: str,
    subject_id: str,
    tags: dict[str, str],
    tally: Counter[str],
) -> None:
    """Address ``rendered`` to one signer and send it, once for (kind, subject, signer)."""
    raw = emails.addressed(
        rendered,
        sender=get_settings().sender_address,
        to=address,
        links=recipient_links(signer, rendered),
    )
    _send_once()(
        send={
            "kind": kind,
            "petition_id": signer.petition_id,
            "subject_id": subject_id,
            "email_hash": signer.email_hash,
        },
        email=Outgoing(address, raw, tags),
        tally=tally,
    )


def _counts(tally: Counter[str]) -> dict[str, Any]:
    return {name: tally[name] for name in ("sent", "failed", "skipped")}
