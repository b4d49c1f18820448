"""A scheduled update on the local stack, over HTTP: the template's schedule publishes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Client

PETITION = {
    "title": "Keep the night bus",
    "description": "The last bus home must stay.",
    "language": "en",
    "decision_maker": {"name": "The transport authority", "email": "buses@example.org"},
}


def _run(stack: Client) -> dict[str, int]:
    answer = stack.call("POST", "/_local/schedules/ScheduledPublish/run")
    assert answer.status == 200, answer.body
    assert answer.json()["schedule"] == "ScheduledPublish"
    result: dict[str, int] = answer.json()["result"]
    return result


def test_the_schedule_of_the_template_publishes_a_due_update(stack: Client) -> None:
    # Given a petition with one confirmed signer and an update scheduled an hour ahead
    alice = stack.token("alice")
    created = stack.call("POST", "/petitions", PETITION, token=alice)
    petition_id = created.json()["petition_id"]
    stack.sign_and_confirm(
        petition_id, [{"email": "rider@example.org", "name": "Rider", "wants_updates": True}]
    )
    at = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"title": "The vote is tonight", "body": "Come to the council.", "publish_at": at}
    scheduled = stack.call("POST", f"/petitions/{petition_id}/updates", body, token=alice)
    assert scheduled.status == 201, scheduled.body
    update_id = scheduled.json()["update_id"]

    # When the schedule runs now, then after the clock moved past publish_at
    early = _run(stack)
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 3_700}).status == 200
    due = _run(stack)
    stack.drain()

    # Then it waited, and then went out to the signer
    assert early["published"] == 0
    assert due["published"] == 1
    sent = [email for email in stack.outbox() if email["subject"] == "The vote is tonight"]
    assert [email["to"] for email in sent] == [["rider@example.org"]]
    page = stack.call("GET", f"/petitions/{petition_id}/updates/{update_id}")
    assert page.json()["status"] == "sent"
