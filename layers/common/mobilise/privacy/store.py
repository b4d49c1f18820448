"""Personal data in the table: what an address left (for export and erasure), erasing it,
and the retention of a closed petition's signatures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import RsvpConflict
from mobilise.table import counters
from mobilise.table.conditions import condition_failed, failed_condition
from mobilise.table.items import get_rsvp
from mobilise.table.models import (
    RETENTION,
    RSVP_ATTEMPTS,
    RSVP_COUNTS,
    Petition,
    RateWindow,
    Response,
    Rsvp,
    Signature,
    Update,
    bound,
    connection,
    signature_partition,
)
from mobilise.table.rates import email_scope, response_counter


def petitions_to_expire(limit: int) -> list[Petition]:
    """Closed petitions whose signatures do not all carry their expiry yet."""
    bound()
    due = Petition.due.query(RETENTION, Petition.outbox_sk <= clock.now().isoformat(), limit=limit)
    return [cast(Petition, petition) for petition in due]


def signatures_page(
    petition_id: str, shard: int, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[Signature], dict[str, Any] | None]:
    """One page of a shard's signatures (all of them), and the cursor after it."""
    bound()
    results = Signature.query(
        signature_partition(petition_id, shard), last_evaluated_key=cursor, limit=limit
    )
    return list(results), results.last_evaluated_key


def expire_signature(signature: Signature, expires_at: datetime) -> None:
    """Give a signature its expiry; one erased meanwhile stays erased."""
    bound()
    try:
        signature.update(
            actions=[Signature.expires_at.set(expires_at)], condition=Signature.pk.exists()
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def retention_progress(petition_id: str, cursor: dict[str, Any] | None) -> None:
    """Where the expiry of a petition's signatures got to; ``None``: done (out of the index)."""
    bound()
    petition = Petition(*Petition.key(petition_id))
    actions: list[Action]
    if cursor is None:
        actions = [
            Petition.retention_cursor.remove(),
            Petition.outbox_pk.remove(),
            Petition.outbox_sk.remove(),
        ]
    else:
        actions = [Petition.retention_cursor.set(cursor)]
    petition.update(actions=actions, condition=Petition.status != "open")  # closed, or won


def erase_signature(signature: Signature) -> None:
    """Delete a signature and take it off its petition's counts, in one transaction (as it
    is then: read again, so a confirmation meanwhile is taken off too)."""
    counters.change(signature.petition_id, signature.email_hash, lambda _: ([], None))


def expire_counts(petition_id: str, expires_at: datetime) -> None:
    """A petition's counts expire with its signatures."""
    counters.expire(petition_id, expires_at)


def forget_email_windows(email_hash: str) -> None:
    """Delete an address's counters of emails from signing (its erasure)."""
    bound()
    for window in RateWindow.query(f"RATE#{email_scope(email_hash)}"):
        window.delete()


def by_email(email_hash: str) -> list[tuple[str, str]]:
    """The keys of every item that holds a trace of this address (the ``by_email`` index)."""
    bound()
    return [(item.pk, item.sk) for item in Signature.by_email.query(email_hash)]


def erase_response(response: Response) -> None:
    """Delete a response, and the counter of its signer's responses to that update."""
    bound()
    assert response.email_key is not None
    counter = response_counter(response.petition_id, response.update_id, response.email_key)
    with TransactWrite(connection=connection()) as transaction:
        transaction.delete(response)
        transaction.delete(counter)


def erase_rsvp(rsvp: Rsvp) -> None:
    """Delete an answer and take it off its event's count; if the answer changed meanwhile,
    read it again."""
    bound()
    for _ in range(RSVP_ATTEMPTS):
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.delete(rsvp, condition=Rsvp.answer == rsvp.answer)
                transaction.update(
                    Update(*Update.key(rsvp.petition_id, rsvp.update_id)),
                    actions=[RSVP_COUNTS[rsvp.answer].add(-1)],
                    condition=Update.pk.exists(),
                )
        except TransactWriteError as error:
            if failed_condition(error, 1) is not None:  # the event is gone: the answer goes alone
                rsvp.delete()
                return
            if failed_condition(error, 0) is None:
                raise
            found = get_rsvp(rsvp.petition_id, rsvp.update_id, rsvp.sk.rsplit("#", 1)[1])
            if found is None:
                return
            rsvp = found
            continue
        return
    raise RsvpConflict()


def forget_owner_email(petition_id: str) -> None:
    """Take a starter's address off a petition; the petition stays."""
    bound()
    Petition(*Petition.key(petition_id)).update(
        actions=[Petition.owner_email.remove(), Petition.owner_email_key.remove()],
        condition=Petition.pk.exists(),
    )
