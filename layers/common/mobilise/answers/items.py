"""The items of the decision-maker's answers, in the single table::

    sending       PET#{petition_id}   DMS#{sending_id}   (ULID: sorts by time; holds the answer)
    last sending  PET#{petition_id}   DMS-LAST           (the rule of one sending a week)

An answer is part of its sending (one answer per sending): it holds no address, only what
the decision-maker wrote for the public (their stance, text, name and role).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from mobilise.table.base import _Item

#: The fields of the decision-maker's answer (their form's, in the order the page shows them).
FORM_FIELDS = ("stance", "text", "name", "role")


class Sending(_Item):
    """The petition sent once to its decision-maker, and their answer through its link."""

    petition_id = UnicodeAttribute()
    sending_id = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()
    link_expires_at = UTCDateTimeAttribute()
    stance = UnicodeAttribute(null=True)  # agree, disagree, other
    text = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    answered_at = UTCDateTimeAttribute(null=True)
    edited_at = UTCDateTimeAttribute(null=True)
    update_id = UnicodeAttribute(null=True)  # the decision_maker_response update it became

    @staticmethod
    def key(petition_id: str, sending_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", f"DMS#{sending_id}"


class LastSending(_Item):
    """When the petition was last sent to its decision-maker: the next sending waits a week."""

    sending_id = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute()

    @staticmethod
    def key(petition_id: str) -> tuple[str, str]:
        return f"PET#{petition_id}", "DMS-LAST"
