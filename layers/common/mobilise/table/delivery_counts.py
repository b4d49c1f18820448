"""An update's delivery counters, on a small item of their own beside the update.

DynamoDB bills a write by the size of the whole item written: on the update, which holds its
body (up to 20,000 characters), a counter's write cost one unit per kilobyte of the update
(6 units of a transaction for a 3 KB update, per delivery message). Here each costs one.

Updates delivered before the counters moved keep theirs on the update item: statistics read
the update's when it has no counters item (:func:`counted`).
"""

from __future__ import annotations

from collections.abc import Mapping

from pynamodb.attributes import NumberAttribute
from pynamodb.expressions.update import Action

from mobilise.table.base import _Item

#: Every counter, as the statistics show them.
NAMES = (
    "recipients",  # enqueued by fan-out (or counted spared by it); final once it is over
    "sent",
    "failed",  # refused by SES for good, or no email could be built
    "skipped",  # unsubscribed or suppressed since, or sent already
    "spared",  # not sent: the starter stopped the delivery
    "digested",  # not sent: the person had an update email in the last 24 h (a digest)
    "settled",  # sent+failed+skipped+spared+digested: over at recipients
    "bounced",
    "complained",
    "unsubscribed",
)
#: What SES events and unsubscribe links add (the others move with delivery's records).
EVENT_NAMES = ("sent", "failed", "bounced", "complained", "unsubscribed")


class DeliveryCounts(_Item):
    """One update's delivery counters: one write per delivery message (never per email), and
    once at the end of the fan-out what its page markers count (:mod:`.delivery_stats`)."""

    enqueued = NumberAttribute(null=True)  # the recipients fan-out enqueued: set at its end
    fanout_spared = NumberAttribute(null=True)  # its recipients counted spared, not enqueued
    sent = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    skipped = NumberAttribute(null=True)
    spared = NumberAttribute(null=True)
    digested = NumberAttribute(null=True)
    settled = NumberAttribute(null=True)
    bounced = NumberAttribute(null=True)
    complained = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)
    recipients = NumberAttribute(null=True)  # only on an update item, of the code before

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"DCT#{update_id}"


def values(item: object) -> dict[str, int]:
    """Every counter of an update from before the counters item, or of a counters item as
    delivery counts them (``recipients`` and fan-out's spared aside), 0 if unset."""
    return {name: int(getattr(item, name, None) or 0) for name in NAMES}


def added(counts: Mapping[str, int]) -> list[Action]:
    """The actions that add ``counts`` (and as many to ``settled``: each is an outcome)."""
    actions = [getattr(DeliveryCounts, name).add(value) for name, value in counts.items() if value]
    return [DeliveryCounts.settled.add(sum(counts.values())), *actions]
