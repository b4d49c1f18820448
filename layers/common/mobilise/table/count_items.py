"""The items of a petition's counts (:mod:`mobilise.table.counters`)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from mobilise.table.base import _Item


class Counts(_Item):
    """One slot of a petition's counts (:mod:`mobilise.table.counters`): moved in the
    transaction of each change of one of its signatures, and where signing is open."""

    confirmed = NumberAttribute(null=True)  # the public count
    unconfirmed = NumberAttribute(null=True)
    subscribers = NumberAttribute(null=True)  # those an update reaches
    signing = UnicodeAttribute(null=True)  # open, closed; none: ask the petition
    expires_at = TTLAttribute(null=True)  # with the signatures (retention)

    @staticmethod
    def key(petition_id: str, slot: int) -> tuple[str, str]:
        return counts_partition(petition_id, slot), "TOTAL"


class DayCounts(_Item):
    """One slot's signatures received and confirmed on one day (UTC): the starter's chart."""

    signed = NumberAttribute(null=True)
    confirmed = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def key(petition_id: str, slot: int, day: str) -> tuple[str, str]:
        return counts_partition(petition_id, slot), f"DAY#{day}"


def counts_partition(petition_id: str, slot: int) -> str:
    return f"CNT#{petition_id}#{slot:03d}"
