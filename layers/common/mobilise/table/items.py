"""Reading the table's items by key, for every capability: a petition, an update, a
signature, a fan-out job, the recipients of a batch, the suppressed addresses; and the
fan-out job an update is published with (by publishing, and by a decision-maker's answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidLink, NotFound
from mobilise.digests import alone
from mobilise.table.batch_reads import raw_items
from mobilise.table.models import (
    OUTBOX,
    FanoutJob,
    Petition,
    Rsvp,
    Signature,
    Suppression,
    Update,
    bound,
)


def get_petition(petition_id: str) -> Petition:
    bound()
    try:
        return Petition.get(*Petition.key(petition_id))
    except Petition.DoesNotExist:
        raise NotFound("There is no petition with this id.") from None


def get_signature(petition_id: str, email_hash: str) -> Signature:
    bound()
    try:
        return Signature.get(*Signature.key(petition_id, email_hash))
    except Signature.DoesNotExist:
        raise NotFound("There is no such signature.") from None


#: What sending reads of a recipient's signature: its address, language and whether it still
#: receives updates (:attr:`Signature.receives_updates`), nothing else.
RECIPIENT_ATTRIBUTES = (
    "sk",
    "email",
    "language",
    "wants_updates",
    "confirmed_at",
    "unsubscribed_at",
)


class Recipients(NamedTuple):
    """A delivery message's recipients as sending reads them: their signatures, which are
    suppressed, and (when the daily cap asks) their count of petitions and window."""

    signatures: dict[str, Signature]
    suppressed: set[str]
    persons: dict[str, alone.Person]


def recipients(petition_id: str, email_hashes: list[str]) -> tuple[dict[str, Signature], set[str]]:
    """The signatures of these hashes, as far as sending reads them, and which of them are
    suppressed (:func:`read_recipients`)."""
    found = read_recipients(petition_id, email_hashes, persons=False)
    return found.signatures, found.suppressed


def read_recipients(petition_id: str, email_hashes: list[str], *, persons: bool) -> Recipients:
    """The signatures of these hashes, as far as sending reads them, which of them are
    suppressed and, with ``persons``, what the daily cap reads of each person
    (:mod:`mobilise.digests.alone`), all read together (they live in the same table):
    BatchGetItem takes 100 keys, so one request for a message of 50 and two for a full
    message of 100 (two and four with ``persons``). Only :data:`RECIPIENT_ATTRIBUTES` are
    read: DynamoDB bills the whole item all the same, but the deliver function parses fewer
    bytes (its CPU, per email)."""
    bound()
    hashes = list(dict.fromkeys(email_hashes))  # a request naming a key twice is refused
    keys = [Signature.key(petition_id, email_hash) for email_hash in hashes]
    keys += [Suppression.key(email_hash) for email_hash in hashes]
    attributes = ["pk", *RECIPIENT_ATTRIBUTES]
    if persons:
        keys += alone.keys(hashes)
        attributes += alone.ATTRIBUTES
    signatures: dict[str, Signature] = {}
    entries: set[str] = set()
    person_items: list[dict[str, Any]] = []
    for item in raw_items(keys, attributes):
        partition = item["pk"]["S"]
        if partition.startswith("SUP#"):
            entries.add(partition.removeprefix("SUP#"))
        elif partition.startswith("PERSON#"):
            person_items.append(item)
        else:
            signature = Signature.from_raw_data(item)
            signatures[signature.email_hash] = signature
    found = alone.persons(person_items, hashes) if persons else {}
    return Recipients(signatures, entries & signatures.keys(), found)


def suppressed(email_hashes: list[str]) -> set[str]:
    """Which of these addresses are on the global suppression list."""
    found = raw_items([Suppression.key(email_hash) for email_hash in email_hashes], ["pk"])
    return {item["pk"]["S"].removeprefix("SUP#") for item in found}


def suppression(email_hash: str) -> Suppression | None:
    """The address's entry on the suppression list, if it is on it."""
    bound()
    try:
        return Suppression.get(*Suppression.key(email_hash))
    except Suppression.DoesNotExist:
        return None


def get_update(petition_id: str, update_id: str) -> Update:
    bound()
    try:
        return Update.get(*Update.key(petition_id, update_id))
    except Update.DoesNotExist:
        raise NotFound("There is no update with this id on this petition.") from None


def get_job(petition_id: str, update_id: str) -> FanoutJob:
    bound()
    try:
        return FanoutJob.get(*FanoutJob.key(petition_id, update_id))
    except FanoutJob.DoesNotExist:
        raise NotFound("There is no delivery for this update.") from None


def get_rsvp(petition_id: str, update_id: str, email_hash: str) -> Rsvp | None:
    bound()
    try:
        return Rsvp.get(*Rsvp.key(petition_id, update_id, email_hash), consistent_read=True)
    except Rsvp.DoesNotExist:
        return None


def linked(petition_id: str, email_hash: str, update_id: str) -> tuple[Signature, Petition, Update]:
    """The signature, petition and update an emailed link names; :class:`InvalidLink` when
    any of them is gone (the link then leads nowhere, as a tampered one does)."""
    try:
        return (
            get_signature(petition_id, email_hash),
            get_petition(petition_id),
            get_update(petition_id, update_id),
        )
    except NotFound:
        raise InvalidLink() from None


def linked_signature(petition_id: str, email_hash: str) -> Signature:
    """The signature a link names; :class:`InvalidLink` when it is gone (erased), as for a
    tampered link."""
    try:
        return get_signature(petition_id, email_hash)
    except NotFound:
        raise InvalidLink() from None


def fanout_job(petition_id: str, update_id: str, now: datetime) -> FanoutJob:
    """An update's fan-out job, due now (the sweeper sends it again if the queue never hears)."""
    return FanoutJob(
        *FanoutJob.key(petition_id, update_id),
        update_id=update_id,
        petition_id=petition_id,
        shards=get_settings().signature_shards,
        created_at=now,
        outbox_pk=OUTBOX,
        outbox_sk=now.isoformat(),
    )
