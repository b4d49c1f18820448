"""The starter's own petitions (GET /petitions, the sparse ``by_owner`` index) and their
reminders' switch (PUT /petitions/{id}/nudges), as the dashboard calls them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock
from mobilise.reminders import due
from tests.integration.harness import Mobilise, event

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = 86_400


@pytest.fixture(autouse=True)
def _frozen() -> None:
    """Every test at START (tests/conftest.py puts the system clock back after each)."""
    clock.freeze(START)


def _mine(mobilise: Mobilise, user: str = "alice", query: str = "") -> Any:
    reply = mobilise.request("GET", f"/petitions{query}", user=user)
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"] == "application/json"
    return reply.json()


def _all_pages(mobilise: Mobilise, limit: int) -> tuple[list[str], int]:
    titles: list[str] = []
    cursor, pages = None, 0
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = _mine(mobilise, query=query)
        titles += [petition["title"] for petition in page["petitions"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return titles, pages


def test_a_starter_lists_their_own_petitions_newest_first_a_page_at_a_time(
    mobilise: Mobilise,
) -> None:
    # Given five petitions of alice, one an hour, and one of bob's between them
    for hour in range(5):
        clock.freeze(START + timedelta(hours=hour))
        mobilise.create_petition(title=f"Petition {hour}")
        if hour == 2:
            mobilise.create_petition(owner="bob", title="Bob's")

    # When alice reads them two at a time
    titles, pages = _all_pages(mobilise, limit=2)

    # Then each of hers comes once, newest first, and nobody else's
    assert titles == [f"Petition {hour}" for hour in (4, 3, 2, 1, 0)]
    assert pages == 3
    assert [p["title"] for p in _mine(mobilise, user="bob")["petitions"]] == ["Bob's"]
    assert _mine(mobilise, user="carol") == {"petitions": [], "next_cursor": None}


def test_the_list_shows_each_petitions_status_and_update_window(mobilise: Mobilise) -> None:
    # Given an open petition with an update just published, and a closed one
    published = mobilise.create_petition(title="Published", language="fr")
    assert mobilise.publish(published).status == 201
    clock.advance(60)
    closed = mobilise.create_petition(title="Closed")
    assert mobilise.request("POST", f"/petitions/{closed}/close", user="alice").status == 200

    # When alice lists her petitions
    listed = _mine(mobilise)

    # Then each shows what the dashboard's list needs, in the API's time format
    assert listed == {
        "petitions": [
            {
                "petition_id": closed,
                "title": "Closed",
                "language": "en",
                "status": "closed",
                "created_at": "2026-12-01T09:01:00Z",
                "next_update_allowed_at": None,
            },
            {
                "petition_id": published,
                "title": "Published",
                "language": "fr",
                "status": "open",
                "created_at": "2026-12-01T09:00:00Z",
                "next_update_allowed_at": "2026-12-02T09:00:00Z",
            },
        ],
        "next_cursor": None,
    }


def test_the_list_needs_a_signed_in_starter(mobilise: Mobilise) -> None:
    reply = mobilise.request("GET", "/petitions")

    assert reply.status == 401


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90LWFuLWlk",  # "not-an-id"
        "%%%",
        # a well-formed id with a time PynamoDB would not have written
        "MDFKQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUEgeWVzdGVyZGF5",
    ],
)
def test_a_cursor_the_api_did_not_give_is_a_400(mobilise: Mobilise, cursor: str) -> None:
    mobilise.create_petition()

    reply = mobilise.request("GET", f"/petitions?cursor={cursor}", user="alice")

    assert reply.status == 400
    assert reply.json()["error"] == {
        "code": "invalid_cursor",
        "message": "The cursor is not one this API gave.",
    }


def test_a_limit_out_of_bounds_is_a_422_naming_it(mobilise: Mobilise) -> None:
    reply = mobilise.request("GET", "/petitions?limit=101", user="alice")

    assert reply.status == 422
    assert [problem["field"] for problem in reply.json()["fields"]] == ["limit"]


# The reminders' switch -------------------------------------------------------------------------


def _nudges_sent(mobilise: Mobilise) -> int:
    result = mobilise.invoke("RemindersFunction", event("scheduled_reminders.json", job="nudges"))
    sent: int = result["sent"]
    return sent


def _switch(mobilise: Mobilise, petition_id: str, body: Any, user: str = "alice") -> Any:
    return mobilise.request("PUT", f"/petitions/{petition_id}/nudges", body, user=user)


def test_the_starter_switches_reminders_off_and_on_from_the_dashboard(
    mobilise: Mobilise,
) -> None:
    # Given a signed petition whose starter switched its reminders off
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, "signer@example.org").status == 201
    off = _switch(mobilise, petition_id, {"on": False})
    assert off.status == 200, off.text
    assert off.json() == {"petition_id": petition_id, "on": False}
    got = mobilise.request("GET", f"/petitions/{petition_id}/nudges", user="alice")
    assert got.json() == {"petition_id": petition_id, "on": False}

    # When the petition stays quiet past the nudge's day / Then no nudge comes
    clock.advance(7 * DAY)
    assert _nudges_sent(mobilise) == 0

    # When the starter switches them on again (twice: the same answer)
    assert _switch(mobilise, petition_id, {"on": True}).json()["on"] is True
    again = _switch(mobilise, petition_id, {"on": True})
    assert again.json() == {"petition_id": petition_id, "on": True}

    # Then the quiet petition's nudge is due at once, and goes out once, to the starter
    assert _nudges_sent(mobilise) == 1
    starter = "alice@example.test"  # the integration tests' user "alice", as her token says
    assert [email["to"] for email in mobilise.outbox() if email["to"] == [starter]] == [[starter]]
    assert _nudges_sent(mobilise) == 0


def test_switching_on_a_closed_petitions_reminders_keeps_its_retention_work(
    mobilise: Mobilise,
) -> None:
    # Given a closed petition (its due work: the expiry of its signatures), reminders off
    petition_id = mobilise.create_petition()
    assert _switch(mobilise, petition_id, {"on": False}).status == 200
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200
    before = [item for item in mobilise.items() if item["sk"] == "PETITION"]

    # When the starter switches them on
    reply = _switch(mobilise, petition_id, {"on": True})

    # Then only the flag goes: a closed petition is never nudged, and keeps its due work
    assert reply.status == 200
    [after] = [item for item in mobilise.items() if item["sk"] == "PETITION"]
    assert after == {key: value for key, value in before[0].items() if key != "nudges_off"}
    assert after["outbox_pk"] == "RETENTION"


def test_switching_on_an_open_petitions_reminders_dates_its_nudge_from_its_last_update(
    mobilise: Mobilise,
) -> None:
    petition_id = mobilise.create_petition()
    assert _switch(mobilise, petition_id, {"on": False}).status == 200
    clock.advance(DAY)
    assert mobilise.publish(petition_id).status == 201  # publishing leaves it unscheduled
    [item] = [item for item in mobilise.items() if item["sk"] == "PETITION"]
    assert "outbox_pk" not in item

    assert _switch(mobilise, petition_id, {"on": True}).status == 200

    [item] = [item for item in mobilise.items() if item["sk"] == "PETITION"]
    kind, at = due.nudge(START + timedelta(days=1))
    assert (item["outbox_pk"], item["outbox_sk"]) == (kind, due.when(at))
    assert "nudges_off" not in item


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_another_starters_petition_is_a_403_and_changes_nothing(
    mobilise: Mobilise, method: str
) -> None:
    petition_id = mobilise.create_petition(owner="alice")
    before = mobilise.items()

    body = {"on": False} if method == "PUT" else None
    reply = mobilise.request(method, f"/petitions/{petition_id}/nudges", body, user="bob")

    assert reply.status == 403
    assert reply.json()["error"]["code"] == "forbidden"
    assert mobilise.items() == before


@pytest.mark.parametrize("petition_id", ["01JAAAAAAAAAAAAAAAAAAAAAAA", "not-an-id"])
def test_a_petition_that_does_not_exist_is_a_404(mobilise: Mobilise, petition_id: str) -> None:
    reply = _switch(mobilise, petition_id, {"on": True})

    assert reply.status == 404
    assert reply.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"), [({"on": "yes"}, "on"), ({}, "on"), ({"on": True, "off": 1}, "off")]
)
def test_a_switch_that_is_not_a_boolean_is_a_422_naming_it(
    mobilise: Mobilise, body: dict[str, Any], field: str
) -> None:
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    reply = _switch(mobilise, petition_id, body)

    assert reply.status == 422
    assert [problem["field"] for problem in reply.json()["fields"]] == [field]
    assert mobilise.items() == before
