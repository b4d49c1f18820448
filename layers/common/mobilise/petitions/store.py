"""The petitions' and signatures' data: starting and closing a petition, adding a
signature with its counts (:mod:`mobilise.table.counters`) and rate limits, confirming it.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import AlreadySigned, InvalidLink, NotFound, NotOwner, RateLimited
from mobilise.digests import alone
from mobilise.table import counters
from mobilise.table.conditions import failed_condition
from mobilise.table.items import get_petition, suppression
from mobilise.table.models import RETENTION, Petition, Signature, bound, connection
from mobilise.table.rates import email_scope, rate_windows, take_windows

CONSENT_VERSION = "2026-11-updates-v1"


def create_petition(petition: Petition) -> Petition:
    """Store a new petition with its count slots open to signing, in one transaction."""
    bound()
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(petition, condition=Petition.pk.does_not_exist())
        counters.open_all(transaction, petition.petition_id)
    return petition


def close_petition(caller: str, petition_id: str) -> Petition:
    """Close a petition to signatures, once; its signatures then get their expiry (see
    :mod:`mobilise.privacy.retention`), found through the ``outbox`` index. Closing again, or
    closing a won petition (a victory already ended its signing), is a no-op. Every count
    slot hears it in the same transaction: a signature is counted before the closing, or
    refused.
    The petition as it is afterwards."""
    bound()
    now = clock.now()
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                Petition(*Petition.key(petition_id)),
                actions=[
                    Petition.status.set("closed"),
                    Petition.closed_at.set(now),
                    Petition.outbox_pk.set(RETENTION),
                    Petition.outbox_sk.set(now.isoformat()),
                ],
                condition=(Petition.owner_id == caller) & (Petition.status == "open"),
            )
            counters.close_signing(transaction, petition_id)
    except TransactWriteError as error:
        if failed_condition(error, 0) is None:
            raise
        current = get_petition(petition_id)
        if current.owner_id != caller:
            raise NotOwner() from error
        return current
    return get_petition(petition_id)


def add_signature(
    signature: Signature,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> bool:
    """Store a signature and count it, once per mailbox (see :func:`crypto.mailbox`), within
    the rate ``limits`` of ``rate_scope``: one transaction, so a refused signature writes
    nothing at all. A signature born confirmed (no double opt-in) counts as confirmed too;
    one of a suppressed address is marked so (it counts as no subscriber).

    ``email_limits`` (none when no email follows) cap the emails the address gets from
    signing, counted under its hash in the same transaction. True: an email may be sent;
    False: the cap is reached, and the signature is stored all the same, without an email.
    """
    bound()
    found = suppression(signature.email_hash)
    signature.suppressed_at = found.suppressed_at if found else None
    try:
        _add_signature(signature, rate_scope, limits, email_limits)
    except _EmailCapReached:
        _add_signature(signature, rate_scope, limits, [])
        return False
    return bool(email_limits)


def _add_signature(
    signature: Signature,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> None:
    """Add it; a count slot that does not say whether signing is open (a petition's from
    before the counters) learns it from the petition, once, and the signature is tried
    again."""
    try:
        _write_signature(signature, rate_scope, limits, email_limits)
    except _SlotSaysNothing:
        petition = get_petition(signature.petition_id)  # NotFound: there is no petition
        if petition.status != "open":
            raise _closed() from None
        counters.open_signing(petition.petition_id, counters.slot_of(signature.email_hash))
        _write_signature(signature, rate_scope, limits, email_limits)


class _EmailCapReached(Exception):
    """The address had all the emails it may get from signing for now."""


def _closed() -> NotFound:
    return NotFound("This petition is no longer open for signatures.")


class _SlotSaysNothing(Exception):
    """The signature's count slot does not say whether signing is open."""


def _write_signature(
    signature: Signature,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> None:
    slot, counts, day, day_counts = counters.signed(signature)
    windows = rate_windows(rate_scope, limits)
    capped = rate_windows(email_scope(signature.email_hash), email_limits)
    follows = counters.following(None, counters.state(signature))
    plan = alone.following(signature.email_hash, signature.petition_id) if follows else None
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(signature, condition=Signature.pk.does_not_exist())
            transaction.update(
                slot, actions=counts, condition=counters.signing_open(), return_values="ALL_OLD"
            )
            transaction.update(day, actions=day_counts)
            for window, actions, condition, _ in windows + capped:
                transaction.update(window, actions=actions, condition=condition)
            counters.follow(transaction, signature.email_hash, follows, plan)
    except TransactWriteError as error:
        old = failed_condition(error, 1)  # first: a closed petition answers alike, signed or not
        if old is not None:
            if old.get("signing", {}).get("S") == counters.CLOSED:
                raise _closed() from error
            raise _SlotSaysNothing() from error
        if failed_condition(error, 0) is not None:
            raise AlreadySigned() from error
        for index, (_, _, _, retry_after) in enumerate(windows, start=3):
            if failed_condition(error, index) is not None:
                raise RateLimited(retry_after) from error
        first_cap = 3 + len(windows)
        if any(
            failed_condition(error, first_cap + index) is not None for index in range(len(capped))
        ):
            raise _EmailCapReached() from error
        raise
    if plan is not None:
        plan.written()


def signed_again(
    email_hash: str,
    rate_scope: str,
    limits: list[tuple[int, int]],
    email_limits: list[tuple[int, int]],
) -> bool:
    """Count a signature of an address that had signed against the client's rate ``limits``
    (:class:`RateLimited`) and, in the same transaction, against the address's
    ``email_limits``. True: an email may follow; False: none (no limits, or the cap)."""
    bound()
    windows = rate_windows(rate_scope, limits)
    capped = rate_windows(email_scope(email_hash), email_limits)
    try:
        take_windows(windows + capped)
    except TransactWriteError as error:
        for index, (_, _, _, retry_after) in enumerate(windows):
            if failed_condition(error, index) is not None:
                raise RateLimited(retry_after) from error
        if all(
            failed_condition(error, len(windows) + index) is None for index in range(len(capped))
        ):
            raise
        take_windows(windows)
        return False
    return bool(email_limits)


def confirm(petition_id: str, email_hash: str) -> bool:
    """Mark a signature confirmed (double opt-in) and count it, in one transaction: only
    the first confirmation counts. True the first time, False when it already was;
    :class:`InvalidLink` if there is no such signature."""
    first = counters.mark(
        petition_id, email_hash, Signature.confirmed_at, clock.now(), confirmed_today=True
    )
    if first is None:
        raise InvalidLink()
    return first
