"""Personal data: export, erase without a trace, and no address, token or body in the logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import boto3
import pytest

from mobilise.core import clock, crypto, links
from mobilise.core.links import SignerRef
from mobilise.delivery import store as delivery_store
from mobilise.petitions import lifecycle
from mobilise.petitions.plain import NewPetition
from mobilise.reminders.events import EVENT_JOB
from mobilise.table import items as table_items
from mobilise.table import job_records
from tests.integration.harness import PUBLIC_URL, Mobilise, running_on_moto
from tests.integration.requests_sent import requests_sent

ADDRESS = "Camille.Martin@Example.org"


def _everything(mobilise: Mobilise) -> list[str]:
    """Every item of every table and index, as text (binary values in hex, as hashes are)."""
    dynamodb = boto3.client("dynamodb")
    found = []
    for name in mobilise.template.of_type("AWS::DynamoDB::Table"):
        table = mobilise.stack.refs[name]
        indexes = [None] + [
            index["IndexName"]
            for index in dynamodb.describe_table(TableName=table)["Table"].get(
                "GlobalSecondaryIndexes", []
            )
        ]
        for index in indexes:
            kwargs: dict[str, Any] = {"TableName": table}
            if index:
                kwargs["IndexName"] = index
            for page in dynamodb.get_paginator("scan").paginate(**kwargs):
                found += [json.dumps(item, default=bytes.hex) for item in page["Items"]]
    return found


def _privacy(mobilise: Mobilise, action: str, email: str) -> dict[str, Any]:
    result: dict[str, Any] = mobilise.invoke("PrivacyFunction", {"action": action, "email": email})
    return result


@pytest.fixture
def signed_twice(mobilise: Mobilise) -> tuple[str, str]:
    """ADDRESS signed two petitions, received an update of one, the other's waiting in its
    digest (one update email a day), then complained."""
    first = mobilise.create_petition(title="Save the river")
    second = mobilise.create_petition(owner="bob", title="A crossing for the school")
    for petition_id, owner in ((first, "alice"), (second, "bob")):
        assert mobilise.sign(petition_id, ADDRESS, language="fr").status == 201
        assert mobilise.sign(petition_id, "someone.else@example.org").status == 201
        assert mobilise.publish(petition_id, owner=owner).status == 201
    mobilise.run_queues()
    delivery_store.suppress(crypto.email_hash(ADDRESS), "complaint")
    return first, second


def test_an_export_gives_everything_held_about_an_address(
    mobilise: Mobilise, signed_twice: tuple[str, str]
) -> None:
    exported = _privacy(mobilise, "export", "camille.martin@example.org ")

    assert exported["email"] == "camille.martin@example.org"
    assert sorted(s["petition_title"] for s in exported["signatures"]) == [
        "A crossing for the school",
        "Save the river",
    ]
    assert all(s["consent_version"] and s["language"] == "fr" for s in exported["signatures"])
    assert exported["suppression"]["reason"] == "complaint"


def test_an_export_reads_the_items_of_an_address_in_one_request_however_many(
    mobilise: Mobilise, signed_twice: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its signatures, the petitions they are on (for their titles) and its suppression
    entry: one BatchGetItem, as the requests leave botocore, not one read each."""
    sent = requests_sent(monkeypatch)

    exported = _privacy(mobilise, "export", ADDRESS)
    calls = [operation for operation, _ in sent]

    assert len(exported["signatures"]) == 2
    assert all(signature["petition_title"] for signature in exported["signatures"])
    assert exported["suppression"]["reason"] == "complaint"
    assert calls.count("BatchGetItem") == 2  # the address's items; the person's (digests)
    assert calls.count("GetItem") == 0


def test_erasing_an_address_leaves_no_trace_in_any_table_or_index(
    mobilise: Mobilise, signed_twice: tuple[str, str]
) -> None:
    email_hash = crypto.email_hash(ADDRESS)
    assert any(ADDRESS.lower() in item.lower() for item in _everything(mobilise))  # as typed

    erased = _privacy(mobilise, "erase", ADDRESS)

    assert erased == {
        "signatures_erased": 2,
        "idempotency_records_erased": 2,
        "responses_erased": 0,
        "rsvps_erased": 0,
        "petitions_started_kept_without_address": 0,
        "clicks_erased": 0,
        "digest_entries_erased": 1,  # the second update, waiting in the digest
        "suppression_kept": True,
    }
    items = _everything(mobilise)
    assert not any(re.search("camille", item, re.IGNORECASE) for item in items)
    # Only the suppression keeps the keyed hash, so that the address is never written to again
    holding_hash = [json.loads(item) for item in items if email_hash in item]
    assert {item["pk"]["S"] for item in holding_hash} == {f"SUP#{email_hash}"}
    # And the petitions count one signer fewer
    for petition_id in signed_twice:
        shown = mobilise.request("GET", f"/petitions/{petition_id}").json()
        assert shown["signer_count"] == 1
    assert _privacy(mobilise, "export", ADDRESS)["signatures"] == []


STARTER_ADDRESS = "Dominique.Starter@Example.org"


@pytest.fixture
def started_answered_and_replied(mobilise: Mobilise) -> dict[str, str]:
    """STARTER_ADDRESS started a petition; ADDRESS signed two others, sent a testimony to one
    (for the press) and said yes to the other's event, as did another signer."""
    # The route takes the starter's address from the ID token; the harness's stand-in token
    # names a .test address, which the privacy function refuses: the route's code, directly
    started = lifecycle.create(
        "starter-42",
        NewPetition(
            title="A bench in the park",
            description="Somewhere to sit.",
            language="en",
            decision_maker={"name": "The Mayor"},
        ),
        owner_email=STARTER_ADDRESS,
    ).petition_id
    asking = mobilise.create_petition(owner="alice", title="Save the library")
    inviting = mobilise.create_petition(owner="bob", title="A crossing for the school")
    testimony = mobilise.publish(
        asking, owner="alice", type="ask_testimony", prompt="What did the library mean to you?"
    )
    event = mobilise.publish(
        inviting,
        owner="bob",
        type="event",
        kind="demonstration",
        starts_at=clock.isoformat(clock.now() + timedelta(days=2)),
        time_zone="Europe/Paris",
        place="In front of the school",
    )
    assert testimony.status == event.status == 201, (testimony.text, event.text)
    ids = {
        "started": started,
        "asking": asking,
        "inviting": inviting,
        "testimony": testimony.json()["update_id"],
        "event": event.json()["update_id"],
    }
    for petition_id in (asking, inviting):
        assert mobilise.sign(petition_id, ADDRESS).status == 201
    assert mobilise.sign(inviting, "other@example.org").status == 201

    def path(url: str) -> str:
        return url.removeprefix("https://mobilise.test")

    mine = crypto.email_hash(ADDRESS)
    respond = links.respond_url(SignerRef(asking, mine, ids["testimony"]))
    answered = mobilise.request(
        "POST", path(respond), {"text": "I learnt to read there.", "press_consent": True}
    )
    assert answered.status == 201, answered.text
    for address in (ADDRESS, "other@example.org"):
        rsvp = links.rsvp_url(SignerRef(inviting, crypto.email_hash(address), ids["event"]))
        assert mobilise.request("POST", path(rsvp), {"answer": "yes"}).status == 200
    assert table_items.get_update(inviting, ids["event"]).rsvp_yes == 2
    return ids


def test_an_export_gives_the_responses_rsvps_and_petitions_of_an_address(
    mobilise: Mobilise, started_answered_and_replied: dict[str, str]
) -> None:
    ids = started_answered_and_replied

    exported = _privacy(mobilise, "export", ADDRESS)
    by_starter = _privacy(mobilise, "export", STARTER_ADDRESS)

    (response,) = exported["responses"]
    assert response["text"] == "I learnt to read there."
    assert response["press_consent"] is True
    assert (response["petition_id"], response["update_id"]) == (ids["asking"], ids["testimony"])
    (rsvp,) = exported["rsvps"]
    assert (rsvp["update_id"], rsvp["answer"]) == (ids["event"], "yes")
    assert len(exported["signatures"]) == 2
    assert exported["petitions_started"] == by_starter["responses"] == by_starter["rsvps"] == []
    (started,) = by_starter["petitions_started"]
    assert started["petition_id"] == ids["started"]
    assert started["title"] == "A bench in the park"
    assert started["owner_email"] == STARTER_ADDRESS


def test_erasing_an_address_removes_its_responses_rsvps_and_starter_address_everywhere(
    mobilise: Mobilise, started_answered_and_replied: dict[str, str]
) -> None:
    # Given a signer with signatures, a testimony and an RSVP, and a starter's petition
    ids = started_answered_and_replied
    hashes = [crypto.email_hash(ADDRESS), crypto.email_hash(STARTER_ADDRESS)]
    before = _everything(mobilise)
    assert sum(hashes[0] in item for item in before) >= 5  # 2 signatures, response, counter, RSVP
    assert any(hashes[1] in item for item in before)

    # When both addresses are erased
    erased = _privacy(mobilise, "erase", ADDRESS)
    erased_starter = _privacy(mobilise, "erase", STARTER_ADDRESS)

    # Then everything was, and no table or index holds either address or hash any more
    assert erased == {
        "signatures_erased": 2,
        "idempotency_records_erased": 2,  # one a signed petition's update (none was sent)
        "responses_erased": 1,
        "rsvps_erased": 1,
        "petitions_started_kept_without_address": 0,
        "clicks_erased": 0,
        "digest_entries_erased": 0,
        "suppression_kept": False,
    }
    assert erased_starter["petitions_started_kept_without_address"] == 1
    items = _everything(mobilise)
    for address in (ADDRESS, STARTER_ADDRESS):
        assert not any(address.lower() in item.lower() for item in items), address
    for email_hash in hashes:
        assert not any(email_hash in item for item in items)
    assert not any("I learnt to read there." in item for item in items)
    # And the petition it started stays, without its starter's address
    started = mobilise.request("GET", f"/petitions/{ids['started']}")
    assert started.status == 200
    assert started.json()["title"] == "A bench in the park"
    # And the event counts the other signer's yes only; the starter sees no testimony
    event = table_items.get_update(ids["inviting"], ids["event"])
    assert (event.rsvp_yes, event.rsvp_no or 0) == (1, 0)
    listed = mobilise.request(
        "GET", f"/petitions/{ids['asking']}/updates/{ids['testimony']}/responses", user="alice"
    )
    assert listed.json()["responses"] == []
    # And an export finds nothing more
    exported = _privacy(mobilise, "export", ADDRESS)
    assert exported["responses"] == exported["rsvps"] == exported["signatures"] == []
    assert _privacy(mobilise, "export", STARTER_ADDRESS)["petitions_started"] == []


def test_the_privacy_function_refuses_a_request_it_does_not_understand(
    mobilise: Mobilise,
) -> None:
    from mobilise.core.operator_requests import InvalidRequest

    with pytest.raises(InvalidRequest, match="action must be one of export, erase"):
        mobilise.invoke("PrivacyFunction", {"action": "drop_table", "email": ADDRESS})
    with pytest.raises(InvalidRequest, match="email is not an email address"):
        mobilise.invoke("PrivacyFunction", {"action": "export", "email": "not an address"})
    with pytest.raises(InvalidRequest, match="unknown field everything"):
        mobilise.invoke("PrivacyFunction", {"action": "erase", "email": ADDRESS, "everything": 1})


@contextmanager
def _captured(stream: io.StringIO) -> Iterator[None]:
    """Every log line of the functions, as Powertools writes it (JSON), into ``stream``."""
    from mobilise.core.observability import logger

    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)  # Powertools logs through this one
    underlying.addHandler(handler)
    try:
        yield
    finally:
        underlying.removeHandler(handler)


def test_no_address_token_or_message_body_appears_in_the_logs(mobilise: Mobilise) -> None:
    # Given a full run, its logs captured: sign, confirm, publish, deliver, unsubscribe
    body = "The council meets on Thursday at 6 pm in the main hall."
    logs = io.StringIO()
    with _captured(logs):
        petition_id = mobilise.create_petition()
        for index in range(3):
            mobilise.sign(petition_id, f"private.person{index}@example.org", name="Dominique")
        mobilise.publish(petition_id, title="Council meeting", body=body)
        mobilise.run_queues()
        unsubscribe = mobilise.outbox()[0]["headers"]["List-Unsubscribe"].strip("<>")
        mobilise.request(
            "POST",
            unsubscribe.removeprefix("https://mobilise.test"),
            raw="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        clock.advance(timedelta(hours=24).total_seconds())
        mobilise.publish(petition_id, title="Council meeting, part two", body=body)
        mobilise.run_queues()
    captured = logs.getvalue()

    # Then the logs say what happened, but not to whom, with what link, or what was said
    assert "update published" in captured
    assert "delivery batch" in captured
    token = unsubscribe.rsplit("/", 1)[1]
    for secret in ("private.person", "example.org", token, body, "Dominique"):
        assert secret not in captured, secret


def _idempotency_records(mobilise: Mobilise) -> int:
    table = mobilise.stack.refs["IdempotencyTable"]
    return int(boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def test_erasure_reaches_records_keyed_by_request_time_or_by_the_address_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the by_email index cannot list: confirmation emails' idempotency records (keyed
    by the time of each request), an event reminder's record, per-person clicks."""
    parameters = {"DoubleOptIn": "true", "PerPersonClicks": "true"}
    with running_on_moto(parameters=parameters) as mobilise:
        # Given a signer who asked twice for the confirmation email (both were sent),
        petition_id = mobilise.create_petition()
        assert mobilise.sign(petition_id, ADDRESS).status == 201
        assert mobilise.sign(petition_id, ADDRESS).status == 201  # sent again
        mobilise.run_queues()
        assert _idempotency_records(mobilise) == 2
        # clicked a button of a press update while clicks were counted per person,
        mine = crypto.email_hash(ADDRESS)
        press = mobilise.publish(
            petition_id,
            type="press",
            article_url="https://press.example.org/woods",
            outlet="The Gazette",
            headline="The woods stay open",
        )
        assert press.status == 201, press.text
        press_id = press.json()["update_id"]
        button = links.redirect_url(links.ActionRef(petition_id, press_id, "article"))
        who = links.signer_token(SignerRef(petition_id, mine, press_id))
        clicked = mobilise.request("GET", f"{button.removeprefix(PUBLIC_URL)}?s={who}")
        assert clicked.status == 302
        # and said yes to an event, whose reminder was recorded as sent to them
        clock.freeze(clock.now() + timedelta(hours=25))
        event = mobilise.publish(
            petition_id,
            type="event",
            kind="demonstration",
            starts_at=clock.isoformat(clock.now() + timedelta(days=3)),
            time_zone="Europe/Paris",
            place="Porte Dorée",
        )
        assert event.status == 201, event.text
        event_id = event.json()["update_id"]
        rsvp = links.rsvp_url(SignerRef(petition_id, mine, event_id))
        answer = {"answer": "yes"}
        assert mobilise.request("POST", rsvp.removeprefix(PUBLIC_URL), answer).status == 200
        assert job_records.record_job(EVENT_JOB, event_id, mine)  # as the reminder run does
        assert sum(mine in item for item in _everything(mobilise)) >= 4

        # When the address is erased
        erased = _privacy(mobilise, "erase", ADDRESS)

        # Then the confirmation records, the click and the reminder's record are gone too
        assert erased["clicks_erased"] == 1
        assert _idempotency_records(mobilise) == 0
        assert not [item for item in _everything(mobilise) if mine in item]
