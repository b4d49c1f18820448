"""The daily cap without a write per email for those who receive one petition's updates.

The cap's window (:mod:`mobilise.digests.store`) costs one conditional write per update email,
1 write unit: 0.6 % of SES's price at on-demand rates, for every email. It is needed where
emails from different sources could meet in one person's day. For someone who receives one
petition's updates only, they come from that petition, and the 24-hour rule alone does not keep
them a day apart (a decision-maker's answer is outside it; an update held for review, or paused
and resumed, goes out late), so the petition keeps one item, ``EMAILING``: which of its updates
is being sent, and when a delivery message of it last began or ended (its emails go in
between). A message of an update claims it (one conditional write as it begins, one as it ends:
two a message, not one an email) when no other update of the petition was emailing in the last
day; then its recipients who are *alone* (they follow this petition only,
:class:`~mobilise.table.persons.Follows`, and their window, read with their signatures, is
free, a day old, or this update's) are sent without a write of their own. When another update
of the petition is emailing, they wait in their digest until a day after it; everyone else
takes their window as before.

Once an update has waited in someone's digest, they take their window from then on
(:func:`waited`): a digest due and an email without a window could otherwise go the same day.

Becoming someone who follows two petitions (a signature confirmed) seeds the window from the
first petition's ``EMAILING`` (:func:`following`): the email it may have sent them in the last
day, which took no window, takes it then. A person with no ``FOLLOWS`` item (from before it)
takes their window; their next signature counts their petitions first.

What is not exact: a window read as free by a message that is sending while, in the same
second, their digest takes it, or their count is read a moment before their second petition's
confirmation is; and a message whose function dies before it ends, whose emails may have gone
up to the function's timeout after it began: then two emails that day, not one (the window is
read, not taken; taking it is the write this module saves).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pynamodb.exceptions import UpdateError

from mobilise.core import clock
from mobilise.table.batch_reads import raw_items
from mobilise.table.conditions import condition_failed
from mobilise.table.models import Signature, bound
from mobilise.table.persons import Emailing, Follows, Window

DAY = timedelta(hours=24)
#: What the recipients' read takes of a person's items besides their signature.
ATTRIBUTES = ("petitions", "waited", "holder", "taken_at")


class Person(NamedTuple):
    """What the recipients' read found of someone: how many petitions they follow (``None``:
    no count yet), whether an update ever waited in their digest, and their window."""

    follows: int | None
    waited: bool
    holder: str | None
    taken_at: datetime | None


def keys(email_hashes: Iterable[str]) -> list[tuple[str, str]]:
    """The items read with the recipients: each one's count and window."""
    found: list[tuple[str, str]] = []
    for email_hash in email_hashes:
        found += [Follows.key(email_hash), Window.key(email_hash)]
    return found


def persons(raw: Iterable[dict[str, Any]], email_hashes: Iterable[str]) -> dict[str, Person]:
    """Each hash's :class:`Person`, from the raw items :func:`keys` named (missing: none)."""
    follows: dict[str, Follows] = {}
    windows: dict[str, tuple[str, datetime]] = {}
    for item in raw:
        email_hash = item["pk"]["S"].removeprefix("PERSON#")
        if item["sk"]["S"] == "FOLLOWS":
            follows[email_hash] = Follows.from_raw_data(item)
        else:
            window = Window.from_raw_data(item)
            windows[email_hash] = (window.holder, window.taken_at)
    found: dict[str, Person] = {}
    for email_hash in email_hashes:
        count = follows.get(email_hash)
        found[email_hash] = Person(
            None if count is None else int(count.petitions),
            bool(count is not None and count.waited),
            *windows.get(email_hash, (None, None)),
        )
    return found


def alone(person: Person | None, update_id: str, now: datetime) -> bool:
    """They follow one petition at most, no update ever waited in their digest, and no email
    but this update's took their day."""
    if person is None or person.follows is None or person.follows > 1 or person.waited:
        return False
    taken = person.taken_at
    return taken is None or taken <= now - DAY or person.holder == f"UPD#{update_id}"


def claim(petition_id: str, update_id: str) -> datetime | None:
    """Claim the petition's ``EMAILING`` as a message of this update begins: ``None`` when it
    is this update's now (no other was emailing in the last day), else when the day of the
    other's emails ends (those alone wait in their digest until then)."""
    bound()
    now = clock.now()
    item = Emailing(*Emailing.key(petition_id))
    try:
        item.update(
            actions=[
                Emailing.update_id.set(update_id),
                Emailing.last_at.set(now),
                Emailing.expires_at.set(now + 2 * DAY),
            ],
            condition=(
                Emailing.pk.does_not_exist()
                | (Emailing.update_id == update_id)
                | (Emailing.last_at <= now - DAY)
            ),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        try:
            other = Emailing.get(*Emailing.key(petition_id), consistent_read=True)
        except Emailing.DoesNotExist:
            return claim(petition_id, update_id)  # gone meanwhile (its expiry): try again
        if other.update_id == update_id or other.last_at <= now - DAY:
            return claim(petition_id, update_id)
        ends: datetime = other.last_at + DAY
        return ends
    return None


def ended(petition_id: str, update_id: str) -> None:
    """A message of this update that held the petition's ``EMAILING`` ended (sent what it sent,
    or stopped on an error): its emails' day is counted from now. Held by another update
    meanwhile (only once this one's day had passed), it is left to it."""
    bound()
    try:
        Emailing(*Emailing.key(petition_id)).update(
            actions=[Emailing.last_at.set(clock.now())],
            condition=Emailing.update_id == update_id,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def waited(email_hash: str) -> None:
    """An update waits in the person's digest: from now on they take their window, so that the
    digest, when due, and an email without a window do not go the same day. A person with no
    count (who takes it anyway) is given none."""
    bound()
    try:
        Follows(*Follows.key(email_hash)).update(
            actions=[Follows.waited.set(True)], condition=Follows.pk.exists()
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


# A person following one more petition -----------------------------------------------------


class Following(NamedTuple):
    """What a signature's transaction needs to make its person follow one more petition:
    the count to start from if they have none yet (every other petition they signed: more
    than they follow, never fewer), and whether their window is to be seeded once it is
    written (they followed one petition, whose emails took no window); the other petitions
    they signed, if :func:`following` read them for :attr:`start` (``None``: not read)."""

    email_hash: str
    petition_id: str
    start: int
    seed: bool
    others: frozenset[str] | None = None

    def action(self) -> Any:
        """The count's move, for the transaction: one more, from :attr:`start` if none."""
        return Follows.petitions.set((Follows.petitions | self.start) + 1)

    def written(self) -> None:
        """The transaction was written: seed the window if it is to be (:func:`_seed`). Only
        then: a signature refused (an unknown petition, a rate limit) changes nothing."""
        if self.seed:
            others = self.others
            if others is None:
                others = frozenset(_signed(self.email_hash) - {self.petition_id})
            _seed(self.email_hash, others)


def following(email_hash: str, petition_id: str) -> Following:
    """Read, before a signature makes someone follow ``petition_id`` too, what its
    transaction and then :meth:`Following.written` need (:class:`Following`)."""
    bound()
    try:
        follows = int(Follows.get(*Follows.key(email_hash), consistent_read=True).petitions)
    except Follows.DoesNotExist:
        others = frozenset(_signed(email_hash) - {petition_id})  # the seed's too: read once
        return Following(email_hash, petition_id, len(others), len(others) == 1, others)
    return Following(email_hash, petition_id, 0, seed=follows == 1)  # start: the count is there


def counted(email_hash: str) -> bool:
    """Whether the person has a count (not one from before counts, which a decrease would
    make negative: too few)."""
    bound()
    try:
        Follows.get(*Follows.key(email_hash), consistent_read=True, attributes_to_get=["pk"])
    except Follows.DoesNotExist:
        return False
    return True


def _signed(email_hash: str) -> set[str]:
    """The petitions the address signed (its signatures' partitions, ``by_email``)."""
    found = Signature.by_email.query(email_hash)
    return {item.pk.split("#")[1] for item in found if item.sk.startswith("EMAIL#")}


def _seed(email_hash: str, petitions: frozenset[str]) -> None:
    """The person's window taken by the update of these petitions that emailed last, until a
    day after its last message ended, unless it is taken later already."""
    keys = [Emailing.key(petition_id) for petition_id in sorted(petitions)]
    found = [Emailing.from_raw_data(item) for item in raw_items(keys)]
    now = clock.now()
    recent = [item for item in found if item.last_at > now - DAY]
    if not recent:
        return
    last = max(recent, key=lambda item: item.last_at)
    taken = last.last_at
    try:
        Window(*Window.key(email_hash)).update(
            actions=[
                Window.holder.set(f"UPD#{last.update_id}"),
                Window.taken_at.set(taken),
                Window.expires_at.set(taken + 2 * DAY),
            ],
            condition=Window.pk.does_not_exist()
            | ((Window.taken_at < taken) & Window.lease.does_not_exist()),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise  # else taken later already, or a digest is being sent: it holds the day
