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

from mobilise import clock, crypto, store
from tests.integration.harness import Mobilise

ADDRESS = "Camille.Martin@Example.org"


def _everything(mobilise: Mobilise) -> list[str]:
    """Every item of every table and index, as text."""
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
                found += [json.dumps(item) for item in page["Items"]]
    return found


def _privacy(mobilise: Mobilise, action: str, email: str) -> dict[str, Any]:
    result: dict[str, Any] = mobilise.invoke("PrivacyFunction", {"action": action, "email": email})
    return result


@pytest.fixture
def signed_twice(mobilise: Mobilise) -> tuple[str, str]:
    """ADDRESS signed two petitions, received an update on each, then complained."""
    first = mobilise.create_petition(title="Save the river")
    second = mobilise.create_petition(owner="bob", title="A crossing for the school")
    for petition_id, owner in ((first, "alice"), (second, "bob")):
        assert mobilise.sign(petition_id, ADDRESS, language="fr").status == 201
        assert mobilise.sign(petition_id, "someone.else@example.org").status == 201
        assert mobilise.publish(petition_id, owner=owner).status == 201
    mobilise.run_queues()
    store.suppress(crypto.email_hash(ADDRESS), "complaint")
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


def test_erasing_an_address_leaves_no_trace_in_any_table_or_index(
    mobilise: Mobilise, signed_twice: tuple[str, str]
) -> None:
    email_hash = crypto.email_hash(ADDRESS)
    assert any("camille.martin@example.org" in item for item in _everything(mobilise))

    erased = _privacy(mobilise, "erase", ADDRESS)

    assert erased == {
        "signatures_erased": 2,
        "idempotency_records_erased": 2,
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


def test_the_privacy_function_refuses_a_request_it_does_not_understand(
    mobilise: Mobilise,
) -> None:
    from aws_lambda_powertools.utilities.parser import ValidationError

    with pytest.raises(ValidationError):
        mobilise.invoke("PrivacyFunction", {"action": "drop_table", "email": ADDRESS})


@contextmanager
def _captured(stream: io.StringIO) -> Iterator[None]:
    """Every log line of the functions, as Powertools writes it (JSON), into ``stream``."""
    from mobilise.observability import logger

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
