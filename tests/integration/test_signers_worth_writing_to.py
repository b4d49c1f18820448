"""Double opt-in, the signing rate limit, and the starter's delivery statistics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from mobilise.core import clock
from tests.integration.harness import Mobilise, running_on_moto


@pytest.fixture
def opt_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        yield system


def _confirm_link(mobilise: Mobilise, address: str) -> str:
    (email,) = [m for m in mobilise.outbox() if m["to"] == [address]]
    found = re.search(r"https://mobilise\.test(/signatures/confirm/\S+)", email["text"])
    assert found, email["text"]
    return found.group(1)


def test_updates_go_only_to_signers_who_confirmed_their_address(opt_in: Mobilise) -> None:
    # Given two signers who want updates: one follows the confirmation link, one does not
    petition_id = opt_in.create_petition()
    for address in ("yes@example.org", "later@example.org"):
        reply = opt_in.sign(petition_id, address)
        assert reply.status == 201
        assert reply.json()["confirmation_required"] is True
    opt_in.run_queues()
    confirmations = opt_in.outbox()
    assert sorted(m["to"][0] for m in confirmations) == ["later@example.org", "yes@example.org"]
    assert all(m["subject"].startswith("Confirm your signature") for m in confirmations)
    page = opt_in.request("POST", _confirm_link(opt_in, "yes@example.org"))
    assert page.status == 200
    assert "confirmed" in page.text

    # When the starter publishes
    opt_in.publish(petition_id, title="Only confirmed")
    opt_in.run_queues()

    # Then only the confirmed signer gets it
    update_emails = [m for m in opt_in.outbox() if m["subject"] == "Only confirmed"]
    assert [m["to"] for m in update_emails] == [["yes@example.org"]]


def test_following_the_confirmation_link_twice_is_harmless(opt_in: Mobilise) -> None:
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "twice@example.org")
    opt_in.run_queues()
    link = _confirm_link(opt_in, "twice@example.org")

    first, second = opt_in.request("POST", link), opt_in.request("POST", link)

    assert (first.status, second.status) == (200, 200)


def test_a_confirmation_link_expires_after_seven_days(opt_in: Mobilise) -> None:
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "slow@example.org")
    opt_in.run_queues()
    link = _confirm_link(opt_in, "slow@example.org")
    before = opt_in.items()

    clock.advance(timedelta(days=7, seconds=1).total_seconds())
    reply = opt_in.request("POST", link)

    assert reply.status == 404
    assert "not valid or has expired" in reply.text
    assert opt_in.items() == before


def test_a_tampered_confirmation_link_is_refused(opt_in: Mobilise) -> None:
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "tamper@example.org")
    opt_in.run_queues()
    link = _confirm_link(opt_in, "tamper@example.org")

    reply = opt_in.request("GET", link[:-3] + "AAA")

    assert reply.status == 404


def test_signing_again_before_confirming_sends_the_confirmation_again(opt_in: Mobilise) -> None:
    petition_id = opt_in.create_petition()
    opt_in.sign(petition_id, "lost@example.org")

    clock.advance(0.001)  # another request: another email
    again = opt_in.sign(petition_id, "LOST@example.org ")
    opt_in.run_queues()

    assert again.status == 201  # the answer to everyone: it tells nobody who had signed
    assert len([m for m in opt_in.outbox() if m["to"] == ["lost@example.org"]]) == 2


def test_a_client_signing_too_often_is_told_when_to_come_back(mobilise: Mobilise) -> None:
    # Given one client address that already signed three times this minute
    petition_id = mobilise.create_petition()
    clock.freeze(clock.now().replace(second=10, microsecond=0))
    for index in range(3):
        signed = mobilise.sign(petition_id, f"family{index}@example.org", source_ip="203.0.113.9")
        assert signed.status == 201
    before = mobilise.items()

    # When it signs a fourth time
    refused = mobilise.sign(petition_id, "family3@example.org", source_ip="203.0.113.9")

    # Then it is refused with when to come back, and nothing is written
    assert refused.status == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert refused.headers["Retry-After"] == "50"
    assert mobilise.items() == before
    # And another address is not held back, nor is this one on another petition
    assert mobilise.sign(petition_id, "neighbour@example.org").status == 201
    other = mobilise.create_petition()
    assert mobilise.sign(other, "family3@example.org", source_ip="203.0.113.9").status == 201


def test_the_limit_over_five_minutes_holds_when_each_minute_is_under_its_own(
    mobilise: Mobilise,
) -> None:
    # Given fixed windows that start on the hour: a signature every 40 s from :00:40 to :04:00
    petition_id = mobilise.create_petition()
    clock.freeze(clock.now().replace(minute=0, second=0, microsecond=0))
    statuses = []
    for index in range(6):
        clock.advance(40)
        reply = mobilise.sign(petition_id, f"slow{index}@example.org", source_ip="203.0.113.20")
        statuses.append(reply.status)

    assert statuses == [201, 201, 201, 201, 201, 429]


def test_only_the_starter_sees_the_statistics(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition(owner="alice")
    mobilise.sign(petition_id, "a@example.org")
    update_id = mobilise.publish(petition_id).json()["update_id"]
    path = f"/petitions/{petition_id}/updates/{update_id}/stats"

    queued = mobilise.request("GET", path, user="alice").json()
    mobilise.run_queues()
    sent = mobilise.request("GET", path, user="alice").json()

    assert queued["state"] == "queued"
    assert sent == {
        "update_id": update_id,
        "state": "sent",
        "recipients": 1,
        "sent": 1,
        "failed": 0,
        "skipped": 0,
        "spared": 0,  # nobody: its starter did not stop it
        "digested": 0,  # nobody: no other update reached them in the last 24 hours
        "bounced": 0,
        "complained": 0,
        "unsubscribed": 0,
        "clicks": {},
        "machine_clicks": {},
        "rsvp": None,  # a news update asks for no answer
    }
    assert mobilise.request("GET", path, user="mallory").status == 403
    assert mobilise.request("GET", path).status == 401


def test_an_unsubscribe_from_an_email_counts_on_its_update(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    mobilise.sign(petition_id, "bye@example.org")
    update_id = mobilise.publish(petition_id).json()["update_id"]
    mobilise.run_queues()
    (email,) = mobilise.outbox()
    path = email["headers"]["List-Unsubscribe"].strip("<>").removeprefix("https://mobilise.test")

    for _ in range(2):
        mobilise.request(
            "POST",
            path,
            raw="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    stats = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
    ).json()
    assert stats["unsubscribed"] == 1
