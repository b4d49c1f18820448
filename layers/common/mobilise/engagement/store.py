"""What signers do, counted: clicks per button (people and machines), responses with
their per-signer cap, RSVPs with their counts.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from mobilise.core import clock
from mobilise.core.errors import InvalidLink, RsvpConflict, TooManyResponses
from mobilise.table.batch_reads import batch_get
from mobilise.table.conditions import failed_condition
from mobilise.table.items import get_rsvp
from mobilise.table.models import (
    EMAILED,
    RSVP_ATTEMPTS,
    RSVP_COUNTS,
    ClickCount,
    Clicker,
    Petition,
    RateWindow,
    Response,
    Rsvp,
    Signature,
    Update,
    bound,
    connection,
)
from mobilise.table.rates import RESPONSE_COUNTER_LIFE, response_counter


class Clicks(NamedTuple):
    """The clicks on one button: a person's, and a machine's
    (:func:`mobilise.engagement.clicks.judge`)."""

    people: int
    machines: int


def count_click(
    petition_id: str,
    update_id: str,
    action: str,
    email_hash: str | None = None,
    *,
    machine: bool = False,
) -> None:
    """Count a click on ``action`` of an update that went out: ``ADD clicks 1`` (or
    ``machine_clicks``) on its counter, in one write conditional on the update still being
    one that went out.

    ``email_hash``: also record who clicked (only while ``per_person_clicks`` is on).
    :class:`InvalidLink` when the update is not (or no longer) one that went out.
    """
    bound()
    counter = ClickCount(*ClickCount.key(petition_id, update_id, action))
    tally = ClickCount.machine_clicks if machine else ClickCount.clicks
    for attempt in itertools.count(1):
        try:
            _count_click(counter, tally, petition_id, update_id, action, email_hash)
            return
        except TransactWriteError as error:
            if failed_condition(error, 0) is not None:
                raise InvalidLink() from error
            if not _conflicted(error) or attempt == CLICK_ATTEMPTS:
                raise
            # Delivery counts its sends on the update item in transactions of its own; a
            # click that meets one is cancelled as a whole and can simply be made again.
            time.sleep(random.uniform(0, 0.02 * attempt))  # noqa: S311 (jitter, not secrecy)


#: A click cancelled by a conflicting transaction on its update is made again, this often.
CLICK_ATTEMPTS = 3


def _conflicted(error: TransactWriteError) -> bool:
    return any(
        reason and reason.code == "TransactionConflict" for reason in error.cancellation_reasons
    )


def _count_click(
    counter: ClickCount,
    tally: Any,
    petition_id: str,
    update_id: str,
    action: str,
    email_hash: str | None,
) -> None:
    """The one transaction of a click: the update still one that went out, its counter, and
    who clicked if ``email_hash``."""
    with TransactWrite(connection=connection()) as transaction:
        transaction.condition_check(
            Update,
            *Update.key(petition_id, update_id),
            condition=Update.status.is_in(*EMAILED),
        )
        transaction.update(counter, actions=[tally.add(1)])
        if email_hash is not None:
            clicker = Clicker(*Clicker.key(petition_id, update_id, action, email_hash))
            transaction.update(
                clicker,
                actions=[
                    Clicker.petition_id.set(petition_id),
                    Clicker.update_id.set(update_id),
                    Clicker.action.set(action),
                    Clicker.email_key.set(email_hash),
                    Clicker.clicks.add(1),
                    Clicker.last_clicked_at.set(clock.now()),
                ],
            )


def last_clicks(
    petition_id: str, update_id: str, email_hash: str, actions: Iterable[str]
) -> list[datetime]:
    """When one signer last clicked each of ``actions`` of an update's email (recorded only
    while ``per_person_clicks`` is on): one BatchGet."""
    bound()
    keys = [Clicker.key(petition_id, update_id, action, email_hash) for action in actions]
    return [
        clicker.last_clicked_at
        for clicker in batch_get(Clicker, keys)
        if clicker.last_clicked_at is not None
    ]


def click_counts(petition_id: str, update_id: str) -> dict[str, Clicks]:
    """Clicks per action of an update's email: one Query of its counters."""
    bound()
    prefix = f"CLK#{update_id}#"
    return {
        counter.sk.removeprefix(prefix): Clicks(
            int(counter.clicks or 0), int(counter.machine_clicks or 0)
        )
        for counter in ClickCount.query(f"PET#{petition_id}", ClickCount.sk.startswith(prefix))
    }


#: Where a petition's own share links are counted, among its updates' counters.
PETITION_SHARES = "petition"


def count_share(petition_id: str, action: str) -> None:
    """Count a click on the share link ``action`` of a petition's page: ``ADD clicks 1`` on
    its counter, in one transaction that checks the petition exists (no counter is ever
    made for a petition that is not). :class:`InvalidLink` when it does not."""
    bound()
    counter = ClickCount(*ClickCount.key(petition_id, PETITION_SHARES, action))
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.condition_check(
                Petition, *Petition.key(petition_id), condition=Petition.pk.exists()
            )
            transaction.update(counter, actions=[ClickCount.clicks.add(1)])
    except TransactWriteError as error:
        if failed_condition(error, 0) is not None:
            raise InvalidLink() from error
        raise


def share_counts(petition_id: str) -> dict[str, Clicks]:
    """Clicks per share link of a petition's page: one Query of its counters."""
    return click_counts(petition_id, PETITION_SHARES)


def add_response(response: Response, limit: int) -> None:
    """Store a signer's response, if their signature still exists and they gave fewer than
    ``limit`` to this update: one transaction (the counter is a conditional write)."""
    bound()
    assert response.email_key is not None
    counter = response_counter(response.petition_id, response.update_id, response.email_key)
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(response, condition=Response.pk.does_not_exist())
            transaction.update(
                counter,
                actions=[
                    RateWindow.hits.add(1),
                    RateWindow.expires_at.set(clock.now() + RESPONSE_COUNTER_LIFE),
                ],
                condition=RateWindow.hits.does_not_exist() | (RateWindow.hits < limit),
            )
            transaction.condition_check(
                Signature,
                *Signature.key(response.petition_id, response.email_key),
                condition=Signature.pk.exists(),
            )
    except TransactWriteError as error:  # entries in the order DynamoDB gets them:
        if failed_condition(error, 0) is not None:  # condition checks, deletes, puts, updates
            raise InvalidLink() from error  # the signature was erased meanwhile
        if failed_condition(error, 2) is not None:
            raise TooManyResponses(limit) from error
        raise


def list_responses(
    petition_id: str, update_id: str, limit: int, after: str | None
) -> tuple[list[Response], str | None]:
    """An update's responses newest first; ``after`` is the last response id of the previous
    page."""
    bound()
    start = None
    if after is not None:
        pk, sk = Response.key(petition_id, update_id, after)
        start = {"pk": {"S": pk}, "sk": {"S": sk}}
    results = Response.query(
        f"PET#{petition_id}",
        Response.sk.startswith(f"RSP#{update_id}#"),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
    )
    page = list(results)
    return page, (page[-1].response_id if page and results.last_evaluated_key else None)


def all_responses(petition_id: str, update_id: str) -> Iterator[Response]:
    """Every response to an update, oldest first, read a page at a time."""
    bound()
    yield from Response.query(
        f"PET#{petition_id}", Response.sk.startswith(f"RSP#{update_id}#"), page_size=500
    )


def answer_rsvp(petition_id: str, update_id: str, email_hash: str, answer: str) -> None:
    """Store a signer's answer to an event and move the event's counts with it, in one
    transaction conditional on the answer it replaces: the same answer twice counts once, a
    changed answer moves one from a count to the other, and two answers at once cannot both
    count (the one that loses reads again and tries once more)."""
    bound()
    for _ in range(RSVP_ATTEMPTS):
        previous = get_rsvp(petition_id, update_id, email_hash)
        if previous is not None and previous.answer == answer:
            return
        rsvp = Rsvp(
            *Rsvp.key(petition_id, update_id, email_hash),
            petition_id=petition_id,
            update_id=update_id,
            answer=answer,
            email_key=email_hash,
            answered_at=clock.now(),
        )
        counts: list[Any] = [RSVP_COUNTS[answer].add(1)]
        if previous is not None:
            counts.append(RSVP_COUNTS[previous.answer].add(-1))
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(
                    rsvp,
                    condition=Rsvp.pk.does_not_exist()
                    if previous is None
                    else Rsvp.answer == previous.answer,
                )
                transaction.update(
                    Update(*Update.key(petition_id, update_id)),
                    actions=counts,
                    condition=Update.pk.exists() & (Update.type == "event"),
                )
                transaction.condition_check(
                    Signature,
                    *Signature.key(petition_id, email_hash),
                    condition=Signature.pk.exists(),
                )
        except TransactWriteError as error:  # order: condition check, put, update
            if failed_condition(error, 0) is not None or failed_condition(error, 2) is not None:
                raise InvalidLink() from error  # no signature, or no event
            if failed_condition(error, 1) is None:
                raise
            continue  # another answer came first: read it and try again
        return
    raise RsvpConflict()


def rsvp_yes_page(
    petition_id: str, update_id: str, cursor: dict[str, Any] | None, limit: int
) -> tuple[list[str], dict[str, Any] | None]:
    """The email hashes of up to ``limit`` of an event's "yes" answers, and the cursor after
    them (``None`` at the end; the last page may be empty)."""
    bound()
    results = Rsvp.query(
        f"PET#{petition_id}",
        Rsvp.sk.startswith(f"RSVP#{update_id}#"),
        filter_condition=Rsvp.answer == "yes",
        last_evaluated_key=cursor,
        limit=limit,
    )
    hashes = [rsvp.sk.rsplit("#", 1)[1] for rsvp in results]
    return hashes, results.last_evaluated_key
