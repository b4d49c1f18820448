"""`make run DYNAMODB=local`: the same system with its tables in Amazon's DynamoDB Local."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Client, running_stack


@pytest.fixture(scope="module")
def stack_on_dynamodb_local() -> Iterator[Client]:
    with running_stack("--dynamodb", "local", "--double-opt-in", "false") as client:
        yield client


def test_publish_and_deliver_with_the_tables_in_dynamodb_local(
    stack_on_dynamodb_local: Client,
) -> None:
    stack = stack_on_dynamodb_local
    token = stack.token("erin")
    petition = {
        "title": "Lights on the cycle path",
        "description": "It is dark by 5 pm in winter.",
        "language": "en",
        "decision_maker": {"name": "The county council"},
    }
    petition_id = stack.call("POST", "/petitions", petition, token=token).json()["petition_id"]
    for index in range(3):
        signed = stack.call(
            "POST",
            f"/petitions/{petition_id}/signatures",
            {"email": f"rider{index}@example.org", "name": "Rider", "wants_updates": True},
            source_ip=f"127.0.9.{index + 1}",
        )
        assert signed.status == 201, signed.body

    update = {"title": "The council will vote", "body": "Thursday, 7 pm."}
    assert (
        stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token).status == 201
    )
    stack.drain()

    sent = [e for e in stack.outbox() if e["subject"] == "The council will vote"]
    assert sorted(e["to"][0] for e in sent) == [f"rider{i}@example.org" for i in range(3)]
    again = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert again.status == 429
