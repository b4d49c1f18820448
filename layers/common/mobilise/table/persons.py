"""A person's items: a person is their address's hash, whatever petitions they signed.

Keys (beside those of :mod:`mobilise.table.models`)::

    daily window  PERSON#{email_hash}   WINDOW
    digest entry  PERSON#{email_hash}   DIGEST#{update_id}     (+ sparse index "outbox")
    follows       PERSON#{email_hash}   FOLLOWS
    emailing      PET#{petition_id}     EMAILING

The window is taken by the update email or the digest a person was last sent (at most one a
day, :mod:`mobilise.digests`); an update that finds it taken waits in a digest entry until it
reopens, found then through the ``outbox`` index under ``DIGEST``. Every item of a person is
in one partition, found again from the address alone: erasure and export read it whole.

Someone who receives one petition's updates only needs no window of their own while no other
update of that petition has been emailing in the last day (:mod:`mobilise.digests.alone`):
``FOLLOWS`` counts the petitions whose updates a person receives, moved in the transaction of
each signature change that moves it, and a petition's ``EMAILING`` says which of its updates
is being sent, and when a message of it last began.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from mobilise.table.base import _DueIndex, _Item

#: The ``outbox`` kind of the digest entries.
DIGEST = "DIGEST"


def person_partition(email_hash: str) -> str:
    return f"PERSON#{email_hash}"


class DigestDueIndex(_DueIndex):  # type: ignore[no-untyped-call]
    pass


class Window(_Item):
    """What last took a person's day: an update (``UPD#{update_id}``) or their digest
    (``DIGEST``, leased while it is being sent), and when."""

    holder = UnicodeAttribute()
    taken_at = UTCDateTimeAttribute()
    lease = UnicodeAttribute(null=True)  # the invocation sending the digest
    lease_until = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()  # past its day a window is as good as none: TTL clears it

    @staticmethod
    def key(email_hash: str) -> tuple[str, str]:
        return person_partition(email_hash), "WINDOW"


class DigestEntry(_Item):
    """An update waiting in a person's digest until ``due_at`` (their window reopens).
    ``outbox_sk`` is when it is next listed: its due time, then a little later each time the
    schedule has queued its digest (a lost message is queued again)."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    outbox_pk = UnicodeAttribute(null=True)
    outbox_sk = UnicodeAttribute(null=True)
    due = DigestDueIndex()
    expires_at = TTLAttribute()  # never sent (its update long gone): not kept for ever

    @staticmethod
    def key(email_hash: str, update_id: str) -> tuple[str, str]:
        return person_partition(email_hash), f"DIGEST#{update_id}"

    @property
    def email_hash(self) -> str:
        return self.pk.removeprefix("PERSON#")


class Follows(_Item):
    """How many petitions' updates the person receives: their signatures confirmed, wanting
    updates, neither unsubscribed nor suppressed (:func:`mobilise.table.counters.moves`). It
    may count too many (a signature gone by its expiry), never too few."""

    petitions = NumberAttribute(default=0)
    # An update waited in their digest once: they take their window from then on (a digest
    # due and an email without a window could otherwise go the same day).
    waited = BooleanAttribute(null=True)

    @staticmethod
    def key(email_hash: str) -> tuple[str, str]:
        return person_partition(email_hash), "FOLLOWS"


class Emailing(_Item):
    """The petition's update being sent (the last to have begun), and when a delivery message
    of it last began: its emails go within the deliver function's timeout after that."""

    update_id = UnicodeAttribute()
    last_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()

    @staticmethod
    def key(petition_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", "EMAILING"


def reset() -> None:
    """Forget the models' connections (tests on a new moto or DynamoDB Local)."""
    for model in (Window, DigestEntry, Follows, Emailing):
        model._connection = None
