"""The table's item and the indexes several kinds of items share (:mod:`.models`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from mobilise.core import aws


@cache
def shared_connection() -> Connection:
    """The one PynamoDB connection whose botocore client every model and transaction uses."""
    return Connection()


def shared_client() -> Any:
    """That connection's botocore client, made (on first use, or again if PynamoDB finds it
    has no credentials) under :func:`mobilise.core.aws.made`'s lock."""
    return aws.made(lambda: shared_connection().client)


class _Item(Model):
    """An item of the single table; the table name is bound from the settings on first use."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's connection of this model, on the table's one botocore client. PynamoDB
        makes a connection per model, each with a client of its own: some 10 ms of a first
        event per model it reads, and on AWS a pool of HTTPS connections each, every one a
        TLS handshake. A model's connection keeps its own schema (its indexes); only the
        client, which is thread-safe and holds no per-model state, is shared."""
        table: TableConnection = super()._get_connection()
        table.connection._client = shared_client()
        return table


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
