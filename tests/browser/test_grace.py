"""A starter takes back an update in its grace period from the dashboard, in Chromium against
the local stack started with the template's default grace (5 minutes): the dashboard says
when it goes out, Cancel takes it back, and no signer ever gets it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TIMEOUT_MS, axe
from tests.e2e.conftest import Client, running_stack

PETITION = {
    "title": "Safe cycling on the Rue Voltaire",
    "description": "A protected lane before the school year.",
    "language": "en",
    "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
}
UPDATE = {"title": "A typo we must take back", "body": "The council votes on Mondya."}


@pytest.fixture(scope="module")
def stack(built_app: None) -> Iterator[Client]:
    """The local stack with the template's default grace period."""
    with running_stack("--publish-grace-minutes", "5") as client:
        yield client


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


def _sign_in(page: Page, user: str) -> None:
    page.goto("/app/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/_local/oauth2/authorize\?"))
    page.keyboard.type(user)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/app/$"))


def test_a_pending_update_is_cancelled_from_the_dashboard_and_never_sent(
    stack: Client, desktop_page: Page
) -> None:
    # Given a petition with a confirmed signer, and an update just published (pending)
    page, user = desktop_page, "grace-cancel"
    token = stack.token(user)
    petition_id = stack.create_petition(PETITION, token=token)
    stack.sign_and_confirm(
        petition_id, [{"email": "cyclist@example.org", "name": "Ada", "wants_updates": True}]
    )
    published = stack.call("POST", f"/petitions/{petition_id}/updates", UPDATE, token=token)
    assert published.status == 201, published.body
    assert published.json()["status"] == "pending"

    # When the starter opens the petition's dashboard
    _sign_in(page, user)
    page.goto(f"/app/petitions/{petition_id}")

    # Then the update is listed as not sent yet, with when it goes out, Cancel and Correct
    item = page.locator(".update-item", has_text=UPDATE["title"])
    expect(item.get_by_text("Waiting to go out")).to_be_visible()
    expect(item.get_by_text(re.compile(r"^Goes out at \d{1,2}:\d{2}"))).to_be_visible()
    expect(item.get_by_role("link", name="Correct it")).to_be_visible()
    assert axe(page) == []

    # When they cancel it
    item.get_by_role("button", name="Cancel it").click()

    # Then it is gone from the updates waiting, and the window is open again
    expect(page.locator(".update-item", has_text=UPDATE["title"])).to_have_count(0)
    shown = stack.call("GET", f"/petitions/{petition_id}", token=token).json()
    assert shown["next_update_allowed_at"] is None

    # And once its grace would have ended, and the schedule has run, nobody got it
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 600}).status == 200
    ran = stack.call("POST", "/_local/schedules/ScheduledPublish/run")
    assert ran.status == 200, ran.body
    assert ran.json()["result"]["published"] == 0
    stack.drain()
    assert [m for m in stack.outbox() if UPDATE["title"] in (m["subject"] or "")] == []
