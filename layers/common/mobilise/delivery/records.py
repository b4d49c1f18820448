"""Delivery's bookkeeping: one record per delivery message, holding what became of each of its
recipients, written twice per message (claimed, then settled with the update's counters item,
:mod:`mobilise.table.delivery_counts`): 1 + 4 write units a message of up to 100.

A record is named by the message's place among the update's recipients, not by its content:
its shard and the hash of its last recipient (``DLV#{update}``, ``{shard}#{last}``), so that
the same page of signers read twice names the same record. Recipients are written as the
first :data:`PREFIX` hex characters of their hash (48 bits, as 6 bytes: two recipients of one
message never share one; 100 of them and their outcomes in 700 bytes, so that the record
stays under 1 KB, one write unit), and the range as hex: no record holds a whole email hash,
which erasure could not find (:mod:`mobilise.privacy.personal_data`); records expire after
30 days.

Claiming a record leases it for :data:`LEASE_SECONDS` (more than the deliver function's
timeout, less than the delivery queue's visibility timeout): a message handled twice at
once sends once, the second invocation failing its record (:class:`RecordBusy`) until the
first has settled or its lease has run out.

Two different messages naming one signer (fan-out read a page twice while signers joined)
may be handled at once. The claim writes the record's recipients (as pending) before it
reads the other records, so of two such invocations at least one sees the other's lease;
then the record named last (the larger sort key) sends the shared recipient: the other
leaves it (skipped) if it sees the larger one's lease, and the larger one backs off
(:class:`RecordBusy`, its lease let go) if it sees the smaller one's. Whoever reads first
and sees nothing sends; the one that reads second always sees it and does not. Neither
waits for the other forever: the smaller one never backs off for an overlap.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from pynamodb.attributes import BinaryAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.delivery_counts import DeliveryCounts, added
from mobilise.table.models import DeliveryBatch, bound, connection, shard_of

PREFIX = 12  # hex characters of a recipient's hash kept in a record
RANGE = 16  # hex characters of the first and last hashes that name a record's range
LEASE_SECONDS = 600  # > the deliver function's 240 s timeout, < the queue's 1440 s visibility
RECORD_DAYS = 30
#: What became of a recipient: sent, failed (SES refused it for good, or no email could be
#: built), skipped (unsubscribed or suppressed since the fan-out, or sent by another message),
#: spared (its starter stopped the update first), digested (the person had an update email in
#: the last 24 hours: the update waits in their digest).
STATUS = {"sent": "s", "failed": "f", "skipped": "k", "spared": "x", "digested": "d"}
OUTCOME_OF = {letter: name for name, letter in STATUS.items()}
PENDING = "p"  # a recipient of the record with no outcome yet (written when claimed)
_MARK = 1 + PREFIX // 2  # bytes of a recipient in ``marks``: its letter, its prefix
#: Another record's outcomes that are final for a recipient: never sent again (digested: the
#: update waits in, or went in, their digest).
_DEALT_WITH = (STATUS["sent"], STATUS["failed"], STATUS["digested"])


class DeliveryRecord(DeliveryBatch):
    """The item a delivery message is counted with (``DeliveryBatch``), with its outcomes."""

    first = UnicodeAttribute(null=True)  # the first recipient's hash, RANGE characters
    #: Per recipient, 7 bytes: a STATUS letter or PENDING, then the PREFIX as 6 bytes (100
    #: recipients in 700 bytes: the record stays under 1 KB, one write unit a write).
    marks = BinaryAttribute(null=True, legacy_encoding=False)
    outcomes = UnicodeAttribute(null=True)  # the same as text (13 characters): records from before
    lease = UnicodeAttribute(null=True)  # the invocation that holds the record
    lease_until = UTCDateTimeAttribute(null=True)
    settled_at = UTCDateTimeAttribute(null=True)  # counted on the update: never again


class RecordBusy(Exception):
    """Another invocation holds this message's record: the SQS record is tried again later."""


def key(email_hash: str) -> str:
    return email_hash[:PREFIX]


@dataclass
class Claim:
    """A record this invocation holds: what its earlier invocations recorded, and which of
    its recipients another record has dealt with or is dealing with (a recipient enqueued in
    two messages)."""

    petition_id: str
    update_id: str
    sort_key: str
    token: str
    members: tuple[str, ...] = ()  # its recipients' prefixes
    recorded: dict[str, str] = field(default_factory=dict)  # prefix -> outcome name
    elsewhere: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Other:
    """Another record whose range meets this one's: its recipients (letters by prefix), and
    whether an invocation holds it now."""

    sort_key: str
    letters: dict[str, str]
    live: bool


def _letters(record: DeliveryRecord) -> dict[str, str]:
    """A record's recipients (prefixes in hex) and their letters; a record written before
    ``marks`` has its outcomes as text, which a letter in ``marks`` only adds to."""
    text, marks = record.outcomes or "", record.marks or b""
    step, size = PREFIX + 1, _MARK
    found = {text[i + 1 : i + step]: text[i] for i in range(0, len(text), step)}
    for i in range(0, len(marks), size):
        prefix, letter = marks[i + 1 : i + size].hex(), chr(marks[i])
        if letter != PENDING or prefix not in found:
            found[prefix] = letter
    return found


def _decoded(record: DeliveryRecord) -> dict[str, str]:
    return {
        prefix: OUTCOME_OF[letter]
        for prefix, letter in _letters(record).items()
        if letter != PENDING
    }


def _encoded(members: Iterable[str], outcomes: Mapping[str, str]) -> bytes:
    """Every recipient of the record, in order: its outcome's letter, or PENDING (and any
    recipient an earlier reading of the same page recorded, which this one has not)."""
    return b"".join(
        (STATUS[outcomes[prefix]] if prefix in outcomes else PENDING).encode()
        + bytes.fromhex(prefix)
        for prefix in dict.fromkeys((*members, *outcomes))
    )


def claim(petition_id: str, update_id: str, shard: int, hashes: list[str]) -> Claim | None:
    """Lease the record of these recipients (one shard's, in fan-out's order); None if it is
    settled already (the message was counted: nothing is left to do). :class:`RecordBusy`
    if another invocation holds it, or holds a record named before it with a recipient of
    it (the module's docstring says why)."""
    bound()
    first, last = min(hashes)[:RANGE], max(hashes)[:RANGE]
    sort_key = f"{shard:03d}#{last}"
    members = tuple(dict.fromkeys(key(email_hash) for email_hash in hashes))
    record = DeliveryRecord(*DeliveryRecord.key(update_id, sort_key))
    token, now = secrets.token_hex(8), clock.now()
    try:
        record.update(
            actions=[
                DeliveryRecord.recipients.set(len(hashes)),
                DeliveryRecord.first.set(first),
                DeliveryRecord.marks.set(
                    DeliveryRecord.marks | _encoded(members, {})  # if_not_exists
                ),
                DeliveryRecord.lease.set(token),
                DeliveryRecord.lease_until.set(now + timedelta(seconds=LEASE_SECONDS)),
                DeliveryRecord.expires_at.set(now + timedelta(days=RECORD_DAYS)),
            ],
            condition=DeliveryRecord.settled_at.does_not_exist()
            & (DeliveryRecord.lease.does_not_exist() | (DeliveryRecord.lease_until < now)),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        held = DeliveryRecord.get(*DeliveryRecord.key(update_id, sort_key), consistent_read=True)
        if held.settled_at is not None:
            return None
        raise RecordBusy(sort_key) from None
    found = Claim(petition_id, update_id, sort_key, token, members, _decoded(record))
    for other in _overlapping(update_id, shard, first, last, sort_key):
        shared = {prefix for prefix in members if prefix in other.letters}
        pending = {prefix for prefix in shared if other.letters[prefix] == PENDING}
        if other.live and pending and other.sort_key < sort_key:
            progress(found, {})  # let the record go: the smaller one sends them
            raise RecordBusy(sort_key)
        done = {prefix for prefix in shared if other.letters[prefix] in _DEALT_WITH}
        found.elsewhere |= done | (pending if other.live else set())
    return found


def _overlapping(update_id: str, shard: int, first: str, last: str, own: str) -> list[_Other]:
    """The other records whose range meets [first, last]: read in the order of their last
    recipient, from the first that ends at or after ``first``, to the first that ends after
    ``last`` (a page read once gives ranges that do not overlap: two records, or a few when
    fan-out read a page twice)."""
    found: list[_Other] = []
    now = clock.now()
    records = DeliveryRecord.query(
        DeliveryRecord.key(update_id, "")[0],
        DeliveryRecord.sk.between(f"{shard:03d}#{first}", f"{shard:03d}#~"),
        consistent_read=True,
        page_size=4,
        attributes_to_get=["sk", "first", "marks", "outcomes", "lease_until"],
    )
    for record in records:
        if record.sk != own and (record.first or "") <= last:
            live = record.lease_until is not None and record.lease_until > now
            found.append(_Other(record.sk, _letters(record), live))
        if record.sk > f"{shard:03d}#{last}":
            break
    return found


def progress(held: Claim, outcomes: Mapping[str, str]) -> None:
    """Record what became of the recipients so far and let the record go (a retry of the SQS
    record takes it on from there): before failing the record for a refusal that may pass."""
    record = DeliveryRecord(*DeliveryRecord.key(held.update_id, held.sort_key))
    try:
        record.update(
            actions=[
                DeliveryRecord.marks.set(_encoded(held.members, {**held.recorded, **outcomes})),
                DeliveryRecord.lease.remove(),
                DeliveryRecord.lease_until.remove(),
            ],
            condition=DeliveryRecord.lease == held.token,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def settle(held: Claim, outcomes: Mapping[str, str], counts: Mapping[str, int]) -> bool:
    """Record every recipient's outcome and count them on the update's counters item, in one
    transaction, once: False if the lease was lost meanwhile (the record was taken over, and
    will be counted by the invocation that took it)."""
    record = DeliveryRecord(*DeliveryRecord.key(held.update_id, held.sort_key))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                record,
                actions=[
                    DeliveryRecord.marks.set(_encoded(held.members, {**held.recorded, **outcomes})),
                    DeliveryRecord.settled_at.set(clock.now()),
                    DeliveryRecord.lease.remove(),
                    DeliveryRecord.lease_until.remove(),
                ],
                condition=DeliveryRecord.lease == held.token,
            )
            transaction.update(
                DeliveryCounts(*DeliveryCounts.key(held.petition_id, held.update_id)),
                actions=added(counts),
            )
    except TransactWriteError as error:
        if failed_condition(error, 0) is None:
            raise
        return False
    return True


def by_shard(hashes: Iterable[str]) -> dict[int, list[str]]:
    """The recipients of a message by shard (fan-out's messages hold one shard's)."""
    groups: dict[int, list[str]] = {}
    for email_hash in hashes:
        groups.setdefault(shard_of(email_hash), []).append(email_hash)
    return groups


def reset() -> None:
    """Forget the record model's connection (tests on a new moto or DynamoDB Local)."""
    DeliveryRecord._connection = None
