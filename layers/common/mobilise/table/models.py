"""The items of the single DynamoDB table, as PynamoDB models.

Keys (``pk``/``sk`` strings)::

    petition      PET#{petition_id}              PETITION
    update        PET#{petition_id}              UPD#{update_id}       (ULID: sorts by time)
    its email     PET#{petition_id}              MAIL#{update_id}      (.update_emails)
    fan-out job   PET#{petition_id}              JOB#{update_id}       (+ sparse index "outbox")
    fan-out page  FAN#{update_id}                {shard:03d}#{cursor digest}
    delivery      DLV#{update_id}                {digest of its recipients}
    its counters  PET#{petition_id}              DCT#{update_id}       (delivery_counts)
    signature     SIG#{petition_id}#{shard:03d}  EMAIL#{email_hash}
    response      PET#{petition_id}              RSP#{update_id}#{response_id}
    RSVP          PET#{petition_id}              RSVP#{update_id}#{email_hash}
    click count   PET#{petition_id}              CLK#{update_id}#{action}
    clicker       PET#{petition_id}              CLICKER#{update_id}#{action}#{email_hash}
    photo         PET#{petition_id}              PHOTO#{photo_id}
    suppression   SUP#{email_hash}               SUPPRESSION
    counts        CNT#{petition_id}#{slot:03d}   TOTAL                 (see mobilise.table.counters)
    day's counts  CNT#{petition_id}#{slot:03d}   DAY#{YYYY-MM-DD}
    rate window   RATE#{scope}                   {seconds}#{window start}
    job record    RUN#{job}#{subject}            {period}               (what a schedule did)
    sending       PET#{petition_id}              DMS#{sending_id}, DMS-LAST  (mobilise.answers)
    share count   PET#{petition_id}              CLK#petition#{action}  (the petition page's)

Work that is due later is found through one sparse index, ``outbox``: an item
carries ``outbox_pk`` (the kind of work) and ``outbox_sk`` (when it is due, ISO
8601) only while the work is pending; the schedule that does it removes them.

    OUTBOX      fan-out jobs not yet picked up         (FanoutJob)
    SCHEDULED   updates to publish at ``publish_at``    (Update)
    NUDGE       petitions whose starter may be nudged   (Petition)
    EVENT       events whose reminders are due          (Update)
    MEETING     meetings whose follow-up is due         (Update)
    RETENTION   closed petitions whose signatures still need their expiry (Petition)
    REVIEW      updates held by moderation, by the time they were held (Update)

A pending update (its grace period) is due as a scheduled one is, under ``SCHEDULED``
at its ``release_at``: the same schedule releases both.

Items that hold an address's trace (signature, response, RSVP, clicker) carry its hash
in ``email_hash``, the key of the ``by_email`` index: export and erasure find
them all through it.

A petition's signatures are spread over ``signature_shards`` partitions; the
shard is derived from the email hash, so a signature is found again from its
address alone. The shard count must not change once a deployment has signatures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.table.base import (
    ByEmailIndex,
    PetitionDueIndex,
    UpdateDueIndex,
    _Item,
    shared_client,
    shared_connection,
)
from mobilise.table.by_owner import ByOwnerIndex
from mobilise.table.count_items import Counts, DayCounts
from mobilise.table.delivery_counts import DeliveryCounts

UPDATE_INTERVAL = timedelta(hours=24)
#: The statuses of an update whose email went out: its buttons count, its calendar file and
#: its reminders exist (a stopped one went out to some of its signers).
EMAILED = ("published", "sending", "paused", "sent", "stopped")
#: Published (the 24-hour window taken) but not released to fan-out yet: ``pending`` its grace
#: period, ``in_review`` held by moderation.
HELD = ("pending", "in_review")
OUTBOX = "OUTBOX"
SCHEDULED = "SCHEDULED"
NUDGE = "NUDGE"
EVENT = "EVENT"
MEETING = "MEETING"
RETENTION = "RETENTION"
REVIEW = "REVIEW"


class Petition(_Item):
    petition_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    by_owner = ByOwnerIndex()  # a starter's petitions, newest first
    owner_email = UnicodeAttribute(null=True)  # from the ID token: test sends and reminders
    owner_email_key = UnicodeAttribute(null=True, attr_name="email_hash")  # by_email's key
    by_email = ByEmailIndex()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    language = UnicodeAttribute()
    decision_maker = JSONAttribute()
    status = UnicodeAttribute(default="open")
    # Written per signature before the counters (mobilise.table.counters); kept, never
    # written again, and added to the counters until `make recount` has run.
    legacy_signers = NumberAttribute(null=True, attr_name="signer_count")
    legacy_confirmed = NumberAttribute(null=True, attr_name="confirmed_count")
    last_update_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    nudges_off = BooleanAttribute(null=True)  # the starter switched reminders off
    scheduled_update_id = UnicodeAttribute(null=True)  # at most one scheduled update at a time
    outbox_pk = UnicodeAttribute(null=True)  # NUDGE while open, RETENTION once closed
    outbox_sk = UnicodeAttribute(null=True)
    due = PetitionDueIndex()
    retention_cursor = JSONAttribute(null=True)  # where the expiry of signatures got to

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

    @property
    def signer_count(self) -> int:
        """Every signature, confirmed or not (the starter's nudge), read from the counters on
        first use (one BatchGetItem); set, it is what a rendering is shown."""
        if self._signers is None:
            from mobilise.table import counters  # below the models: imported on use

            totals = counters.totals(self)
            self._signers = totals.confirmed + totals.unconfirmed
        return self._signers

    @signer_count.setter
    def signer_count(self, value: int) -> None:
        self._signers = value

    _signers: int | None = None


class Update(_Item):
    update_id = UnicodeAttribute()
    petition_id = UnicodeAttribute()
    type = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link = UnicodeAttribute(null=True)
    fields = JSONAttribute(default=dict)  # the type-specific fields of the typology
    photo = JSONAttribute(null=True)  # {"photo_id", "alt", "content_type"}, checked at publish
    # scheduled -> published (stored with its fan-out job) -> sending (fan-out started) ->
    # sent (every recipient counted as sent, failed or skipped), or scheduled -> cancelled.
    # Before published: pending (its grace period, until release_at) -> cancelled, or
    # in_review (moderation) -> rejected. published or sending -> stopped (by its starter).
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    publish_at = UTCDateTimeAttribute(null=True)  # a scheduled update
    edited_at = UTCDateTimeAttribute(null=True)
    release_at = UTCDateTimeAttribute(null=True)  # a pending update's end of grace
    # The petition's last_update_at before (none: absent), given back on cancel or reject.
    previous_update_at = UTCDateTimeAttribute(null=True)
    hold_reasons = JSONAttribute(null=True)  # why moderation holds it (mobilise.moderation)
    outbox_pk = UnicodeAttribute(null=True)  # SCHEDULED, EVENT or MEETING while due later
    outbox_sk = UnicodeAttribute(null=True)
    due = UpdateDueIndex()
    # Answers to an event's RSVP (the answers themselves are Rsvp items).
    rsvp_yes = NumberAttribute(null=True)
    rsvp_no = NumberAttribute(null=True)
    # Delivery's counters are on their own item (mobilise.table.delivery_counts), which also
    # reads those of updates delivered before it, written here; recipients: final, shown.
    recipients = NumberAttribute(null=True)
    stopped_at = UTCDateTimeAttribute(null=True)
    fanned_out_at = UTCDateTimeAttribute(null=True)

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
    # queued -> sending (fan-out started) -> sent (delivered: set with its update's status)
    state = UnicodeAttribute(default="queued")
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


class DeliveryBatch(_Item):
    """A delivery message whose recipients are counted on its update: counted once, however
    often SQS hands it in. Named by a digest of its update and recipients."""

    recipients = NumberAttribute()
    expires_at = TTLAttribute()

    @staticmethod
    def key(update_id: str, digest: str) -> tuple[str, str]:
        return f"DLV#{update_id}", digest


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
    suppressed_at = UTCDateTimeAttribute(null=True)  # its address bounced or complained
    created_at = UTCDateTimeAttribute()
    # Each time a confirmation email was asked for: its idempotency record is found again
    # from it when the address is erased.
    confirmations_requested = UnicodeSetAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # set once the petition closed (retention)

    @staticmethod
    def key(petition_id: str, email_hash: str) -> tuple[str, str]:
        return signature_partition(petition_id, shard_of(email_hash)), f"EMAIL#{email_hash}"

    @property
    def email_hash(self) -> str:
        return self.sk.removeprefix("EMAIL#")

    @property
    def receives_updates(self) -> bool:
        return self.wants_updates and self.confirmed_at is not None and self.unsubscribed_at is None


class Response(_Item):
    """A signer's testimony, advice or contact, given through a signed link of an update."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    response_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # testimony, advice, contact
    text = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    contact = UnicodeAttribute(null=True)
    press_consent = BooleanAttribute(default=False)  # may be passed to the press
    email_key = UnicodeAttribute(null=True, attr_name="email_hash")  # by_email's key
    by_email = ByEmailIndex()
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str, response_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"RSP#{update_id}#{response_id}"


class Rsvp(_Item):
    """A signer's answer to an event's invitation; the last answer counts."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    answer = UnicodeAttribute()  # yes, no
    email_key = UnicodeAttribute(null=True, attr_name="email_hash")  # by_email's key
    by_email = ByEmailIndex()
    answered_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str, email_hash: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"RSVP#{update_id}#{email_hash}"


class ClickCount(_Item):
    """Clicks on one action of one update's email: counters, nobody's name on them.

    ``clicks``: a person's, as far as a request can tell; ``machine_clicks``: those
    :func:`mobilise.engagement.clicks.judge` holds to be a mail scanner's. A HEAD counts in neither.
    """

    clicks = NumberAttribute(default=0)
    machine_clicks = NumberAttribute(default=0)

    @staticmethod
    def key(petition_id: str, update_id: str, action: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"CLK#{update_id}#{action}"


class Clicker(_Item):
    """Who clicked one action of one update's email, written only while the setting
    ``per_person_clicks`` is on; it carries the address's hash, so erasure finds it."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    action = UnicodeAttribute()
    clicks = NumberAttribute(default=0)
    email_key = UnicodeAttribute(null=True, attr_name="email_hash")  # by_email's key
    by_email = ByEmailIndex()
    last_clicked_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def key(petition_id: str, update_id: str, action: str, email_hash: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"CLICKER#{update_id}#{action}#{email_hash}"


class Photo(_Item):
    """A photo upload granted to a petition's starter; checked when an update uses it."""

    petition_id = UnicodeAttribute()
    photo_id = UnicodeAttribute()
    object_key = UnicodeAttribute()
    content_type = UnicodeAttribute(null=True)  # known once checked
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, photo_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"PHOTO#{photo_id}"


class JobRecord(_Item):
    """What a scheduled job did for a subject in a period: written once, conditionally,
    so a schedule that fires twice does nothing the second time."""

    done_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def key(job: str, subject: str, period: str) -> tuple[str, str]:
        return f"RUN#{job}#{subject}", period


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
    DeliveryBatch,
    Signature,
    Response,
    Rsvp,
    ClickCount,
    Clicker,
    Photo,
    JobRecord,
    Suppression,
    Counts,
    DayCounts,
    DeliveryCounts,
    RateWindow,
)


def shard_of(email_hash: str) -> int:
    """The signature shard of an address, from its hash: stable while the shard count is."""
    return int(email_hash[:8], 16) % get_settings().signature_shards


def signature_partition(petition_id: str, shard: int) -> str:
    return f"SIG#{petition_id}#{shard:03d}"


def connection() -> Connection:
    """The connection transactions use: the one whose botocore client every model uses."""
    bound()
    shared_client()  # made under the clients' lock before PynamoDB asks for it
    return shared_connection()


def reset() -> None:
    """Forget the bound table and connections; the next use binds to the settings again."""
    _Item.Meta.table_name = None
    for model in MODELS:
        model._connection = None
    shared_connection.cache_clear()


def bound() -> None:
    """Point the models at the configured table, on first use."""
    if _Item.Meta.table_name is None:
        _Item.Meta.table_name = get_settings().table_name


#: The counter of the update each RSVP answer moves.
RSVP_COUNTS = {"yes": Update.rsvp_yes, "no": Update.rsvp_no}
#: How many times an RSVP change is tried again after a concurrent one moved the counts.
RSVP_ATTEMPTS = 3
