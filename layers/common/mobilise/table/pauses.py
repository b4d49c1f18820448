"""The items of a paused delivery (:mod:`mobilise.delivery.pausing`).

Keys (``pk``/``sk`` strings)::

    update's pause  PET#{petition_id}              UPD#{update_id}   (the update's own item)
    parked message  PARK#{petition_id}#{update_id} {digest of its recipients}
    paused update   PAUSED                          {petition_id}#{update_id}  (the list)
    account pause   ACCOUNT                         SENDING_PAUSED
    account-parked  ACCOUNT_PARKED                  {petition_id}#{update_id}  (the list)

An update's pause is written on the update's own item (its status, why and when), through a
model of its own that names only those attributes: the update's model is left as it is, and
a read of the update ignores what it does not name.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from mobilise.table.base import _Item


class UpdatePause(_Item):
    """The pause of an update's delivery, on the update's item (``Update.key``)."""

    status = UnicodeAttribute(null=True)  # sending -> paused -> sending, or stopped
    paused_at = UTCDateTimeAttribute(null=True)
    paused_reason = UnicodeAttribute(null=True)  # complaints, bounces
    resumed_at = UTCDateTimeAttribute(null=True)
    stopped_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"UPD#{update_id}"


class ParkedMessage(_Item):
    """A delivery message kept while its update, or the account's sending, is paused: its body
    as it came (re-enqueued as it is on resume), written once however often it is parked."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    body = UnicodeAttribute()
    parked_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str, digest: str) -> tuple[str, str]:
        return parked_partition(petition_id, update_id), digest


class PausedEntry(_Item):
    """An update paused now, in the one list the operators read (written and removed with
    the pause, in its transaction)."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    paused_reason = UnicodeAttribute()
    paused_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return "PAUSED", f"{petition_id}#{update_id}"


class AccountPause(_Item):
    """SES refused to send for the whole account (or the configuration set): written once, by
    the first refusal, removed by the operator's resume."""

    code = UnicodeAttribute()  # AccountSendingPausedException, SendingPausedException
    paused_at = UTCDateTimeAttribute()

    @staticmethod
    def key() -> tuple[str, str]:
        return "ACCOUNT", "SENDING_PAUSED"


class AccountParked(_Item):
    """An update some of whose messages were parked for the account's pause: written with
    each such message, in its transaction, removed once the account's resume re-enqueued
    them all. It outlives the pause (removed first by the resume, so that what comes after
    is sent): a resume cut short finds here what it has left to do."""

    petition_id = UnicodeAttribute()
    update_id = UnicodeAttribute()
    parked_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str, update_id: str) -> tuple[str, str]:
        return "ACCOUNT_PARKED", f"{petition_id}#{update_id}"


def parked_partition(petition_id: str, update_id: str) -> str:
    return f"PARK#{petition_id}#{update_id}"
