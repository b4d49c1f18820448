"""The email that follows a signature, sent once per (petition, request time, signer) with
Powertools Idempotency, keyed as erasure finds its records (mobilise.privacy.personal_data).

The deliver function imports this module with the first confirmation it sends: Powertools'
idempotency utility, and the JMESPath it reads keys with, are no business of the updates'
and digests' messages, nor of their cold starts (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.core.links import SignerRef, confirm_url
from mobilise.core.observability import logger
from mobilise.delivery import pausing, ses, store
from mobilise.delivery.messages import ConfirmationMessage
from mobilise.delivery.sending import Outgoing, built, paced, petition_of
from mobilise.emails import rendering
from mobilise.table import items

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

#: Confirmation records: ``{IDEMPOTENCY_PREFIX}#{md5 of [kind, petition, subject, hash]}``:
#: a stable name, so that erasing an address can find its records (mobilise.privacy.personal_data).
IDEMPOTENCY_PREFIX = "mobilise-send"
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[kind, petition_id, subject_id, email_hash]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=14 * 24 * 3600,
)


def _send(send: dict[str, str], email: Outgoing) -> dict[str, str]:
    """Send one email (called at most once per identity by the idempotency wrapper). What it
    returns is stored with the identity: a retry reads it instead of sending again."""
    return paced(send, ses.ready(email.to, email.raw, email.tags))


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


def reset() -> None:
    """Forget the idempotency store (tests on a new moto)."""
    _send_once.cache_clear()


def send(message: ConfirmationMessage, context: LambdaContext | None) -> None:
    """The confirmation (unless confirmed meanwhile); to an address that signed again, the
    confirmation again if it is unconfirmed, or the note that its confirmed signature stands.
    Its idempotency key is ("confirm", petition, ``requested_at``, signer) for each, as
    erasure finds it; ``context``, the invocation's, bounds how long a send in progress is
    held by its record (its remaining time). While SES has paused the account's sending, it
    goes round the queue until a resume."""
    if pausing.account_paused():
        return pausing.wait_out(message)
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
    petition = petition_of(message.petition_id)
    title = petition.title
    signer = SignerRef(message.petition_id, message.email_hash)
    language = signature.language or petition.language
    rendered = (
        rendering.render_already_signed(petition_title=title, language=language)
        if stands
        else rendering.render_confirmation(
            petition_title=title, confirm_url=confirm_url(signer), language=language
        )
    )
    raw = built(signature.email, signer, rendered, "confirm", message.requested_at)
    if raw is None:
        return
    if context is not None:
        IDEMPOTENCY.register_lambda_context(context)
    try:
        _send_once()(
            send={
                "kind": "confirm",
                "petition_id": message.petition_id,
                "subject_id": message.requested_at,
                "email_hash": message.email_hash,
            },
            email=Outgoing(signature.email, raw, {"petition_id": message.petition_id}),
        )
    except ses.SendingPaused as refused:  # its idempotency record is gone: sent once, later
        pausing.account_refused(refused.code)
        pausing.wait_out(message)
