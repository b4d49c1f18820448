"""Reading updates: newest first, paginated with an opaque cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mobilise.core import clock
from tests.integration.harness import Mobilise


def test_updates_are_listed_newest_first_in_pages(mobilise: Mobilise) -> None:
    # Given five updates, one a day
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    clock.freeze(start)
    petition_id = mobilise.create_petition()
    for day in range(5):
        clock.freeze(start + timedelta(days=day))
        assert mobilise.publish(petition_id, title=f"Day {day}").status == 201

    # When they are read two at a time
    titles: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = mobilise.request("GET", f"/petitions/{petition_id}/updates{query}").json()
        titles += [update["title"] for update in page["updates"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # Then every update comes once, newest first
    assert titles == ["Day 4", "Day 3", "Day 2", "Day 1", "Day 0"]
    assert pages == 3


def test_one_update_is_shown_by_its_id(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    published = mobilise.publish(petition_id, title="Press conference").json()

    shown = mobilise.request("GET", f"/petitions/{petition_id}/updates/{published['update_id']}")

    assert shown.status == 200
    # The publish answer counts who will receive it; the page shows the fan-out's count
    expected = {**published, "recipients": None}
    assert shown.json() == expected
    assert published["recipients"] == 0  # nobody signed
    assert published["status"] == "published"
    assert published["published_at"].endswith("Z")


def test_a_cursor_that_the_api_did_not_give_is_a_400(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates?cursor=bm90LWFuLWlk")

    assert reply.status == 400
    assert reply.json()["error"]["code"] == "invalid_cursor"


def test_a_limit_out_of_range_is_a_422(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates?limit=1000")

    assert reply.status == 422
    assert "limit" in reply.json()["error"]["message"]


def test_an_update_of_another_petition_is_not_found(mobilise: Mobilise) -> None:
    first = mobilise.create_petition()
    second = mobilise.create_petition()
    update_id = mobilise.publish(first).json()["update_id"]

    reply = mobilise.request("GET", f"/petitions/{second}/updates/{update_id}")

    assert reply.status == 404
