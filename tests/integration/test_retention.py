"""Closing a petition: no more signatures, and its signatures expire after the retention period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from mobilise.core import clock, crypto, links
from mobilise.privacy import retention
from mobilise.privacy import store as privacy_store
from mobilise.table import items
from mobilise.table.models import Petition, Signature
from tests.integration.harness import PUBLIC_URL, Mobilise, event, running_on_moto

FORM = "application/x-www-form-urlencoded"

RETENTION_DAYS = 30
SIGNERS = [f"signer{number}@example.org" for number in range(40)]


@pytest.fixture
def mobilise(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    parameters = {"SignatureRetentionDays": str(RETENTION_DAYS)}
    with running_on_moto(parameters=parameters) as system:
        yield system


def _signatures(petition_id: str) -> list[Signature]:
    return [
        signature
        for shard in range(16)
        for signature in privacy_store.signatures_page(petition_id, shard, None, 1000)[0]
    ]


def _sweep(mobilise: Mobilise) -> dict[str, int]:
    result: dict[str, int] = mobilise.invoke(
        "SweeperFunction", event("scheduled_outbox_sweep.json")
    )
    return result


def test_a_closed_petition_refuses_signatures_and_closing_again_changes_nothing(
    mobilise: Mobilise,
) -> None:
    # Given a petition with one signature
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "first@example.org").status == 201

    # When its starter closes it, and closes it again an hour later
    clock.freeze(clock.now())
    closed = mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice")
    clock.freeze(clock.now() + timedelta(hours=1))
    again = mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice")

    # Then it is closed once, and nobody can sign it any more
    assert closed.status == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert again.json() == closed.json()
    assert items.get_petition(petition_id).closed_at == clock.now() - timedelta(hours=1)
    refused = mobilise.sign(petition_id, "late@example.org")
    assert refused.status == 404
    assert "no longer open" in refused.json()["error"]["message"]


def test_another_user_cannot_close_a_petition(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    refused = mobilise.request("POST", f"/petitions/{petition_id}/close", user="mallory")

    assert refused.status == 403
    assert mobilise.items() == before


def test_the_sweep_gives_every_signature_its_expiry_and_leaves_open_petitions_alone(
    mobilise: Mobilise,
) -> None:
    # Given a petition with 40 signatures, closed, and another one left open
    closing, staying = mobilise.create_petition(), mobilise.create_petition()
    mobilise.seed_signatures(closing, SIGNERS)
    mobilise.seed_signatures(staying, SIGNERS[:5])
    clock.freeze(clock.now())
    assert mobilise.request("POST", f"/petitions/{closing}/close", user="alice").status == 200
    closed_at = clock.now()

    # When the sweep runs, then runs again
    first = _sweep(mobilise)
    second = _sweep(mobilise)

    # Then each signature of the closed petition expires RETENTION_DAYS after the closing,
    # the petition left the index, and the open petition's signatures have no expiry
    assert (first["expiring"], second["expiring"]) == (40, 0)
    expiries = {signature.expires_at for signature in _signatures(closing)}
    assert expiries == {(closed_at + timedelta(days=RETENTION_DAYS)).replace(microsecond=0)}
    assert {signature.expires_at for signature in _signatures(staying)} == {None}
    assert privacy_store.petitions_to_expire(10) == []


def test_a_sweep_short_of_time_saves_its_place_and_the_next_one_finishes(
    mobilise: Mobilise,
) -> None:
    # Given a closed petition with 40 signatures, and a Lambda with time for three pages
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS)
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200
    budget = iter([60_000] * 3)

    # When a run stops early, then a run with time enough goes on
    early = retention.run(lambda: next(budget, 0), reserve_ms=1_000)
    saved = items.get_petition(petition_id).retention_cursor
    expired_early = sum(1 for s in _signatures(petition_id) if s.expires_at is not None)
    rest = retention.run(lambda: 60_000, reserve_ms=1_000)

    # Then the first saved its place after three shards, and together they gave all 40
    # signatures their expiry, each once
    assert saved is not None
    assert saved["shard"] == 3
    assert 0 < expired_early < 40
    assert (early, rest) == (expired_early, 40 - expired_early)
    assert all(signature.expires_at is not None for signature in _signatures(petition_id))
    assert items.get_petition(petition_id).retention_cursor is None


def test_an_expiry_does_not_bring_back_a_signature_erased_meanwhile(mobilise: Mobilise) -> None:
    # Given a signature read by the sweep, then deleted before its expiry is written
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["gone@example.org"])
    signature = items.get_signature(petition_id, crypto.email_hash("gone@example.org"))
    signature.delete()

    # When the expiry is written
    privacy_store.expire_signature(signature, clock.now() + timedelta(days=1))

    # Then nothing was written back
    assert not [item for item in mobilise.items() if item["sk"].startswith("EMAIL#")]
    assert Petition.get(*Petition.key(petition_id)).status == "open"


def test_a_closed_petition_keeps_its_status_and_its_retention_whatever_its_starter_does(
    mobilise: Mobilise,
) -> None:
    # Given a closed petition with signatures
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS[:5])
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200

    # When its starter then announces a victory, and switches reminders off
    victory = mobilise.publish(petition_id, type="victory", title="We won")
    off = links.nudges_off_url(petition_id).removeprefix(PUBLIC_URL)
    switched = mobilise.request(
        "POST", off, raw="List-Unsubscribe=One-Click", headers={"Content-Type": FORM}
    )

    # Then the update went out, the petition stays closed, and the sweep still gives every
    # signature its expiry
    assert victory.status == 201, victory.text
    assert switched.status == 200, switched.text
    assert items.get_petition(petition_id).status == "closed"
    assert _sweep(mobilise)["expiring"] == 5
    assert all(signature.expires_at is not None for signature in _signatures(petition_id))


def test_a_won_petition_gets_its_retention_as_a_closed_one_does(mobilise: Mobilise) -> None:
    # Given an open petition with signatures
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, SIGNERS[:5])
    clock.freeze(clock.now())

    # When its starter announces a victory (signing ends with it)
    victory = mobilise.publish(petition_id, type="victory", title="We won")
    won_at = clock.now()

    # Then the petition is won, its closing is dated, and the sweep gives every signature
    # its expiry, counted from the victory
    assert victory.status == 201, victory.text
    petition = items.get_petition(petition_id)
    assert (petition.status, petition.closed_at) == ("victory", won_at)
    assert _sweep(mobilise)["expiring"] == 5
    expiries = {signature.expires_at for signature in _signatures(petition_id)}
    assert expiries == {(won_at + timedelta(days=RETENTION_DAYS)).replace(microsecond=0)}


def test_closing_a_won_petition_keeps_its_victory(mobilise: Mobilise) -> None:
    # Given a won petition
    petition_id = mobilise.create_petition()
    clock.freeze(clock.now())
    assert mobilise.publish(petition_id, type="victory", title="We won").status == 201
    won = items.get_petition(petition_id)

    # When its starter closes it
    closed = mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice")

    # Then nothing changes: signing ended with the victory, which stays its status
    assert closed.status == 200, closed.text
    assert closed.json()["status"] == "victory"
    after = items.get_petition(petition_id)
    assert (after.status, after.closed_at, after.outbox_pk) == (
        won.status,
        won.closed_at,
        won.outbox_pk,
    )
