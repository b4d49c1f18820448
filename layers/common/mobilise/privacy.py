"""Personal data: export everything held about an email address, or erase it.

For operators only (the privacy function is invoked with IAM, never through the
public API). What is held about an address:

- its signatures, on every petition (found through the ``by_email`` index):
  the address, the name, the language, consent and its wording, confirmation
  and unsubscription times;
- a suppression entry if it bounced or complained: keyed by the keyed hash
  (HMAC) of the address, never the address;
- idempotency records of the emails sent to it: a hash of (update, address
  hash) and SES's message id, expiring after 14 days.

Erasure deletes the signatures (and takes them off each petition's count) and
the idempotency records. A suppression entry is kept: it must survive, or the
address would be written to again after bouncing or complaining; it holds only
the keyed hash, from which the address cannot be read back.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
from pynamodb.transactions import TransactWrite

from mobilise import clock, crypto, store
from mobilise.config import get_settings
from mobilise.delivery import IDEMPOTENCY_PREFIX
from mobilise.models import Petition, Signature, Suppression, Update, bound, connection
from mobilise.observability import logger


def _signatures(email_hash: str) -> list[Signature]:
    bound()
    keys = [
        (item.pk, item.sk)
        for item in Signature.by_email.query(email_hash)
        if item.sk.startswith("EMAIL#")  # the index holds petitions, responses, RSVPs too
    ]
    return list(Signature.batch_get(keys)) if keys else []


def export(address: str) -> dict[str, Any]:
    """Everything held about ``address``, as JSON-ready data."""
    email_hash = crypto.email_hash(address)
    signatures = []
    for signature in _signatures(email_hash):
        petition = store.get_petition(signature.petition_id)
        signatures.append(
            {
                "petition_id": signature.petition_id,
                "petition_title": petition.title,
                "email": signature.email,
                "name": signature.name,
                "language": signature.language,
                "wants_updates": signature.wants_updates,
                "consent_at": _time(signature.consent_at),
                "consent_version": signature.consent_version,
                "confirmed_at": _time(signature.confirmed_at),
                "unsubscribed_at": _time(signature.unsubscribed_at),
                "signed_at": _time(signature.created_at),
            }
        )
    suppressed = _suppression(email_hash)
    return {
        "email": crypto.normalise_email(address),
        "signatures": signatures,
        "suppression": suppressed,
        "exported_at": clock.isoformat(clock.now()),
    }


def erase(address: str) -> dict[str, Any]:
    """Delete what is held about ``address``; returns what was done."""
    email_hash = crypto.email_hash(address)
    signatures = _signatures(email_hash)
    records = 0
    for signature in signatures:
        records += _erase_idempotency(signature.petition_id, email_hash)
        with TransactWrite(connection=connection()) as transaction:
            transaction.delete(signature, condition=Signature.pk.exists())
            transaction.update(
                Petition(*Petition.key(signature.petition_id)),
                actions=[Petition.signer_count.add(-1)],
                condition=Petition.pk.exists(),
            )
    logger.info("personal data erased", signatures=len(signatures), idempotency_records=records)
    return {
        "signatures_erased": len(signatures),
        "idempotency_records_erased": records,
        "suppression_kept": _suppression(email_hash) is not None,
    }


def _suppression(email_hash: str) -> dict[str, str] | None:
    try:
        entry = Suppression.get(*Suppression.key(email_hash))
    except Suppression.DoesNotExist:
        return None
    return {"reason": entry.reason, "since": clock.isoformat(entry.suppressed_at)}


def idempotency_id(kind: str, petition_id: str, subject_id: str, email_hash: str) -> str:
    """The id Powertools gives the record of one send (see delivery.IDEMPOTENCY)."""
    data = json.dumps([kind, petition_id, subject_id, email_hash], sort_keys=True)
    digest = hashlib.md5(data.encode(), usedforsecurity=False).hexdigest()
    return f"{IDEMPOTENCY_PREFIX}#{digest}"


def _erase_idempotency(petition_id: str, email_hash: str) -> int:
    """Delete the records of the updates sent to this signer on this petition."""
    bound()
    table = boto3.resource("dynamodb").Table(get_settings().idempotency_table_name)
    erased = 0
    with table.batch_writer() as batch:
        for update in Update.query(f"PET#{petition_id}", Update.sk.startswith("UPD#")):
            batch.delete_item(
                Key={"id": idempotency_id("update", petition_id, update.update_id, email_hash)}
            )
            erased += 1
    return erased


def _time(moment: Any) -> str | None:
    return clock.isoformat(moment) if moment is not None else None
