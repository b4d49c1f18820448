"""A petition's counts follow its signatures through every change, on moto and on DynamoDB
Local: each count the API answers equals a full count of the signatures after each step,
and signing never writes the petition."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import boto3
import botocore.client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.core import clock, crypto, links
from mobilise.core.errors import InvalidLink
from mobilise.core.links import SignerRef
from mobilise.delivery import store as delivery_store
from mobilise.petitions import store as petitions_store
from tests.integration.harness import Mobilise, event, running_on_moto

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RETENTION_DAYS = 30
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CLIENT: Any = botocore.client.BaseClient  # its _make_api_call is private: typed loosely
PREVIEW = {"type": "news", "title": "Counting", "body": "How many does this reach?"}


@pytest.fixture(params=["moto", "dynamodb-local"])
def both(request: pytest.FixtureRequest) -> Iterator[Mobilise]:
    """Double opt-in on (so signatures wait unconfirmed), on moto, then on DynamoDB Local."""
    endpoint = None
    if request.param == "dynamodb-local":
        endpoint = request.getfixturevalue("dynamodb_local").endpoint
    parameters = {"DoubleOptIn": "true", "SignatureRetentionDays": str(RETENTION_DAYS)}
    with running_on_moto(dynamodb_endpoint=endpoint, parameters=parameters) as system:
        clock.freeze(MONDAY)
        yield system


# What the API answers, and what the signatures say -----------------------------------------


def _answered(mobilise: Mobilise, petition_id: str) -> dict[str, Any]:
    """Every count the API gives: public, the starter's, and the reach of an update."""
    public = mobilise.request("GET", f"/petitions/{petition_id}")
    starter = mobilise.request("GET", f"/petitions/{petition_id}/signature-counts", user="alice")
    preview = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/preview", PREVIEW, user="alice"
    )
    assert (public.status, starter.status, preview.status) == (200, 200, 200), preview.text
    counts = starter.json()
    assert public.json()["signer_count"] == counts["confirmed"]
    return {
        "confirmed": counts["confirmed"],
        "unconfirmed": counts["unconfirmed"],
        "subscribers": preview.json()["recipients"],
        "history": counts["history"],
    }


def _full_count(mobilise: Mobilise, petition_id: str) -> dict[str, int]:
    """The counts from the signatures themselves (and the suppression list), all read."""
    found = mobilise.items()
    suppressed = {item["pk"].removeprefix("SUP#") for item in found if item["sk"] == "SUPPRESSION"}
    now = clock.now().timestamp()
    signatures = [
        item
        for item in found
        if item["pk"].startswith(f"SIG#{petition_id}#")
        and item["sk"].startswith("EMAIL#")
        and int(item.get("expires_at", now + 1)) > now
    ]
    confirmed = [item for item in signatures if "confirmed_at" in item]
    return {
        "confirmed": len(confirmed),
        "unconfirmed": len(signatures) - len(confirmed),
        "subscribers": sum(
            1
            for item in confirmed
            if item["wants_updates"]
            and "unsubscribed_at" not in item
            and item["sk"].removeprefix("EMAIL#") not in suppressed
        ),
    }


class Journal:
    """What happened each day, as the test made it happen: the history to expect."""

    def __init__(self) -> None:
        self.days: dict[str, Counter[str]] = {}

    def note(self, what: str) -> None:
        self.days.setdefault(clock.now().date().isoformat(), Counter())[what] += 1

    def history(self) -> list[dict[str, Any]]:
        return [
            {"date": day, "signed": seen["signed"], "confirmed": seen["confirmed"]}
            for day, seen in sorted(self.days.items())
        ]


def _check(mobilise: Mobilise, petition_id: str, journal: Journal) -> dict[str, Any]:
    answered = _answered(mobilise, petition_id)
    assert answered == {**_full_count(mobilise, petition_id), "history": journal.history()}
    return answered


# The changes, as people and services make them ---------------------------------------------


def _hash(address: str) -> str:
    return crypto.email_hash(address)


def _sign(mobilise: Mobilise, petition_id: str, address: str, wants: bool = True) -> int:
    return mobilise.sign(petition_id, address, wants_updates=wants).status


def _confirm(mobilise: Mobilise, petition_id: str, address: str) -> int:
    url = links.confirm_url(SignerRef(petition_id, _hash(address)))
    return mobilise.request("POST", url.removeprefix("https://mobilise.test")).status


def _unsubscribe(mobilise: Mobilise, petition_id: str, address: str) -> int:
    url = links.unsubscribe_url(SignerRef(petition_id, _hash(address)))
    path = url.removeprefix("https://mobilise.test")
    return mobilise.request("POST", path, raw="List-Unsubscribe=One-Click", headers=FORM).status


def _ses(mobilise: Mobilise, petition_id: str, address: str, kind: str) -> None:
    """SES reports a permanent bounce or a complaint of ``address``, through SNS and SQS."""
    name = {"bounce": "sns_ses_bounce_permanent.json", "complaint": "sns_ses_complaint.json"}
    envelope = event(name[kind], petition_id=petition_id, update_id="01M00000000000000000000000")
    message = json.loads(envelope["Message"])
    report = message["bounce"]["bouncedRecipients"] if kind == "bounce" else None
    report = report or message["complaint"]["complainedRecipients"]
    report[0]["emailAddress"] = address
    message["mail"]["destination"] = [address]
    envelope["Message"] = json.dumps(message)
    mobilise.send("SesEventsQueue", json.dumps(envelope))
    mobilise.run_queues()


def _erase(mobilise: Mobilise, address: str) -> None:
    mobilise.invoke("PrivacyFunction", {"action": "erase", "email": address})


def _petition_item(mobilise: Mobilise, petition_id: str) -> dict[str, Any]:
    (item,) = [
        i for i in mobilise.items() if i["pk"] == f"PET#{petition_id}" and i["sk"] == "PETITION"
    ]
    return item


def _time_to_live(mobilise: Mobilise) -> int:
    """What DynamoDB's TTL would do now: delete every item past its ``expires_at``."""
    table = boto3.resource("dynamodb").Table(mobilise.stack.refs["Table"])
    now = clock.now().timestamp()
    gone = [i for i in mobilise.items() if "expires_at" in i and int(i["expires_at"]) <= now]
    for item in gone:
        table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    return len(gone)


# Every transition, on both backends --------------------------------------------------------


def test_every_count_follows_the_signatures_through_every_change(both: Mobilise) -> None:
    mobilise, journal = both, Journal()
    petition_id = mobilise.create_petition()
    petition = _petition_item(mobilise, petition_id)
    assert _check(mobilise, petition_id, journal)["confirmed"] == 0

    # Signing with and without consent: unconfirmed, the petition item untouched
    for address, wants in (("ann@example.org", True), ("bob@example.org", False)):
        assert _sign(mobilise, petition_id, address, wants) == 201
        journal.note("signed")
    for address in ("cat@example.org", "dan@example.org", "eve@example.org"):
        assert _sign(mobilise, petition_id, address) == 201
        journal.note("signed")
    assert _petition_item(mobilise, petition_id) == petition
    assert _check(mobilise, petition_id, journal)["unconfirmed"] == 5

    # Confirming, the next day; confirming again and signing again change nothing
    clock.freeze(MONDAY + timedelta(days=1))
    for address in ("ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org"):
        assert _confirm(mobilise, petition_id, address) == 200
        journal.note("confirmed")
    assert _check(mobilise, petition_id, journal)["subscribers"] == 3
    assert _confirm(mobilise, petition_id, "ann@example.org") == 200
    assert _sign(mobilise, petition_id, "ann@example.org") == 201
    assert _sign(mobilise, petition_id, "eve@example.org", wants=False) == 201
    assert _check(mobilise, petition_id, journal)["confirmed"] == 4

    # Unsubscribing (twice: once counts)
    clock.freeze(MONDAY + timedelta(days=2))
    assert _unsubscribe(mobilise, petition_id, "cat@example.org") == 200
    assert _unsubscribe(mobilise, petition_id, "cat@example.org") == 200
    assert _check(mobilise, petition_id, journal)["subscribers"] == 2

    # A permanent bounce suppresses a subscriber; a complaint an unconfirmed signer, who
    # then confirms: confirmed, but out of reach
    _ses(mobilise, petition_id, "dan@example.org", "bounce")
    _ses(mobilise, petition_id, "eve@example.org", "complaint")
    assert _check(mobilise, petition_id, journal)["subscribers"] == 1
    assert _confirm(mobilise, petition_id, "eve@example.org") == 200
    journal.note("confirmed")
    assert _check(mobilise, petition_id, journal) | {"history": None} == {
        "confirmed": 5,
        "unconfirmed": 0,
        "subscribers": 1,
        "history": None,
    }

    # A suppressed address that signs later is no subscriber from the start
    assert _sign(mobilise, petition_id, "DAN@example.org") == 201  # the same mailbox
    other = mobilise.create_petition()
    assert _sign(mobilise, other, "dan@example.org") == 201
    assert _confirm(mobilise, other, "dan@example.org") == 200
    assert _full_count(mobilise, other)["subscribers"] == 0
    assert _answered(mobilise, other)["subscribers"] == 0

    # Erasure of a subscriber and of a confirmed signer without consent: the history stays
    _erase(mobilise, "ann@example.org")
    _erase(mobilise, "bob@example.org")
    assert _check(mobilise, petition_id, journal) | {"history": None} == {
        "confirmed": 3,
        "unconfirmed": 0,
        "subscribers": 0,
        "history": None,
    }

    # A new signer, then closing: signing is refused and nothing moves
    assert _sign(mobilise, petition_id, "fay@example.org") == 201
    journal.note("signed")
    assert _confirm(mobilise, petition_id, "fay@example.org") == 200
    journal.note("confirmed")
    closed = mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice")
    assert closed.status == 200
    assert closed.json()["signer_count"] == 4
    assert _sign(mobilise, petition_id, "gus@example.org") == 404
    assert _check(mobilise, petition_id, journal)["subscribers"] == 1

    # Retention: the sweep gives the signatures and the counts one expiry; past it, and
    # once DynamoDB's TTL has deleted them, everything counts zero
    sweep = mobilise.invoke("SweeperFunction", event("scheduled_outbox_sweep.json"))
    assert sweep["expiring"] == 4
    assert _check(mobilise, petition_id, journal)["confirmed"] == 4
    clock.freeze(clock.now() + timedelta(days=RETENTION_DAYS, seconds=1))
    assert _time_to_live(mobilise) > 4
    journal.days.clear()
    assert _check(mobilise, petition_id, journal) == {
        "confirmed": 0,
        "unconfirmed": 0,
        "subscribers": 0,
        "history": [],
    }
    assert _sign(mobilise, petition_id, "late@example.org") == 404


def test_a_victory_closes_signing_in_every_slot(both: Mobilise) -> None:
    # Given a petition signed by enough addresses to touch most of its slots
    petition_id = both.create_petition()
    for index in range(12):
        assert _sign(both, petition_id, f"early{index}@example.org") == 201

    # When its starter announces a victory
    won = both.publish(petition_id, type="victory", title="We won")

    # Then nobody signs it any more, whichever slot their address falls in
    assert won.status == 201, won.text
    refused = [_sign(both, petition_id, f"late{index}@example.org") for index in range(12)]
    assert refused == [404] * 12
    assert _answered(both, petition_id)["unconfirmed"] == 12


# Random sequences ---------------------------------------------------------------------------

ADDRESSES = ("p@example.org", "q@example.org", "r@example.org", "s@example.org")
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["sign", "sign_silent", "confirm", "unsubscribe", "suppress", "erase"]),
        st.sampled_from(ADDRESSES),
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def moto_system() -> Iterator[Mobilise]:
    """One system for all the examples (a petition and addresses of their own each)."""
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        yield system


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS, close_at=st.integers(min_value=0, max_value=8))
def test_random_sequences_of_changes_keep_the_counts_exact(
    moto_system: Mobilise, steps: list[tuple[str, str]], close_at: int
) -> None:
    mobilise = moto_system
    petition_id = mobilise.create_petition()
    tag = petition_id[-6:].lower()  # addresses of their own: erasure spans petitions
    for index, (step, address) in enumerate(steps):
        if index == close_at:
            petitions_store.close_petition("alice", petition_id)
        mailbox = f"{tag}.{address}"
        email_hash = _hash(mailbox)
        if step in ("sign", "sign_silent"):
            assert _sign(mobilise, petition_id, mailbox, step == "sign") in (201, 404)
        elif step == "confirm":
            with contextlib.suppress(InvalidLink):  # not signed, or erased
                petitions_store.confirm(petition_id, email_hash)
        elif step == "unsubscribe":
            with contextlib.suppress(InvalidLink):
                delivery_store.unsubscribe(petition_id, email_hash)
        elif step == "suppress":
            delivery_store.suppress(email_hash, "bounce")
        else:
            _erase(mobilise, mailbox)
        answered = _answered(mobilise, petition_id)
        del answered["history"]
        assert answered == _full_count(mobilise, petition_id), (index, step)


# Reading the counts reads no signature ------------------------------------------------------


def test_counts_publish_and_preview_read_no_signature(mobilise: Mobilise) -> None:
    # Given a petition with 300 signatures
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"many{index}@example.org" for index in range(300)])
    seen: list[tuple[str, str]] = []
    original = _CLIENT._make_api_call

    def watched(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            seen.append((operation, json.dumps(params, default=repr)))  # an email: bytes
        return original(client, operation, params)

    # When anyone reads it, its starter reads the counts, previews and publishes
    with patch.object(_CLIENT, "_make_api_call", watched):
        public = mobilise.request("GET", f"/petitions/{petition_id}")
        counts = mobilise.request("GET", f"/petitions/{petition_id}/signature-counts", user="alice")
        preview = mobilise.request(
            "POST", f"/petitions/{petition_id}/updates/preview", PREVIEW, user="alice"
        )
        published = mobilise.publish(petition_id)

    # Then each answers from the counters: no request names a signature's partition, and
    # no request reads more than one petition's slots
    assert (public.json()["signer_count"], counts.json()["confirmed"]) == (300, 300)
    assert preview.json()["recipients"] == published.json()["recipients"] == 300
    assert not [params for _, params in seen if f"SIG#{petition_id}" in params]
    assert {operation for operation, _ in seen} <= {
        "GetItem",
        "BatchGetItem",
        "Query",  # the history: one per slot, of day items
        "TransactWriteItems",  # the publish
    }
    assert sum(operation == "BatchGetItem" for operation, _ in seen) == 4  # one per answer
