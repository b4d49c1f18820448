"""Delivery: an update's email to each recipient, up to 50 in one SESv2 SendBulkEmail (the
email as an inline template, each recipient's links as their template data:
:mod:`mobilise.emails.bulk`), exactly once per (update, signer) but for one window.

An update's delivery message (up to 100 recipients) is dealt with under one record
(:mod:`mobilise.delivery.records`): claimed (one write), then settled with the update's
counters (one transaction), never per recipient. The record holds what became of each
recipient (sent, failed, skipped): a message handled twice sends nothing more, one
throttled half-way goes on where it stopped, and a recipient enqueued in two messages is
sent once (the second finds the first's record).

The window: the function dies (not a timeout: out of memory, its host lost) after SES
accepted some of a message's emails and before their record was written; once its lease
runs out, the retry sends those emails again (at most one message's, 100).

An update's email is the one rendered when the update was released
(:mod:`mobilise.table.update_emails`): read once per warm function, with the update's status
and the account's pause in one request (:mod:`mobilise.delivery.first_reads`), it spares this
function the renderer, and the petition's and the update's reads; only an update without it
is rendered here.

A recipient who had an update email in the last 24 hours, from any petition, is not sent
this one now: it waits in their digest (``digested``, :mod:`mobilise.digests`).

Every recipient is on its own: one whose email cannot be built (an address SES cannot
take, such as a non-ASCII local part) or that SES refuses for good (MessageRejected,
MAIL FROM not verified, ...) is counted as failed, logged without its address, measured,
and the others go on; a request SES refuses whole, for good, is sent again one recipient
at a time. Throttling and 5xx (of the request or of one destination) record what was done
and fail the SQS record: it is retried from there.

Why SendBulkEmail: one request an email cost the function more CPU than all its other work
for that email (the HTTP exchange through botocore's session, its signature, the parsing of
SES's answer: 1.6 ms an email on the benchmark's machine, ``docs/performance.md``); one
request for up to 50 shares it. A refusal of the whole account's sending (AccountSendingPaused)
fails nobody: what was done is recorded, and the message is parked until an operator
resumes (:mod:`mobilise.delivery.pausing`), as are the messages of a paused update. The
update is ``sent`` when every recipient fan-out enqueued is counted
(:func:`mobilise.delivery.store.finish_delivery`).

Confirmation emails (one recipient each) keep Powertools Idempotency, keyed on
(kind, petition, request time, signer), as erasure finds them
(:mod:`mobilise.delivery.confirmations`); a person's digest is
:mod:`mobilise.digests.sending`. Each is imported with the first message of its kind.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from botocore.exceptions import ClientError

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.links import SignerRef, unsubscribe_url
from mobilise.core.observability import logger, metrics
from mobilise.delivery import alarms, first_reads, pausing, records, ses, stopping, store
from mobilise.delivery.messages import ConfirmationMessage, DeliveryMessage, DigestMessage
from mobilise.delivery.pacing import pacer
from mobilise.digests import admission
from mobilise.emails import bulk, rendered, rendering
from mobilise.table import items
from mobilise.table.models import Petition, Signature

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


class Outgoing(NamedTuple):
    to: str
    raw: bytes
    tags: dict[str, str]


def paced(send: dict[str, str], email: ses.Ready) -> dict[str, str]:
    """Send an email made ready once the pacer allows: sent, or rejected for good (a refusal
    that may pass raises :class:`~mobilise.delivery.ses.SesUnavailable`)."""
    pacer().wait()
    try:
        message_id = ses.send_ready(email)
    except ClientError as error:
        code = ses.permanent_refusal(error)  # SesUnavailable if it may pass
        logger.warning(
            "email refused by SES",
            code=code,
            kind=send["kind"],
            petition_id=send["petition_id"],
            subject_id=send["subject_id"],
        )
        return {"status": "rejected", "code": code}
    return {"status": "sent", "message_id": message_id}


@lru_cache(maxsize=64)
def _rendered(petition_id: str, update_id: str, language: str) -> rendered.Rendered:
    """The update's email in ``language``: as it was stored when the update was released
    (:mod:`mobilise.table.update_emails`), or, when there is none in that language, rendered
    here (this imports the renderer: Jinja2, Babel, css-inline)."""
    stored = first_reads.stored(petition_id, update_id)
    if stored is not None and language in stored.emails:
        return stored.emails[language]
    update = items.get_update(petition_id, update_id)
    return rendering.render_update(petition_of(petition_id), update, language)


def _default_language(petition_id: str, update_id: str) -> str:
    """The language of a signer who chose none: the petition's."""
    stored = first_reads.stored(petition_id, update_id)
    return stored.language if stored is not None else petition_of(petition_id).language


@lru_cache(maxsize=64)
def petition_of(petition_id: str) -> Petition:
    """The petition, read once per warm function (its language, title, and the rendering)."""
    return items.get_petition(petition_id)


def reset() -> None:
    """Forget rendered emails, petitions and the idempotency store (tests on a new moto)."""
    from mobilise.delivery import confirmations

    first_reads.reset()
    _rendered.cache_clear()
    petition_of.cache_clear()
    confirmations.reset()
    pacer.cache_clear()
    records.reset()
    pausing.reset()
    alarms.reset()


def deliver(
    message: DeliveryMessage | ConfirmationMessage | DigestMessage,
    context: LambdaContext | None = None,
) -> None:
    """One message of the delivery queue; ``context``, the invocation's, bounds how long a
    confirmation's send in progress is held (:mod:`mobilise.delivery.confirmations`)."""
    if isinstance(message, ConfirmationMessage):
        from mobilise.delivery import confirmations  # with the first confirmation

        confirmations.send(message, context)
    elif isinstance(message, DigestMessage):
        from mobilise.digests.sending import deliver_digest  # with the first digest

        deliver_digest(message)  # one person's digest
    else:
        _update(message)


def _update(message: DeliveryMessage) -> None:
    """Send to each recipient, shard by shard (fan-out's messages hold one shard's), each
    group under its record (:mod:`mobilise.delivery.records`); the update is ``sent`` when
    this was the last of its recipients."""
    first_reads.read(message.petition_id, message.update_id)  # status, pause, email: one request
    if store.halted(message.petition_id, message.update_id):
        return stopping.spare(message)
    if pausing.held(message):
        return None  # parked while its update or the account's sending is paused
    capped = get_settings().signer_daily_cap
    found = items.read_recipients(message.petition_id, message.recipients, persons=capped)
    admissions = admission.Message(message.petition_id, message.update_id, found.persons)
    try:
        for shard, hashes in records.by_shard(message.recipients).items():
            held = records.claim(message.petition_id, message.update_id, shard, hashes)
            if held is not None:
                _send_group(message, held, hashes, found, admissions)
    except ses.SendingPaused as refused:  # what was done is recorded; nobody failed
        return pausing.refused(message, refused.code)
    finally:
        admissions.end()  # the day of what it sent without windows counts from now
    if store.finish_delivery(message.petition_id, message.update_id):
        logger.info(
            "update delivered", petition_id=message.petition_id, update_id=message.update_id
        )


def _send_group(
    message: DeliveryMessage,
    held: records.Claim,
    hashes: list[str],
    found: items.Recipients,
    admissions: admission.Message,
) -> None:
    """Send to the recipients of one record that no invocation has dealt with, then record
    and count all of them, once. A refusal that may pass (or any other error) records what
    was done and fails the SQS record: its retry goes on from there."""
    outcomes: dict[str, str] = {}
    try:
        emails: dict[str, Addressed | None] = {}
        for email_hash in hashes:
            prefix = records.key(email_hash)
            if prefix in held.recorded:
                continue  # an earlier invocation of this message dealt with it
            if prefix in held.elsewhere:
                outcomes[prefix] = "skipped"  # another message did, or does (enqueued twice)
                continue
            signature = found.signatures.get(email_hash)
            if (
                signature is None
                or not signature.receives_updates
                or email_hash in found.suppressed
            ):
                outcomes[prefix] = "skipped"  # unsubscribed or suppressed since the fan-out
                continue
            if not admissions.admit(email_hash):
                outcomes[prefix] = "digested"  # they had an update email today: it waits
                continue
            emails[prefix] = _update_email(message, signature)
        _send_built(message, emails, outcomes)
    except Exception:
        records.progress(held, outcomes)  # and the SQS record fails: retried from here
        raise
    counts = Counter({**held.recorded, **outcomes}.values())
    if records.settle(held, outcomes, counts):
        metrics.add_metric(name="EmailsSent", unit="Count", value=counts["sent"])
        logger.info("delivery batch", update_id=message.update_id, **_counts(counts))


class Addressed(NamedTuple):
    """One recipient's email of an update: the update's email in their language, and them
    as a destination of it."""

    email: rendered.Rendered
    to: ses.Destination


def _send_built(
    message: DeliveryMessage, emails: dict[str, Addressed | None], outcomes: dict[str, str]
) -> None:
    """Send the emails built, one SendBulkEmail for each :func:`_at_once` recipients of a
    language, paced, writing each one's outcome in ``outcomes`` as it is known. One that
    could not be built fails; once the starter has stopped the update, the rest are spared."""
    by_email: dict[rendered.Rendered, list[tuple[str, ses.Destination]]] = {}
    for prefix, email in emails.items():
        if email is None:
            outcomes[prefix] = "failed"
        else:
            by_email.setdefault(email.email, []).append((prefix, email.to))
    at_once = _at_once() if by_email else 1  # no pace asked for none
    for one_email, waiting in by_email.items():
        for start in range(0, len(waiting), at_once):
            group = waiting[start : start + at_once]
            if store.halted(message.petition_id, message.update_id):
                outcomes.update((prefix, "spared") for prefix, _ in group)  # stopped meanwhile
            else:
                _sent_bulk(message, one_email, group, outcomes)


def _sent_bulk(
    message: DeliveryMessage,
    email: rendered.Rendered,
    group: list[tuple[str, ses.Destination]],
    outcomes: dict[str, str],
) -> None:
    """Send ``email`` to ``group`` in one request once the pacer allows, and write what
    became of each in ``outcomes``: sent, or failed (refused for good). A destination
    refused for a while (or the account's sending paused) raises
    :class:`~mobilise.delivery.ses.SesUnavailable` (or ``SendingPaused``) once the others'
    outcomes are written. A request SES refuses whole, for good, is sent again one
    recipient at a time, so that a recipient it cannot take fails alone."""
    pacer().wait(len(group))
    tags = {"petition_id": message.petition_id, "update_id": message.update_id}
    try:
        accepted = ses.send_bulk(
            bulk.template(email), bulk.default_data(), [to for _, to in group], tags
        )
    except ClientError as error:
        if len(group) > 1 and not ses.passing(error):
            for one in group:
                _sent_bulk(message, email, [one], outcomes)
            return
        _refused(message, ses.permanent_refusal(error))  # raises if it may pass
        outcomes[group[0][0]] = "failed"
        return
    passing: Exception | None = None
    for (prefix, _), answer in zip(group, accepted, strict=True):
        if answer.message_id is not None:
            outcomes[prefix] = "sent"
            continue
        try:
            _refused(message, ses.refusal(answer.code or "MessageRejected"))
            outcomes[prefix] = "failed"
        except ses.SendingPaused as paused:
            passing = paused  # the account's pause comes first: its messages park
        except ses.SesUnavailable as again:
            passing = passing if isinstance(passing, ses.SendingPaused) else again
    if passing is not None:
        raise passing  # those without an outcome are sent again, the others recorded


def _refused(message: DeliveryMessage, code: str) -> None:
    logger.warning(
        "email refused by SES",
        code=code,
        kind="update",
        petition_id=message.petition_id,
        subject_id=message.update_id,
    )


def _update_email(message: DeliveryMessage, signature: Signature) -> Addressed | None:
    """One recipient's email of an update; None if it cannot be built (it fails)."""
    petition_id, update_id = message.petition_id, message.update_id
    language = signature.language or _default_language(petition_id, update_id)
    email = _rendered(petition_id, update_id, language)
    signer = SignerRef(petition_id, signature.email_hash, update_id)
    links = recipient_links(signer, email)  # the signing key: a failure here is everyone's
    try:
        to = bulk.destination(signature.email)
        unsubscribe = bulk.unsubscribe_header(links.unsubscribe or "")
    except Exception as error:
        _not_built("update", signer, update_id, error)
        return None
    return Addressed(email, ses.Destination(to, bulk.data(email, links), unsubscribe))


def _at_once() -> int:
    """How many recipients one SendBulkEmail holds: a second's worth at this function's pace
    (SES limits a call's destinations by the account's sending rate), at most SES's 50."""
    return max(1, min(ses.MAX_BULK, int(1 / pacer().interval)))


def recipient_links(signer: SignerRef, email: rendered.Rendered) -> rendered.RecipientLinks:
    """One signer's links: unsubscribe, and only those the email has slots for (each is an
    HMAC, and HMACs cost CPU on every email)."""
    needs = email.needs
    return rendered.RecipientLinks(
        unsubscribe=unsubscribe_url(signer),
        respond=links.respond_url(signer) if "respond" in needs else None,
        rsvp=links.rsvp_url(signer) if "rsvp" in needs else None,
        signer=links.signer_token(signer) if "signer" in needs else None,
    )


def built(
    address: str, signer: SignerRef, email: rendered.Rendered, kind: str, subject_id: str
) -> bytes | None:
    """``email`` addressed to one signer; None if it cannot be built (logged and measured:
    that recipient fails, and the others go on)."""
    links = recipient_links(signer, email)  # the signing key: a failure here is everyone's
    try:
        return rendered.addressed(
            email, sender=get_settings().sender_address, to=address, links=links
        )
    except Exception as error:
        _not_built(kind, signer, subject_id, error)
        return None


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
    return {name: outcomes[name] for name in ("sent", "failed", "skipped", "digested")}
