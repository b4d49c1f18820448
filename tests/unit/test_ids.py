"""Identifiers: 26-character ULIDs in Crockford base 32, sortable by the domain clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mobilise.core import clock, ids

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MOMENT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


def _millis_of(identifier: str) -> int:
    """The time part of a ULID: its first 10 characters, 48 bits of milliseconds."""
    value = 0
    for char in identifier[:10]:
        value = value * 32 + CROCKFORD.index(char)
    return value


def test_an_id_is_26_crockford_characters() -> None:
    # Given the domain clock
    # When ids are made
    made = [ids.new_id() for _ in range(200)]

    # Then each is 26 characters of the Crockford alphabet
    for identifier in made:
        assert len(identifier) == 26
        assert set(identifier) <= set(CROCKFORD)


def test_ids_made_at_the_same_moment_differ() -> None:
    # Given a clock frozen at one millisecond
    clock.freeze(MOMENT)

    # When many ids are made
    made = {ids.new_id() for _ in range(1000)}

    # Then none is repeated: the random part tells them apart
    assert len(made) == 1000


def test_an_id_starts_with_the_milliseconds_of_the_domain_clock() -> None:
    # Given a clock frozen at a moment
    clock.freeze(MOMENT)

    # When an id is made
    identifier = ids.new_id()

    # Then its time part is that moment in milliseconds since the epoch
    assert _millis_of(identifier) == int(MOMENT.timestamp() * 1000)


def test_an_id_made_a_millisecond_later_sorts_after() -> None:
    # Given an id made on a frozen clock
    clock.freeze(MOMENT)
    earlier = ids.new_id()

    # When the clock moves one millisecond and another id is made
    clock.advance(0.001)
    later = ids.new_id()

    # Then the later id sorts after the earlier one, as text
    assert later > earlier


def test_ids_made_over_time_sort_in_the_order_they_were_made() -> None:
    # Given a frozen clock that moves between ids, by steps large and small
    clock.freeze(MOMENT)
    made = []
    for step in (0.001, 1, 0.002, 3600, 0.001, 86_400 * 365, 0.001):
        made.append(ids.new_id())
        clock.advance(step)
    made.append(ids.new_id())

    # When they are sorted as text
    ordered = sorted(made)

    # Then the order is the order in which they were made
    assert ordered == made


def test_is_id_accepts_what_new_id_makes() -> None:
    # Given ids made at different times
    made = [ids.new_id()]
    clock.freeze(datetime(1970, 1, 1, tzinfo=UTC))
    made.append(ids.new_id())

    # When they are checked
    # Then each is accepted
    assert all(ids.is_id(identifier) for identifier in made)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("01J0000000000000000000000", id="25 characters"),
        pytest.param("01J000000000000000000000000", id="27 characters"),
        pytest.param("01j0000000000000000000000a", id="lower case"),
        pytest.param("01I00000000000000000000000", id="ambiguous I"),
        pytest.param("01L00000000000000000000000", id="ambiguous L"),
        pytest.param("01O00000000000000000000000", id="ambiguous O"),
        pytest.param("01U00000000000000000000000", id="excluded U"),
        pytest.param("01J0000000000000000000000-", id="punctuation"),
        pytest.param("01J000000000000000000000 0", id="space"),
        pytest.param("01J00000000000000000000000\n", id="trailing newline"),
        pytest.param("01J0000000000000000000000É", id="non-ASCII letter"),
        pytest.param("../../../etc/passwd0000000", id="path"),
    ],
)
def test_is_id_refuses_what_is_not_an_id(text: str) -> None:
    # Given text that does not have the shape of an id
    # When it is checked
    accepted = ids.is_id(text)

    # Then it is refused
    assert accepted is False


def test_is_id_refuses_an_id_in_lower_case() -> None:
    # Given a genuine id (whose time part has letters), lower-cased
    clock.freeze(MOMENT)
    text = ids.new_id().lower()
    assert text != text.upper()

    # When it is checked
    # Then it is refused: ids are compared exactly, never case-folded
    assert ids.is_id(text) is False
