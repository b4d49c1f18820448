"""Whether an update's email goes to a person now, or waits in their digest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.digests import alone, store


def admit(petition_id: str, update_id: str, email_hash: str) -> bool:
    """True: send the update's email now (the person's window is this update's); False: it
    waits in their digest, due when their window reopens (its entry written, the same
    entry if written again). With ``signer_daily_cap`` off: always True, nothing written."""
    if not get_settings().signer_daily_cap:
        return True
    reopens = store.take_for_update(email_hash, update_id)
    if reopens is None:
        return True
    store.add_entry(email_hash, petition_id, update_id, reopens)
    return False


class Message:
    """The admissions of one delivery message's recipients: those alone in their day
    (:mod:`mobilise.digests.alone`) without a write of their own while the update holds its
    petition's ``EMAILING`` (claimed once, at the first of them, and :meth:`end` ed), the
    others by :func:`admit`."""

    def __init__(self, petition_id: str, update_id: str, persons: Mapping[str, alone.Person]):
        self._petition_id, self._update_id = petition_id, update_id
        self._persons = persons
        self._now = clock.now()
        self._emailing: tuple[datetime | None] | None = None  # claimed: (None,) or (its end,)

    def admit(self, email_hash: str) -> bool:
        """As :func:`admit`: True to send now, False when it waits in their digest."""
        if not get_settings().signer_daily_cap:
            return True
        if not alone.alone(self._persons.get(email_hash), self._update_id, self._now):
            return admit(self._petition_id, self._update_id, email_hash)
        if self._emailing is None:
            self._emailing = (alone.claim(self._petition_id, self._update_id),)
        ends = self._emailing[0]
        if ends is None:
            return True
        store.add_entry(email_hash, self._petition_id, self._update_id, ends)
        return False

    def end(self) -> None:
        """The message ended: if it held its petition's ``EMAILING``, say when."""
        if self._emailing == (None,):
            alone.ended(self._petition_id, self._update_id)
