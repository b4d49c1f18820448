"""A petition's page as it was last rendered, in one language, with the digest of what it was
rendered from (:mod:`mobilise.petitions.stored_page`).

Key: ``PAGE#{petition_id}`` / ``{language}``: a partition of its own, so that no query of
the petition's partition (``PET#``) meets it. The HTML is stored compressed (zlib: a page
of a petition of 5,000 characters and three updates is some 4 KB stored; at most, 20,000
characters of description and as many of answer, well under the 400 KB of an item) and expires
``PAGE_DAYS`` after it was stored: a page nobody asked for since is rendered again.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from pynamodb.attributes import BinaryAttribute, TTLAttribute, UnicodeAttribute

from mobilise.core import clock
from mobilise.table.base import _Item
from mobilise.table.models import bound

PAGE_DAYS = 30


class StoredPage(_Item):
    digest = UnicodeAttribute()  # of everything the page was rendered from
    html = BinaryAttribute(legacy_encoding=False)  # zlib(UTF-8)
    expires_at = TTLAttribute()

    @staticmethod
    def key(petition_id: str, language: str) -> tuple[str, str]:
        return f"PAGE#{petition_id}", language


def stored(petition_id: str, language: str, digest: str) -> str | None:
    """The page stored for ``digest``, or None (none stored, or stored from other items)."""
    bound()
    try:
        item = StoredPage.get(*StoredPage.key(petition_id, language))
    except StoredPage.DoesNotExist:
        return None
    if item.digest != digest:
        return None
    return zlib.decompress(item.html).decode()


def store(petition_id: str, language: str, digest: str, html: str) -> None:
    """Keep ``html`` as the page of ``digest``, in place of the one stored before."""
    bound()
    StoredPage(
        *StoredPage.key(petition_id, language),
        digest=digest,
        html=zlib.compress(html.encode()),
        expires_at=clock.now() + timedelta(days=PAGE_DAYS),
    ).save()
