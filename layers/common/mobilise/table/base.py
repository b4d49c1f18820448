"""The table's item and the indexes several kinds of items share (:mod:`.models`)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model


class _Item(Model):
    """An item of the single table; the table name is bound from the settings on first use."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ByEmailIndex(GlobalSecondaryIndex["_Item"]):  # type: ignore[no-untyped-call]
    """Every item that holds a trace of one address (export and erasure of personal data)."""

    class Meta:
        index_name = "by_email"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)


class _DueIndex(GlobalSecondaryIndex["_Item"]):  # type: ignore[no-untyped-call]
    """The sparse ``outbox`` index, seen from the items other than fan-out jobs."""

    class Meta:
        index_name = "outbox"
        projection = IncludeProjection(["petition_id", "update_id"])

    outbox_pk = UnicodeAttribute(hash_key=True)
    outbox_sk = UnicodeAttribute(range_key=True)


class PetitionDueIndex(_DueIndex):  # type: ignore[no-untyped-call]
    pass


class UpdateDueIndex(_DueIndex):  # type: ignore[no-untyped-call]
    pass
