"""An update's delivery statistics: its counters item, and what fan-out's page markers count.

A page marker (``FAN#{update}``) holds how many recipients its page had, and whether they
were enqueued or counted spared (the update was stopped). Fan-out writes it alone, with a
condition that it is new (one write unit), not in a transaction with a counter (four): the
markers are the count. When fan-out ends, their sums are set on the counters item
(``enqueued``, ``fanout_spared``: a set, so a sum written twice is written once; a later,
larger one replaces a smaller), and until then the statistics sum them as they read them.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute
from pynamodb.exceptions import UpdateError

from mobilise.table.conditions import condition_failed
from mobilise.table.delivery_counts import NAMES, DeliveryCounts, values
from mobilise.table.models import FanoutPage, bound


class PageMarker(FanoutPage):
    """A page fan-out has dealt with, and how many recipients it counts."""

    spared = BooleanAttribute(null=True)  # a stopped update's page: counted, enqueued nowhere


def page_totals(update_id: str) -> tuple[int, int]:
    """What the update's page markers count: (enqueued, spared). One consistent query of
    small items (a page of 500 recipients is one marker)."""
    bound()
    enqueued = spared = 0
    partition = FanoutPage.key(update_id, 0, "")[0]
    for page in PageMarker.query(
        partition, consistent_read=True, attributes_to_get=["recipients", "spared"]
    ):
        if page.spared:
            spared += int(page.recipients)
        else:
            enqueued += int(page.recipients)
    return enqueued, spared


def fanned_out(petition_id: str, update_id: str) -> int:
    """Set the page markers' sums on the counters item (fan-out is over); everyone the update
    was for. A smaller sum read before a page marked late leaves a larger one as it is."""
    bound()
    enqueued, spared = page_totals(update_id)
    try:
        DeliveryCounts(*DeliveryCounts.key(petition_id, update_id)).update(
            actions=[
                DeliveryCounts.enqueued.set(enqueued),
                DeliveryCounts.fanout_spared.set(spared),
            ],
            condition=DeliveryCounts.enqueued.does_not_exist()
            | ((DeliveryCounts.enqueued <= enqueued) & (DeliveryCounts.fanout_spared <= spared)),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
    return enqueued + spared


def counted(petition_id: str, update_id: str) -> dict[str, int]:
    """An update's delivery statistics (consistent reads). The counters the update item holds
    are those of an update delivered before the counters item (all of them), or sending when
    they moved (added to the item's; its page markers count its recipients)."""
    bound()
    before = earlier(petition_id, update_id)
    try:
        item = DeliveryCounts.get(*DeliveryCounts.key(petition_id, update_id), consistent_read=True)
    except DeliveryCounts.DoesNotExist:
        item = None
        if before is not None:
            return values(before)
    if item is not None and item.enqueued is not None:
        counts = shown(item)
    else:
        counts = shown(item, page_totals(update_id))  # fan-out still runs
    added = values(before)
    return {
        # recipients: the larger, since the update item's is final for an update fanned out
        # before (and its page markers may have expired once a late event made this item)
        name: max(value, added[name]) if name == "recipients" else value + added[name]
        for name, value in counts.items()
    }


def earlier(petition_id: str, update_id: str) -> DeliveryCounts | None:
    """The counters the code before the counters item wrote on the update item (read with
    the counters' model: the same names), None if it has none."""
    key = (f"PET#{petition_id}", f"UPD#{update_id}")  # the update's (models.Update.key)
    try:
        found = DeliveryCounts.get(*key, consistent_read=True, attributes_to_get=list(NAMES))
    except DeliveryCounts.DoesNotExist:
        return None
    return found if found.settled is not None else None


def shown(item: DeliveryCounts | None, totals: tuple[int, int] | None = None) -> dict[str, int]:
    """The statistics of a counters item: with fan-out's sums (``totals``, enqueued and
    spared: by default those set on the item at its end, none before)."""
    counts = values(item)
    if totals is None:
        totals = (int(item.enqueued or 0), int(item.fanout_spared or 0)) if item else (0, 0)
    enqueued, spared = totals
    counts["recipients"] = enqueued + spared
    counts["spared"] += spared
    counts["settled"] += spared
    return counts
