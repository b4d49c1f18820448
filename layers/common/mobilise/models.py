"""The items of the single DynamoDB table, as PynamoDB models.

Keys (``pk``/``sk`` strings)::

    petition      PET#{petition_id}              PETITION
    update        PET#{petition_id}              UPD#{update_id}       (ULID: sorts by time)
    fan-out job   PET#{petition_id}              JOB#{update_id}       (+ sparse index "outbox")
    fan-out page  FAN#{update_id}                {shard:03d}#{cursor digest}
    signature     SIG#{petition_id}#{shard:03d}  EMAIL#{email_hash}
    suppression   SUP#{email_hash}               SUPPRESSION
    rate window   RATE#{scope}                   {seconds}#{window start}

A petition's signatures are spread over ``signature_shards`` partitions; the
shard is derived from the email hash, so a signature is found again from its
address alone. The shard count must not change once a deployment has signatures.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from mobilise import clock
from mobilise.config import get_settings

UPDATE_INTERVAL = timedelta(hours=24)
OUTBOX = "OUTBOX"


class _Item(Model):
    """An item of the single table; the table name is bound from the settings on first use."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Petition(_Item):
    petition_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    language = UnicodeAttribute()
    decision_maker = JSONAttribute()
    status = UnicodeAttribute(default="open")
    signer_count = NumberAttribute(default=0)
    last_update_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", "PETITION"

    @property
    def next_update_allowed_at(self) -> datetime | None:
        """When the 24-hour window reopens, or ``None`` when it is open now."""
        last: datetime | None = self.last_update_at
        if last is None:
            return None
        reopens = last + UPDATE_INTERVAL
        return reopens if reopens > clock.now() else None


STAT_NAMES = ("sent", "failed", "bounced", "complained", "unsubscribed")


class Update(_Item):
    update_id = UnicodeAttribute()
    petition_id = UnicodeAttribute()
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    fields = JSONAttribute(default=dict)  # the type-specific fields of the typology
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    # Delivery statistics: counters, one write per delivery batch (never per email).
    recipients = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    bounced = NumberAttribute(null=True)
    complained = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"UPD#{update_id}"


class OutboxIndex(GlobalSecondaryIndex["FanoutJob"]):  # type: ignore[no-untyped-call]
    """Sparse: only jobs not yet picked up by fan-out carry its keys."""

    class Meta:
        index_name = "outbox"
        projection = IncludeProjection(["petition_id", "update_id"])

    outbox_pk = UnicodeAttribute(hash_key=True)
    outbox_sk = UnicodeAttribute(range_key=True)  # when it was last sent to the queue


class FanoutJob(_Item):
    """The outbox: written in the publish transaction, sent to the publish queue after it."""

    update_id = UnicodeAttribute()
    petition_id = UnicodeAttribute()
    state = UnicodeAttribute(default="queued")  # queued -> sending -> sent
    shards = NumberAttribute()
    shards_done = NumberSetAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    outbox_pk = UnicodeAttribute(null=True)
    outbox_sk = UnicodeAttribute(null=True)
    outbox = OutboxIndex()

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"JOB#{update_id}"


class FanoutPage(_Item):
    """A page of a shard that fan-out has enqueued: running a job twice enqueues it once."""

    recipients = NumberAttribute()
    expires_at = TTLAttribute()

    @staticmethod
    def key(update_id: str, shard: int, cursor_digest: str) -> tuple[str, str]:
        return f"FAN#{update_id}", f"{shard:03d}#{cursor_digest}"


class ByEmailIndex(GlobalSecondaryIndex["Signature"]):  # type: ignore[no-untyped-call]
    """Every signature of one address (export and erasure of personal data)."""

    class Meta:
        index_name = "by_email"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)


class Signature(_Item):
    petition_id = UnicodeAttribute()
    email_key = UnicodeAttribute(null=True, attr_name="email_hash")  # by_email's key
    by_email = ByEmailIndex()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    language = UnicodeAttribute(null=True)
    wants_updates = BooleanAttribute()
    consent_at = UTCDateTimeAttribute(null=True)
    consent_version = UnicodeAttribute(null=True)
    confirmed_at = UTCDateTimeAttribute(null=True)
    unsubscribed_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, email_hash: str) -> tuple[str, str]:
        return signature_partition(petition_id, shard_of(email_hash)), f"EMAIL#{email_hash}"

    @property
    def email_hash(self) -> str:
        return self.sk.removeprefix("EMAIL#")

    @property
    def receives_updates(self) -> bool:
        return self.wants_updates and self.confirmed_at is not None and self.unsubscribed_at is None


class Suppression(_Item):
    """An address that bounced or complained: no petition writes to it again."""

    reason = UnicodeAttribute()
    suppressed_at = UTCDateTimeAttribute()

    @staticmethod
    def key(email_hash: str) -> tuple[str, str]:
        return f"SUP#{email_hash}", "SUPPRESSION"


class RateWindow(_Item):
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()

    @staticmethod
    def key(scope: str, seconds: int, start: int) -> tuple[str, str]:
        return f"RATE#{scope}", f"{seconds}#{start}"


MODELS: tuple[type[_Item], ...] = (
    _Item,
    Petition,
    Update,
    FanoutJob,
    FanoutPage,
    Signature,
    Suppression,
    RateWindow,
)


def shard_of(email_hash: str) -> int:
    """The signature shard of an address, from its hash: stable while the shard count is."""
    return int(email_hash[:8], 16) % get_settings().signature_shards


def signature_partition(petition_id: str, shard: int) -> str:
    return f"SIG#{petition_id}#{shard:03d}"


@cache
def connection() -> Connection:
    """The connection transactions use: made once, its botocore client reused, as the models'."""
    bound()
    return Connection()


def reset() -> None:
    """Forget the bound table and connections; the next use binds to the settings again."""
    _Item.Meta.table_name = None
    for model in MODELS:
        model._connection = None
    connection.cache_clear()


def bound() -> None:
    """Point the models at the configured table, on first use."""
    if _Item.Meta.table_name is None:
        _Item.Meta.table_name = get_settings().table_name
