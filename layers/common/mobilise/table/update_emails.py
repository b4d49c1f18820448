"""An update's email as it was rendered when the update was released, in every language.

Key: ``PET#{petition_id}`` / ``MAIL#{update_id}``.

:func:`mobilise.publishing.releasing.release` renders the update in each language of
:data:`mobilise.i18n.LANGUAGES` and stores it here in the transaction that publishes it,
whatever releases it (the API, the scheduled function, moderation): a release refused
stores nothing. The deliver function reads this one item once per warm function and update
(with the update's status and the account's pause: :mod:`mobilise.delivery.first_reads`)
and sends from it: it loads no template engine, and reads neither the petition nor the
update, for an update's email (issue 14). The email stays the one released: correcting a
released update corrects its page, never its email (``docs/api.md``).

The parts are stored compressed (zlib): an update's body takes 20,000 characters, an
email's HTML and text parts hold it twice, and there are two languages: 1.6 KB stored for
a short update, 15 KB for 20,000 characters of prose (93 KB of parts). The deliver function
renders the email itself, as it always did (:func:`mobilise.delivery.sending._rendered`),
for an update released before this item existed, one whose item expired (``expires_at``:
``EMAIL_DAYS`` after its release, for a delivery parked longer by a pause), or one whose
emails would not fit in an item (:data:`MAX_STORED`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from pynamodb.attributes import BinaryAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.emails.rendered import Rendered
from mobilise.table.base import _Item
from mobilise.table.models import bound

EMAIL_DAYS = 30
#: The most bytes of compressed parts stored: an item takes 400 KB, its names included.
MAX_STORED = 350_000


class UpdateEmailsItem(_Item):
    language = UnicodeAttribute()  # the petition's: the email of a signer who chose none
    emails = BinaryAttribute(legacy_encoding=False)  # zlib(JSON {language: parts})
    expires_at = TTLAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"MAIL#{update_id}"

    def write(self, transaction: TransactWrite) -> None:
        """Add the item to ``transaction`` as an update, so that it comes last: PynamoDB sends
        a transaction's puts before its updates, and the callers find which write's condition
        failed by its place, which an added put would move."""
        transaction.update(
            self,
            actions=[
                UpdateEmailsItem.language.set(self.language),
                UpdateEmailsItem.emails.set(self.emails),
                UpdateEmailsItem.expires_at.set(self.expires_at),
            ],
        )


@dataclass(frozen=True)
class UpdateEmails:
    """The update's email in each language it was rendered in, and the petition's language."""

    language: str
    emails: Mapping[str, Rendered]


def item(petition_id: str, update_id: str, stored: UpdateEmails) -> UpdateEmailsItem | None:
    """The item that stores the update's emails, written in the transaction that publishes
    it (:mod:`mobilise.publishing.store`); None when they would not fit in an item."""
    parts = {
        language: {**asdict(email), "needs": sorted(email.needs)}
        for language, email in stored.emails.items()
    }
    packed = zlib.compress(json.dumps(parts).encode())  # ASCII: any str, surrogates too
    if len(packed) > MAX_STORED:
        return None
    bound()
    return UpdateEmailsItem(
        *UpdateEmailsItem.key(petition_id, update_id),
        language=stored.language,
        emails=packed,
        expires_at=clock.now() + timedelta(days=EMAIL_DAYS),
    )


def load(petition_id: str, update_id: str) -> UpdateEmails | None:
    """The update's stored emails; None if there are none (see the module's docstring)."""
    bound()
    try:
        item = UpdateEmailsItem.get(*UpdateEmailsItem.key(petition_id, update_id))
    except UpdateEmailsItem.DoesNotExist:
        return None
    return _read(item.language, item.emails)


#: The attributes :func:`from_raw` reads, besides the keys.
ATTRIBUTES = ["language", "emails"]


def from_raw(item: Mapping[str, Any]) -> UpdateEmails:
    """The stored emails of an item read raw (by a batch of reads of several kinds)."""
    return _read(item["language"]["S"], item["emails"]["B"])


def _read(language: str, packed: bytes) -> UpdateEmails:
    parts = json.loads(zlib.decompress(packed))
    emails = {
        name: Rendered(**{**fields, "needs": frozenset(fields["needs"])})
        for name, fields in parts.items()
    }
    return UpdateEmails(language=language, emails=emails)
