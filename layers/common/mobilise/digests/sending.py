"""Sending a person's digest: exactly once per (update, person) but for one window.

The deliver function reads the person's due entries (at most :data:`MAX_SECTIONS`: memory
stays flat whatever the number of petitions; the rest waits for the next day), drops those
no longer to send (the signer left or was suppressed, the update was stopped or is gone),
takes the person's window for the digest under a lease, sends one email, deletes the
entries it held, and lets the lease go.

- The same message twice, or two messages for one person: the second finds the entries gone
  (nothing to do), or the lease held (:class:`~mobilise.digests.store.DigestBusy`: its SQS
  record is retried, and then finds them gone).
- Throttling or a failure on SES's side: the window is given back, the entries stay, the SQS
  record is retried. A refusal for good (MessageRejected, ...): the entries are dropped.
- The window, as for updates (:mod:`mobilise.delivery.sending`): the function dies after SES
  accepted the digest and before its entries were deleted; once its lease has run out, the
  retry sends that digest again.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from botocore.exceptions import ClientError

from mobilise.core import clock
from mobilise.core.errors import NotFound
from mobilise.core.observability import logger, metrics
from mobilise.delivery import ses
from mobilise.delivery.messages import DigestMessage
from mobilise.delivery.pacing import pacer
from mobilise.digests import compose, store
from mobilise.table import items
from mobilise.table.persons import DigestEntry

#: Sections of one digest at most (the rest waits for the next day). Its List-Unsubscribe link
#: names each one's petition and update: six keep that header well inside one line.
MAX_SECTIONS = 6
_SENDABLE = ("published", "sending", "sent")


def deliver_digest(message: DigestMessage) -> None:
    """Send the person's digest of the updates due for them, if any."""
    email_hash, now = message.email_hash, clock.now()
    entries = store.waiting(email_hash, now, MAX_SECTIONS)
    if not entries:
        return  # sent already (a message handled twice), or erased
    sections = _sections(email_hash, entries)
    if not sections:
        store.remove(entries)
        return
    taken = store.take_for_digest(email_hash, secrets.token_hex(8))
    if isinstance(taken, datetime):  # an update took the window first: wait for it
        store.postpone(email_hash, now, taken, MAX_SECTIONS)
        return
    sent = _send(email_hash, sections, taken)
    store.remove(entries)
    if sent:
        store.release(taken)
        store.postpone(email_hash, now, clock.now() + store.DAY, MAX_SECTIONS)


def _sections(email_hash: str, entries: list[DigestEntry]) -> list[compose.Section]:
    """The entries still to send: the signer still receives the petition's updates, is not
    suppressed, and the update goes on (not stopped, not gone)."""
    if items.suppressed([email_hash]):
        return []
    sections = []
    for entry in entries:
        try:
            update = items.get_update(entry.petition_id, entry.update_id)
            petition = items.get_petition(entry.petition_id)
            signature = items.get_signature(entry.petition_id, email_hash)
        except NotFound:
            continue
        if update.status in _SENDABLE and signature.receives_updates:
            sections.append(compose.Section(petition, update, signature))
    return sections


def _send(email_hash: str, sections: list[compose.Section], taken: store.Taken) -> bool:
    """Build and send the digest; False if it cannot be sent, ever (not built, or refused for
    good: the window given back). SES's refusal that may pass gives the window back and
    raises: the SQS record is retried, the entries still there."""
    try:
        digest = compose.digest(email_hash, sections)
    except Exception as error:  # the address cannot be written (as for an update: failed)
        logger.warning("digest not built", error=type(error).__name__)
        metrics.add_metric(name="EmailsNotBuilt", unit="Count", value=1)
        store.give_back(taken)
        return False
    pacer().wait()
    try:
        ses.send(digest.to, digest.raw, {"kind": "digest"})
    except ClientError as error:
        try:
            code = ses.permanent_refusal(error)
        except ses.SesUnavailable:
            store.give_back(taken)
            raise
        logger.warning("digest refused by SES", code=code)
        store.give_back(taken)
        return False
    metrics.add_metric(name="DigestsSent", unit="Count", value=1)
    logger.info("digest sent", sections=len(sections))
    return True
