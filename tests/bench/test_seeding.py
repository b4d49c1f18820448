"""The bench's seeded signatures leave what signing would: each person's count of petitions
followed one more per petition, the rest of that item kept, and at a second petition their
window seeded from the first one's emails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from mobilise_bench.env import use_fake_aws
from mobilise_bench.system import on_moto, seed_signatures

from mobilise.core import clock
from mobilise.digests import alone
from mobilise.table.persons import Follows, Window


@pytest.fixture
def frozen() -> Iterator[datetime]:
    at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    clock.freeze(at)
    yield at
    clock.reset()


def test_seeded_people_follow_one_more_petition_each_time(frozen: datetime) -> None:
    use_fake_aws()
    with on_moto({"DoubleOptIn": "false"}) as system:
        # Given two people who signed a petition, one of whose updates waited in a digest
        first = system.create_petition("ana")
        hashes = seed_signatures(first, 2, tag="person")
        alone.waited(hashes[0])
        # and an update of that petition emailing now
        assert alone.claim(first, "UPD1") is None

        # When they sign a second petition
        seed_signatures(system.create_petition("ben"), 2, tag="person")

        # Then each follows two, the flag kept, and their window is the first's emails'
        counts = [Follows.get(*Follows.key(h)) for h in hashes]
        assert [(int(c.petitions), bool(c.waited)) for c in counts] == [(2, True), (2, False)]
        for email_hash in hashes:
            window = Window.get(*Window.key(email_hash))
            assert (window.holder, window.taken_at) == ("UPD#UPD1", frozen)
