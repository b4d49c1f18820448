"""The daily cap without a write per email for those who follow one petition
(:mod:`mobilise.digests.alone`): they take no window of their own, and still get no two update
emails in a day, on moto and DynamoDB Local, read from the requests and the emails as they
leave."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock, crypto
from mobilise.delivery import queues
from mobilise.delivery import store as delivery_store
from mobilise.privacy import personal_data
from mobilise.table import items
from mobilise.table.models import Update
from mobilise.table.persons import Follows
from tests.integration.harness import Mobilise, event
from tests.integration.requests_sent import requests_sent

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ANA, BEN, ZOE = "ana@example.org", "ben@example.org", "zoe@example.org"
DIGEST_LINK = "/unsubscribe-digest/"


def _received(mobilise: Mobilise) -> list[tuple[str, str, bool]]:
    """(address, subject, whether a digest) of every email SES accepted, in order."""
    return [
        (sent["to"][0], str(sent["subject"]), DIGEST_LINK in sent["headers"]["List-Unsubscribe"])
        for sent in mobilise.outbox()
        if "List-Unsubscribe" in sent["headers"]
    ]


def _writes(sent: list[tuple[str, dict[str, Any]]], sort_key: str) -> list[str]:
    """The partitions of the UpdateItem requests sent on items of ``sort_key``."""
    return [
        params["Key"]["pk"]["S"]
        for operation, params in sent
        if operation == "UpdateItem" and params["Key"]["sk"]["S"] == sort_key
    ]


def _petition(mobilise: Mobilise, owner: str, *signers: str) -> str:
    petition_id = mobilise.create_petition(owner=owner, title=f"Petition of {owner}")
    for address in signers:
        assert mobilise.sign(petition_id, address).status == 201
    return petition_id


def _publish(mobilise: Mobilise, petition_id: str, owner: str, title: str) -> None:
    published = mobilise.publish(petition_id, owner=owner, title=title)
    assert published.status == 201, published.text
    mobilise.run_queues()


def _emailed_at_nine(mobilise: Mobilise, address: str) -> str:
    """A petition ``address`` alone signed, whose first update reached them at 9:00 (T0)."""
    clock.freeze(T0 - timedelta(hours=1))
    petition_id = _petition(mobilise, "alice", address)
    clock.freeze(T0)
    _publish(mobilise, petition_id, "alice", "First news")
    return petition_id


def _another_update_now(mobilise: Mobilise, petition_id: str, title: str) -> None:
    """A second update of the petition within its 24 hours, published as a decision-maker's
    answer is (outside the rule: its job written and queued), then delivered."""
    update_id = mobilise.seed_update(petition_id, "news", {})
    items.get_update(petition_id, update_id).update(actions=[Update.title.set(title)])
    items.fanout_job(petition_id, update_id, clock.now()).save()
    queues.announce_fanout(petition_id, update_id)
    mobilise.run_queues()


def _schedule(mobilise: Mobilise, at: datetime) -> None:
    clock.freeze(at)
    mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))
    mobilise.run_queues()


def test_those_who_follow_one_petition_take_no_window_and_one_who_follows_two_does(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Ana and Ben signed one petition, and Zoé that one and another
    mobilise = on_both
    clock.freeze(T0 - timedelta(hours=1))
    first = _petition(mobilise, "alice", ANA, BEN, ZOE)
    _petition(mobilise, "bob", ZOE)
    sent = requests_sent(monkeypatch)

    # When the first publishes an update, delivered
    clock.freeze(T0)
    _publish(mobilise, first, "alice", "News from Alice")

    # Then each got it once, and only Zoé's window was written
    assert Counter(_received(mobilise)) == {
        (address, "News from Alice", False): 1 for address in (ANA, BEN, ZOE)
    }
    assert _writes(sent, "WINDOW") == [f"PERSON#{crypto.email_hash(ZOE)}"]
    # And the petition's EMAILING was claimed as each delivery message began, and ended
    emailing = _writes(sent, "EMAILING")
    assert set(emailing) == {f"PET#{first}"}
    assert len(emailing) % 2 == 0
    counts = {
        address: Follows.get(*Follows.key(crypto.email_hash(address))).petitions
        for address in (ANA, BEN, ZOE)
    }
    assert counts == {ANA: 1, BEN: 1, ZOE: 2}


def test_a_second_update_of_one_petition_within_the_day_waits_a_day_for_those_alone(
    on_both: Mobilise,
) -> None:
    # Given Ana follows one petition only, and had its update at 9:00
    mobilise = on_both
    petition_id = _emailed_at_nine(mobilise, ANA)

    # When another update of it goes out at 15:00 (as a decision-maker's answer does)
    clock.freeze(T0 + timedelta(hours=6))
    _another_update_now(mobilise, petition_id, "The mayor answered")
    that_day = _received(mobilise)
    # And the starter publishes again as soon as the 24-hour rule allows, before the schedule
    # has sent her digest, due then too
    clock.freeze(T0 + timedelta(hours=24, seconds=30))
    _publish(mobilise, petition_id, "alice", "Third news")
    for minutes in (2, 3):
        _schedule(mobilise, T0 + timedelta(hours=24, minutes=minutes))
    next_day = _received(mobilise)[len(that_day) :]
    _schedule(mobilise, T0 + timedelta(hours=48, minutes=2))

    # Then she had the first at once and nothing more that day; the next day one email, the
    # third update, and the answer in her digest a day after that
    assert that_day == [(ANA, "First news", False)]
    assert next_day == [(ANA, "Third news", False)]
    ((to, _, digest),) = _received(mobilise)[2:]
    assert to == ANA
    assert digest


def test_someone_who_signs_a_second_petition_after_an_email_from_their_first_waits_a_day(
    on_both: Mobilise,
) -> None:
    # Given Zoé followed one petition and had its update at 9:00, with no window of her own
    mobilise = on_both
    _emailed_at_nine(mobilise, ZOE)
    second = _petition(mobilise, "bob")

    # When she signs a second petition at noon, which publishes at 14:00
    clock.freeze(T0 + timedelta(hours=3))
    assert mobilise.sign(second, ZOE).status == 201
    clock.freeze(T0 + timedelta(hours=5))
    _publish(mobilise, second, "bob", "News from Bob")
    that_day = _received(mobilise)
    _schedule(mobilise, T0 + timedelta(hours=24, minutes=2))

    # Then the second petition's update waited for her day to pass, in her digest
    assert that_day == [(ZOE, "First news", False)]
    ((to, _, digest),) = _received(mobilise)[1:]
    assert to == ZOE
    assert digest


def test_a_second_update_a_day_after_the_first_s_emails_goes_at_once(on_both: Mobilise) -> None:
    # Given Ana follows one petition and had its update at 9:00
    mobilise = on_both
    petition_id = _emailed_at_nine(mobilise, ANA)

    # When the starter publishes again as soon as the 24-hour rule allows
    clock.freeze(T0 + timedelta(hours=24, seconds=1))
    _publish(mobilise, petition_id, "alice", "Second news")

    # Then it comes at once, as an update email, not in a digest
    assert _received(mobilise) == [(ANA, "First news", False), (ANA, "Second news", False)]


def _follows(email_hash: str) -> int | None:
    try:
        return int(Follows.get(*Follows.key(email_hash), consistent_read=True).petitions)
    except Follows.DoesNotExist:
        return None


def test_the_count_follows_a_person_through_unsubscribing_suppression_and_erasure(
    on_both: Mobilise,
) -> None:
    # Given Zoé signed three petitions, and Ana one without wanting updates
    mobilise = on_both
    petitions = [_petition(mobilise, f"starter{index}", ZOE) for index in range(3)]
    assert mobilise.sign(petitions[0], ANA, wants_updates=False).status == 201
    zoe = crypto.email_hash(ZOE)
    counts = [_follows(zoe)]

    # When she leaves one, then her address complains (suppressed on every petition)
    delivery_store.unsubscribe(petitions[0], zoe)
    counts.append(_follows(zoe))
    delivery_store.suppress(zoe, "complaint")
    counts.append(_follows(zoe))
    exported = personal_data.export(ZOE)["digest"]
    # And her data is erased
    personal_data.erase(ZOE)

    # Then her count went 3, 2, 0, her export says so, and it is gone with her; Ana, following
    # nothing, has none
    assert counts == [3, 2, 0]
    assert (exported["petitions_followed"], exported["ever_waited"]) == (0, False)
    assert _follows(zoe) is None
    assert _follows(crypto.email_hash(ANA)) is None


def test_a_person_from_before_the_counts_is_counted_from_all_their_signatures_when_signing(
    on_both: Mobilise,
) -> None:
    # Given Zoé's signatures on two petitions were stored before there were counts
    mobilise = on_both
    earlier = [mobilise.create_petition(owner=f"starter{index}") for index in range(2)]
    for petition_id in earlier:
        mobilise.seed_signatures(petition_id, [ZOE])
    zoe = crypto.email_hash(ZOE)
    before = _follows(zoe)

    # When she signs a third
    _petition(mobilise, "starter2", ZOE)

    # Then she has no count until then, and three after: she takes her window from now on
    assert before is None
    assert _follows(zoe) == 3
