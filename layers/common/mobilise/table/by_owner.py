"""The sparse ``by_owner`` index: a starter's petitions, newest first.

Only petitions carry ``owner_id``, so only they are in it. It projects what the starter's
list shows and nothing a signature writes: signing costs no write to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

if TYPE_CHECKING:
    from mobilise.table.models import Petition  # noqa: F401  (named in a string below)


class ByOwnerIndex(GlobalSecondaryIndex["Petition"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_owner"
        projection = IncludeProjection(
            ["petition_id", "title", "language", "status", "last_update_at"]
        )

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)
