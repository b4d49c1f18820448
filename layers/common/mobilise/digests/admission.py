"""Whether an update's email goes to a person now, or waits in their digest."""

from __future__ import annotations

from mobilise.core.config import get_settings
from mobilise.digests import store


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
