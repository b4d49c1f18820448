"""Data access: the single DynamoDB table, through PynamoDB.

Every write that can race is conditional. Conditions that fail become the
named domain errors of :mod:`mobilise.errors` here, and nowhere else.

Keys (one table, ``pk``/``sk`` strings)::

    petition     PET#{petition_id}              PETITION
    update       PET#{petition_id}              UPD#{update_id}      (ULID: sorts by time)
    fan-out job  PET#{petition_id}              JOB#{update_id}
    signature    SIG#{petition_id}#{shard:03d}  EMAIL#{email_hash}

A petition's signatures are spread over ``signature_shards`` partitions; the
shard is derived from the email hash, so a signature is found again from its
address alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from mobilise import clock
from mobilise.config import get_settings
from mobilise.errors import AlreadySigned, InvalidLink, NotFound, NotOwner, UpdateTooSoon

UPDATE_INTERVAL = timedelta(hours=24)
CONSENT_VERSION = "2026-11-updates-v1"
_CONDITION_FAILED = "ConditionalCheckFailed"


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
    recipients = NumberAttribute(null=True)

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"UPD#{update_id}"


class FanoutJob(_Item):
    """The outbox: written in the publish transaction, sent to the publish queue after it."""

    update_id = UnicodeAttribute()
    petition_id = UnicodeAttribute()
    state = UnicodeAttribute(default="queued")  # queued -> sending -> sent
    shards = NumberAttribute()
    shards_done = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"JOB#{update_id}"


class Signature(_Item):
    petition_id = UnicodeAttribute()
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
        return f"SIG#{petition_id}#{shard_of(email_hash):03d}", f"EMAIL#{email_hash}"

    @property
    def email_hash(self) -> str:
        return self.sk.removeprefix("EMAIL#")

    @property
    def receives_updates(self) -> bool:
        return self.wants_updates and self.confirmed_at is not None and self.unsubscribed_at is None


_MODELS: tuple[type[_Item], ...] = (Petition, Update, FanoutJob, Signature)


def shard_of(email_hash: str) -> int:
    """The signature shard of an address, from its hash: stable while the shard count is."""
    return int(email_hash[:8], 16) % get_settings().signature_shards


def signature_partition(petition_id: str, shard: int) -> str:
    return f"SIG#{petition_id}#{shard:03d}"


def reset() -> None:
    """Forget the bound table and connections; the next use binds to the settings again."""
    _Item.Meta.table_name = None
    models: tuple[type[_Item], ...] = (_Item, *_MODELS)
    for model in models:
        model._connection = None


def _bound() -> None:
    """Point the models at the configured table, on first use."""
    if _Item.Meta.table_name is None:
        _Item.Meta.table_name = get_settings().table_name


def _connection() -> Connection:
    _bound()
    return Connection()


def _failed(error: TransactWriteError, index: int) -> dict[str, Any] | None:
    """The old item of transaction entry ``index`` if its condition failed, else ``None``."""
    reasons = error.cancellation_reasons
    if index < len(reasons) and (reason := reasons[index]) and reason.code == _CONDITION_FAILED:
        return reason.raw_item or {}
    return None


# Petitions ----------------------------------------------------------------------------------


def create_petition(petition: Petition) -> Petition:
    _bound()
    petition.save(condition=Petition.pk.does_not_exist())
    return petition


def get_petition(petition_id: str) -> Petition:
    _bound()
    try:
        return Petition.get(*Petition.key(petition_id))
    except Petition.DoesNotExist:
        raise NotFound("There is no petition with this id.") from None


# Signatures ---------------------------------------------------------------------------------


def add_signature(signature: Signature) -> None:
    """Store a signature and count it, once per address (any case, any surrounding space)."""
    _bound()
    petition = Petition(*Petition.key(signature.petition_id))
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.save(signature, condition=Signature.pk.does_not_exist())
            transaction.update(
                petition,
                actions=[Petition.signer_count.add(1)],
                condition=Petition.pk.exists() & (Petition.status == "open"),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        if _failed(error, 0) is not None:
            raise AlreadySigned() from error
        old = _failed(error, 1)
        if old is not None:
            if old:
                raise NotFound("This petition is no longer open for signatures.") from error
            raise NotFound("There is no petition with this id.") from error
        raise


def get_signature(petition_id: str, email_hash: str) -> Signature:
    _bound()
    try:
        return Signature.get(*Signature.key(petition_id, email_hash))
    except Signature.DoesNotExist:
        raise NotFound("There is no such signature.") from None


def get_signatures(keys: list[tuple[str, str]]) -> Iterator[Signature]:
    """The signatures with these keys (up to 100 a request; missing ones are skipped)."""
    _bound()
    yield from Signature.batch_get(keys)


def page_subscribers(
    petition_id: str, shard: int, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[Signature], dict[str, Any] | None]:
    """One page of a shard's signers who receive updates, and the cursor after it."""
    _bound()
    results = Signature.query(
        signature_partition(petition_id, shard),
        filter_condition=(Signature.wants_updates == True)  # noqa: E712 (a DynamoDB condition)
        & Signature.confirmed_at.exists()
        & Signature.unsubscribed_at.does_not_exist(),
        last_evaluated_key=cursor,
        limit=limit,
    )
    page = list(results)
    return page, results.last_evaluated_key


def unsubscribe(petition_id: str, email_hash: str) -> None:
    """Mark a signature unsubscribed; again is a no-op. :class:`InvalidLink` if there is none."""
    _bound()
    signature = Signature(*Signature.key(petition_id, email_hash))
    try:
        signature.update(
            actions=[Signature.unsubscribed_at.set(Signature.unsubscribed_at | clock.now())],
            condition=Signature.pk.exists(),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise InvalidLink() from error
        raise


# Updates ------------------------------------------------------------------------------------


def publish_update(caller: str, update: Update) -> FanoutJob:
    """Store a published update and its fan-out job, if the 24-hour rule allows it.

    The rule is one conditional write on the petition, in the same transaction as
    the update and the job: never a read followed by a write.
    """
    _bound()
    now = clock.now()
    update.status = "published"
    update.published_at = now
    job = FanoutJob(
        *FanoutJob.key(update.petition_id, update.update_id),
        update_id=update.update_id,
        petition_id=update.petition_id,
        shards=get_settings().signature_shards,
        created_at=now,
    )
    petition = Petition(*Petition.key(update.petition_id))
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.save(update, condition=Update.pk.does_not_exist())
            transaction.save(job, condition=FanoutJob.pk.does_not_exist())
            transaction.update(
                petition,
                actions=[Petition.last_update_at.set(now)],
                condition=(Petition.owner_id == caller)
                & (
                    Petition.last_update_at.does_not_exist()
                    | (Petition.last_update_at <= now - UPDATE_INTERVAL)
                ),
                return_values="ALL_OLD",
            )
    except TransactWriteError as error:
        old = _failed(error, 2)
        if old is None:
            raise
        if not old:
            raise NotFound("There is no petition with this id.") from error
        refused = Petition.from_raw_data(old)
        if refused.owner_id != caller:
            raise NotOwner() from error
        assert refused.last_update_at is not None  # the only other way the condition fails
        raise UpdateTooSoon(refused.last_update_at + UPDATE_INTERVAL) from error
    return job


def get_update(petition_id: str, update_id: str) -> Update:
    _bound()
    try:
        return Update.get(*Update.key(petition_id, update_id))
    except Update.DoesNotExist:
        raise NotFound("There is no update with this id on this petition.") from None


def list_updates(
    petition_id: str, limit: int, after: str | None
) -> tuple[list[Update], str | None]:
    """Updates newest first; ``after`` is the last update id of the previous page."""
    _bound()
    start = None
    if after is not None:
        pk, sk = Update.key(petition_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Update.query(
        f"PET#{petition_id}",
        Update.sk.startswith("UPD#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    page = list(results)
    return page, (page[-1].update_id if page and results.last_evaluated_key else None)


# Fan-out ------------------------------------------------------------------------------------


def start_fanout(petition_id: str, update_id: str) -> None:
    """queued -> sending; a job already started stays as it is."""
    _bound()
    job = FanoutJob(*FanoutJob.key(petition_id, update_id))
    try:
        job.update(actions=[FanoutJob.state.set("sending")], condition=FanoutJob.state == "queued")
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def add_recipients(petition_id: str, update_id: str, recipients: int) -> None:
    """Count recipients on the update: one write per fan-out page run, never per email."""
    _bound()
    if recipients:
        Update(*Update.key(petition_id, update_id)).update(
            actions=[Update.recipients.add(recipients)]
        )


def finish_shard(petition_id: str, update_id: str, recipients: int) -> None:
    """Count a shard's last recipients; mark the job sent after its last shard."""
    add_recipients(petition_id, update_id, recipients)
    job = FanoutJob(*FanoutJob.key(petition_id, update_id))
    job.update(actions=[FanoutJob.shards_done.add(1)])
    if job.shards_done >= job.shards:
        job.update(actions=[FanoutJob.state.set("sent")])
