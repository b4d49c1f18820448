"""What a delivery message of an update reads before its recipients, in one request.

Three small items: the update's status (the stop and pause checks, :mod:`.store`), the
account's pause (:mod:`.pausing`) and the update's email as it was released
(:mod:`mobilise.table.update_emails`). A warm function remembers each for a while (the status
2 s, the pause 5 s, the email for good); when more than one is due, :func:`read` asks for
them in one BatchGetItem and hands each to the module that remembers it, which then reads
nothing. A message's first reads were three round trips; they are one.
"""

from __future__ import annotations

from typing import Any

from mobilise.delivery import pausing, store
from mobilise.table import update_emails
from mobilise.table.batch_reads import raw_items
from mobilise.table.models import Update
from mobilise.table.pauses import AccountPause
from mobilise.table.update_emails import UpdateEmails, UpdateEmailsItem

#: How many updates' emails a warm function keeps (a message holds one update's recipients).
EMAILS_KEPT = 64
_emails: dict[tuple[str, str], UpdateEmails | None] = {}


def read(petition_id: str, update_id: str) -> None:
    """Read, in one request, whichever of the three a message of this update is due to read,
    when more than one is; a single one is left to its module's own read."""
    status_key, pause_key = Update.key(petition_id, update_id), AccountPause.key()
    due: list[tuple[str, str]] = []
    if not store.status_known(petition_id, update_id):
        due.append(status_key)
    if not pausing.account_known():
        due.append(pause_key)
    if (petition_id, update_id) not in _emails:
        due.append(UpdateEmailsItem.key(petition_id, update_id))
    if len(due) < 2:
        return
    attributes = ["pk", "sk", "status", *update_emails.ATTRIBUTES]
    found: dict[tuple[str, str], Any] = {
        (item["pk"]["S"], item["sk"]["S"]): item for item in raw_items(due, attributes)
    }
    for key in due:
        item = found.get(key)
        if key == status_key:
            status = item["status"]["S"] if item is not None and "status" in item else None
            store.remember_status(petition_id, update_id, status)
        elif key == pause_key:
            pausing.remember_account(item is not None)
        else:
            _keep(petition_id, update_id, None if item is None else update_emails.from_raw(item))


def stored(petition_id: str, update_id: str) -> UpdateEmails | None:
    """The update's email as released, read once per warm function (:func:`read`, or here)."""
    if (petition_id, update_id) not in _emails:
        _keep(petition_id, update_id, update_emails.load(petition_id, update_id))
    return _emails[petition_id, update_id]


def _keep(petition_id: str, update_id: str, emails: UpdateEmails | None) -> None:
    if len(_emails) >= EMAILS_KEPT:
        _emails.clear()
    _emails[petition_id, update_id] = emails


def reset() -> None:
    """Forget the emails read (tests on a new moto)."""
    _emails.clear()
