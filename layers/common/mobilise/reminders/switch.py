"""The starter's switch for a petition's reminders (nudges, meeting follow-ups): the link of
every reminder names the petition."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from mobilise.core import links
from mobilise.core.errors import InvalidLink, NotFound
from mobilise.reminders import due, store
from mobilise.table import items
from mobilise.table.models import Petition


class NudgesOff(BaseModel):
    """The starter switched a petition's reminders off."""

    status: Literal["nudges_off"] = "nudges_off"
    message: str


def petition_of(token: str) -> Petition:
    """The petition a link names; :class:`InvalidLink` for a bad link or a petition gone."""
    petition_id = links.read_nudges_off(token)
    try:
        return items.get_petition(petition_id)
    except NotFound:
        raise InvalidLink() from None


def switch_off(petition: Petition) -> None:
    """No more reminders about this petition; again changes nothing."""
    store.switch_nudges_off(petition.petition_id)


def switch_on(petition: Petition) -> None:
    """Reminders again (the starter's dashboard): a nudge is due when it would have been had
    they never been off, its quiet time counted from the last update."""
    kind, at = due.nudge(petition.last_update_at or petition.created_at)
    store.switch_nudges_on(petition, (kind, due.when(at)))
