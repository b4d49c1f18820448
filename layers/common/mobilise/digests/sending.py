"""Sending a person's digest: exactly once per (update, person) but for one window.

The deliver function reads the person's due entries (at most :data:`MAX_SECTIONS`: memory
stays flat whatever the number of petitions; the rest waits for the next day), drops those
no longer to send (the signer left or was suppressed, the update was stopped or is gone),
keeps for a later digest those of an update paused by its circuit breaker, takes the
person's window for the digest under a lease, sends one email, deletes the
entries it held, and lets the lease go.

- The same message twice, or two messages for one person: the second finds the entries gone
  (nothing to do), or the lease held (:class:`~mobilise.digests.store.DigestBusy`: its SQS
  record is retried, and then finds them gone).
- Throttling or a failure on SES's side: the window is given back, the entries stay, the SQS
  record is retried. A refusal for good (MessageRejected, ...): the entries are dropped.
- SES refusing the whole account's sending (AccountSendingPaused): the window is given back,
  the entries stay, the account's pause is set (:mod:`mobilise.delivery.pausing`) and the
  message is consumed; while it is paused no digest is sent, and the schedule lists the
  entries again (:data:`~mobilise.digests.store.REQUEUE`) until an operator resumes.
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
from mobilise.delivery import pausing, ses
from mobilise.delivery.messages import DigestMessage
from mobilise.delivery.pacing import pacer
from mobilise.digests import compose, store
from mobilise.table import items
from mobilise.table.persons import DigestEntry

#: Sections of one digest at most (the rest waits for the next day). Its List-Unsubscribe link
#: names each one's petition and update: six keep that header well inside one line.
MAX_SECTIONS = 6
_SENDABLE = ("published", "sending", "sent")
_PAUSED = "paused"  # its circuit breaker paused it: an operator resumes or cancels it


def deliver_digest(message: DigestMessage) -> None:
    """Send the person's digest of the updates due for them, if any."""
    if pausing.account_paused():
        return  # SES sends nothing for the account: the entries wait, listed again
    email_hash, now = message.email_hash, clock.now()
    entries = store.waiting(email_hash, now, MAX_SECTIONS)
    if not entries:
        return  # sent already (a message handled twice), or erased
    sections, kept = _sections(email_hash, entries)
    done = [entry for entry in entries if entry.update_id not in kept]
    if not sections:
        store.remove(done)
        if kept:
            store.postpone(email_hash, now, now + store.DAY, MAX_SECTIONS)
        return
    taken = store.take_for_digest(email_hash, secrets.token_hex(8))
    if isinstance(taken, datetime):  # an update took the window first: wait for it
        store.postpone(email_hash, now, taken, MAX_SECTIONS)
        return
    try:
        sent = _send(email_hash, sections, taken)
    except ses.SendingPaused:
        return  # nothing lost, nobody failed: the entries wait for the account's resume
    store.remove(done)
    if sent:
        store.release(taken)
        store.postpone(email_hash, now, clock.now() + store.DAY, MAX_SECTIONS)


def _sections(
    email_hash: str, entries: list[DigestEntry]
) -> tuple[list[compose.Section], set[str]]:
    """The entries still to send (the signer still receives the petition's updates, is not
    suppressed, and the update goes on: not stopped, not gone), and the updates of those kept
    for a later digest (paused: their operator may resume them)."""
    if items.suppressed([email_hash]):
        return [], set()
    sections, kept = [], set()
    for entry in entries:
        try:
            update = items.get_update(entry.petition_id, entry.update_id)
            petition = items.get_petition(entry.petition_id)
            signature = items.get_signature(entry.petition_id, email_hash)
        except NotFound:
            continue
        if update.status == _PAUSED:
            kept.add(entry.update_id)
        elif update.status in _SENDABLE and signature.receives_updates:
            sections.append(compose.Section(petition, update, signature))
    return sections, kept


def _send(email_hash: str, sections: list[compose.Section], taken: store.Taken) -> bool:
    """Build and send the digest; False if it cannot be sent, ever (not built, or refused for
    good: the window given back). SES's refusal that may pass gives the window back and
    raises: the SQS record is retried, the entries still there."""
    try:
        digest = compose.digest(email_hash, sections)
    except compose.NotAddressable as error:  # as for an update: failed, never tried again
        logger.warning("digest not built", error=str(error))
        metrics.add_metric(name="EmailsNotBuilt", unit="Count", value=1)
        store.give_back(taken)
        return False
    except Exception:  # everyone's (the signing key, a template): the SQS record is retried
        store.give_back(taken)
        raise
    pacer().wait()
    try:
        ses.send(digest.to, digest.raw, {"kind": "digest"})
    except ClientError as error:
        try:
            code = ses.permanent_refusal(error)
        except ses.SendingPaused as refused:
            store.give_back(taken)
            pausing.account_refused(refused.code)
            raise
        except ses.SesUnavailable:
            store.give_back(taken)
            raise
        logger.warning("digest refused by SES", code=code)
        store.give_back(taken)
        return False
    metrics.add_metric(name="DigestsSent", unit="Count", value=1)
    logger.info("digest sent", sections=len(sections))
    return True
