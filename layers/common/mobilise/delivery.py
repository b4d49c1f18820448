"""Delivery: one raw MIME email per recipient through SESv2.

A recipient is checked again at send time: a signer who unsubscribed after the
fan-out hears nothing more.
"""

from __future__ import annotations

from functools import lru_cache

from mobilise import aws, emails, store
from mobilise.config import get_settings
from mobilise.links import SignerRef, unsubscribe_url
from mobilise.messages import DeliveryMessage
from mobilise.observability import logger, metrics
from mobilise.store import Signature


@lru_cache(maxsize=64)
def _rendered(petition_id: str, update_id: str, language: str) -> emails.Rendered:
    petition = store.get_petition(petition_id)
    update = store.get_update(petition_id, update_id)
    return emails.render_update(
        petition_title=petition.title,
        title=update.title,
        body=update.body,
        link=update.link,
        language=language,
    )


@lru_cache(maxsize=64)
def _petition_language(petition_id: str) -> str:
    return store.get_petition(petition_id).language


def deliver(message: DeliveryMessage) -> None:
    keys = [Signature.key(message.petition_id, email_hash) for email_hash in message.recipients]
    sent = 0
    for signature in store.get_signatures(keys):
        if not signature.receives_updates:
            continue
        _send(message, signature)
        sent += 1
    metrics.add_metric(name="EmailsSent", unit="Count", value=sent)
    logger.info("delivery batch sent", update_id=message.update_id, sent=sent)


def _send(message: DeliveryMessage, signature: Signature) -> None:
    settings = get_settings()
    language = signature.language or _petition_language(message.petition_id)
    rendered = _rendered(message.petition_id, message.update_id, language)
    raw = emails.addressed(
        rendered,
        sender=settings.sender_address,
        to=signature.email,
        to_name=signature.name,
        unsubscribe_url=unsubscribe_url(SignerRef(message.petition_id, signature.email_hash)),
    )
    aws.sesv2().send_email(
        FromEmailAddress=settings.sender_address,
        Destination={"ToAddresses": [signature.email]},
        Content={"Raw": {"Data": raw}},
        ConfigurationSetName=settings.ses_configuration_set,
        EmailTags=[
            {"Name": "petition_id", "Value": message.petition_id},
            {"Name": "update_id", "Value": message.update_id},
        ],
    )


def reset() -> None:
    """Forget rendered emails and petition languages (tests that start a new moto)."""
    _rendered.cache_clear()
    _petition_language.cache_clear()
