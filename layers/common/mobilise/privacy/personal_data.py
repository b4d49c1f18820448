"""Personal data: export everything held about an email address, or erase it.

For operators only (the privacy function is invoked with IAM, never through the
public API). What is held about an address:

- its signatures, on every petition (found through the ``by_email`` index):
  the address, the name, the language, consent and its wording, confirmation
  and unsubscription times;
- a suppression entry if it bounced or complained: keyed by the keyed hash
  (HMAC) of the address, never the address;
- idempotency records of the emails sent to it: a hash of (update or
  confirmation request, address hash) and SES's message id, expiring after 14
  days; the times of its confirmation requests are kept on the signature, so
  that their records are found again;
- its responses to updates (testimonies, advice, contacts, with their press
  consent) and its answers to events (RSVPs), found through ``by_email``;
- the petitions it started, when the starter's identity gave a verified
  address (``Petition.owner_email``), found through ``by_email`` too;
- who clicked which button, only while ``per_person_clicks`` is on (``by_email``);
- the records of the event reminders sent to it, keyed by (update, address
  hash): found from its RSVPs, since only those who said yes get one;
- how many emails signing sent it in the current day (the cap on them), keyed by
  the address hash, expiring within a day;
- its daily window of update emails (what last took it, and when), the updates waiting in
  its digest (petition, update, when due) and how many petitions' updates it receives (and
  whether one ever waited in its digest), keyed by the address hash (mobilise.digests).

Erasure deletes the signatures (and takes them off each petition's counts), the
idempotency records, the responses (and the counters of how many the signer
gave), the RSVPs (each taken off its event's count in the same transaction) and
the records of their reminders, the per-person clicks, the counters of the
emails signing sent it, its daily window and the updates waiting in its digest.
A petition the address started stays, without the address. A suppression entry
is kept: it must survive, or the address would be written to again after
bouncing or complaining; it holds only the keyed hash, from which the address
cannot be read back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import boto3

from mobilise.core import aws, clock, crypto
from mobilise.core.config import get_settings
from mobilise.core.observability import logger
from mobilise.digests import store as digests
from mobilise.privacy import store
from mobilise.table.batch_reads import raw_items
from mobilise.table.models import (
    Clicker,
    JobRecord,
    Petition,
    Response,
    Rsvp,
    Signature,
    Suppression,
    Update,
    bound,
)


@dataclass(frozen=True)
class Held:
    """The items that hold a trace of one address, by kind (the ``by_email`` index), its
    suppression entry, and (for an export) the petitions it signed, by id."""

    signatures: list[Signature]
    responses: list[Response]
    rsvps: list[Rsvp]
    petitions: list[Petition]
    clickers: list[Clicker]
    suppression: Suppression | None
    signed: dict[str, Petition]


#: The kinds of item the ``by_email`` index finds, by the start of their sort key.
_KINDS: dict[str, type[Any]] = {
    "EMAIL#": Signature,
    "RSP#": Response,
    "RSVP#": Rsvp,
    "PETITION": Petition,
    "CLICKER#": Clicker,
}


def _held(email_hash: str, *, signed: bool = False) -> Held:
    """Every item of the address in one batch read (100 keys a request), whatever their
    number: with its suppression entry, and with ``signed`` the petitions of its signatures
    (their keys name them: ``SIG#{petition}#{shard}``), not one read each."""
    keys = store.by_email(email_hash)
    wanted = [*keys, Suppression.key(email_hash)]
    signed_ids = {pk.split("#")[1] for pk, sk in keys if sk.startswith("EMAIL#")}
    if signed:
        wanted += [Petition.key(petition_id) for petition_id in signed_ids]
    found: dict[str, list[Any]] = {prefix: [] for prefix in _KINDS}
    titles: dict[str, Petition] = {}
    suppression = None
    indexed = set(keys)
    for item in raw_items(wanted):
        key = (item["pk"]["S"], item["sk"]["S"])
        if key[0].startswith("SUP#"):
            suppression = Suppression.from_raw_data(item)
            continue
        prefix = next(prefix for prefix in _KINDS if key[1].startswith(prefix))
        model = _KINDS[prefix].from_raw_data(item)
        if key in indexed:
            found[prefix].append(model)
        if prefix == "PETITION" and model.petition_id in signed_ids:
            titles[model.petition_id] = model
    return Held(
        signatures=found["EMAIL#"],
        responses=found["RSP#"],
        rsvps=found["RSVP#"],
        petitions=found["PETITION"],
        clickers=found["CLICKER#"],
        suppression=suppression,
        signed=titles,
    )


def export(address: str) -> dict[str, Any]:
    """Everything held about ``address``, as JSON-ready data."""
    email_hash = crypto.email_hash(address)
    held = _held(email_hash, signed=True)
    signatures = []
    for signature in held.signatures:
        petition = held.signed.get(signature.petition_id)
        signatures.append(
            {
                "petition_id": signature.petition_id,
                "petition_title": petition.title if petition is not None else None,
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
    suppressed = held.suppression
    return {
        "email": crypto.normalise_email(address),
        "signatures": signatures,
        "responses": [
            {
                "petition_id": response.petition_id,
                "update_id": response.update_id,
                "kind": response.kind,
                "text": response.text,
                "name": response.name,
                "contact": response.contact,
                "press_consent": bool(response.press_consent),
                "created_at": _time(response.created_at),
            }
            for response in held.responses
        ],
        "rsvps": [
            {
                "petition_id": rsvp.petition_id,
                "update_id": rsvp.update_id,
                "answer": rsvp.answer,
                "answered_at": _time(rsvp.answered_at),
            }
            for rsvp in held.rsvps
        ],
        "petitions_started": [
            {
                "petition_id": petition.petition_id,
                "title": petition.title,
                "owner_email": petition.owner_email,
                "created_at": _time(petition.created_at),
            }
            for petition in held.petitions
        ],
        "clicks": [
            {
                "petition_id": clicker.petition_id,
                "update_id": clicker.update_id,
                "action": clicker.action,
                "clicks": int(clicker.clicks),
                "last_clicked_at": _time(clicker.last_clicked_at),
            }
            for clicker in held.clickers
        ],
        "suppression": None
        if suppressed is None
        else {"reason": suppressed.reason, "since": clock.isoformat(suppressed.suppressed_at)},
        "digest": _digest(email_hash),
        "exported_at": clock.isoformat(clock.now()),
    }


def erase(address: str) -> dict[str, Any]:
    """Delete what is held about ``address``; returns what was done."""
    email_hash = crypto.email_hash(address)
    held = _held(email_hash)
    signatures = held.signatures
    records = 0
    for signature in signatures:
        records += _erase_idempotency(signature, email_hash)
        store.erase_signature(signature)
    for response in held.responses:
        store.erase_response(response)
    for rsvp in held.rsvps:
        store.erase_rsvp(rsvp)
        _erase_reminder_record(rsvp.update_id, email_hash)
    for clicker in held.clickers:
        clicker.delete()
    for petition in held.petitions:
        store.forget_owner_email(petition.petition_id)
    store.forget_email_windows(email_hash)
    waiting = digests.forget_person(email_hash)
    logger.info(
        "personal data erased",
        signatures=len(signatures),
        idempotency_records=records,
        responses=len(held.responses),
        rsvps=len(held.rsvps),
        petitions_started=len(held.petitions),
    )
    return {
        "signatures_erased": len(signatures),
        "idempotency_records_erased": records,
        "responses_erased": len(held.responses),
        "rsvps_erased": len(held.rsvps),
        "petitions_started_kept_without_address": len(held.petitions),
        "clicks_erased": len(held.clickers),
        "digest_entries_erased": waiting,
        "suppression_kept": held.suppression is not None,
    }


def _digest(email_hash: str) -> dict[str, Any]:
    """The person's daily window, the updates waiting in their digest, and their count of
    petitions followed."""
    found = digests.person_items(email_hash)
    window, follows = found.window, found.follows
    return {
        "window_taken_at": _time(window.taken_at) if window is not None else None,
        "petitions_followed": None if follows is None else int(follows.petitions),
        "ever_waited": bool(follows is not None and follows.waited),
        "waiting": [
            {
                "petition_id": entry.petition_id,
                "update_id": entry.update_id,
                "due_at": _time(entry.due_at),
            }
            for entry in found.entries
        ],
    }


def idempotency_id(kind: str, petition_id: str, subject_id: str, email_hash: str) -> str:
    """The id Powertools gives the record of one send (see
    :data:`mobilise.delivery.confirmations.IDEMPOTENCY`)."""
    # Imported by the erasures that need it: an export has no use for the sending machinery.
    from mobilise.delivery.confirmations import IDEMPOTENCY_PREFIX

    data = json.dumps([kind, petition_id, subject_id, email_hash], sort_keys=True)
    digest = hashlib.md5(data.encode(), usedforsecurity=False).hexdigest()
    return f"{IDEMPOTENCY_PREFIX}#{digest}"


def _erase_idempotency(signature: Signature, email_hash: str) -> int:
    """Delete the records of the updates and confirmation emails sent to this signer on
    this petition (deleting a record that was never written is harmless)."""
    bound()
    petition_id = signature.petition_id
    dynamodb = aws.made(lambda: boto3.resource("dynamodb"))
    table = dynamodb.Table(get_settings().idempotency_table_name)
    ids = [
        idempotency_id("update", petition_id, update.update_id, email_hash)
        for update in Update.query(f"PET#{petition_id}", Update.sk.startswith("UPD#"))
    ]
    ids += [
        idempotency_id("confirm", petition_id, requested_at, email_hash)
        for requested_at in sorted(signature.confirmations_requested or ())
    ]
    with table.batch_writer() as batch:
        for record_id in ids:
            batch.delete_item(Key={"id": record_id})
    return len(ids)


def _erase_reminder_record(update_id: str, email_hash: str) -> None:
    """The record of an event reminder sent to this address (see mobilise.reminders.jobs)."""
    from mobilise.reminders.events import EVENT_JOB  # as IDEMPOTENCY_PREFIX above

    bound()
    JobRecord(*JobRecord.key(EVENT_JOB, update_id, email_hash)).delete()


def _time(moment: Any) -> str | None:
    return clock.isoformat(moment) if moment is not None else None
