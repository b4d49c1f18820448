"""A starter takes back an update in its grace period, or stops it while it is sent, in
Chromium against the local stack started with the template's default grace (5 minutes) and a
simulated SES accepting one email a second (so a delivery lasts): the dashboard says when a
pending update goes out and Cancel takes it back, no signer ever getting it; Stop asks for
confirmation, the update says it is stopped, and its statistics add up with signers spared."""

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
SIGNERS = 40


@pytest.fixture(scope="module")
def stack(built_app: None) -> Iterator[Client]:
    """The local stack with the template's default grace period, sending one email a second,
    signers without confirmation."""
    options = ("--publish-grace-minutes", "5", "--send-rate", "1", "--double-opt-in", "false")
    with running_stack(*options) as client:
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
    # Filled, not typed: typing before the field has the focus loses letters (another user)
    field = page.get_by_label("User name")
    field.fill(user)
    field.press("Enter")
    page.wait_for_url(re.compile(r"/app/$"))


def _signed(stack: Client, petition_id: str, count: int) -> None:
    for index in range(count):
        signed = stack.call(
            "POST",
            f"/petitions/{petition_id}/signatures",
            {"email": f"rider{index}@example.org", "name": "Rider", "wants_updates": True},
            source_ip=f"127.0.3.{index + 1}",
        )
        assert signed.status == 201, signed.body


def test_a_pending_update_is_cancelled_from_the_dashboard_and_never_sent(
    stack: Client, desktop_page: Page
) -> None:
    # Given a petition with a confirmed signer, and an update just published (pending)
    page, user = desktop_page, "grace-cancel"
    token = stack.token(user)
    petition_id = stack.create_petition(PETITION, token=token)
    _signed(stack, petition_id, 1)
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


def test_an_update_being_sent_is_stopped_from_its_page_and_the_rest_spared(
    stack: Client, desktop_page: Page
) -> None:
    # Given a petition with 40 signers and an update whose grace ended, going out at one
    # email a second
    page, user = desktop_page, "grace-stop"
    token = stack.token(user)
    petition_id = stack.create_petition(PETITION, token=token)
    _signed(stack, petition_id, SIGNERS)
    update = {"title": "Ride with us on Sunday", "body": "Meet at the town hall."}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert published.status == 201, published.body
    update_id = published.json()["update_id"]
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 360}).status == 200
    ran = stack.call("POST", "/_local/schedules/ScheduledPublish/run")
    assert ran.status == 200, ran.body  # (or the stack's own every-minute run released it)
    shown = stack.call("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert shown["status"] in ("published", "sending"), shown

    # When the starter opens its page and stops it, confirming
    _sign_in(page, user)
    page.goto(f"/app/petitions/{petition_id}/updates/{update_id}")
    page.get_by_role("button", name="Stop sending").click()
    question = page.get_by_role("group", name=f"Stop sending “{update['title']}”?")
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Yes, stop it")).to_be_focused()
    assert axe(page) == []
    question.get_by_role("button", name="Yes, stop it").click()

    # Then the page says it is stopped, and offers no Stop any more
    expect(page.locator(".update-status")).to_have_text(re.compile(r"^Stopped \(published "))
    expect(page.get_by_role("button", name="Stop sending")).to_have_count(0)

    # And once the functions are idle, the statistics add up, with signers spared
    stack.drain()
    stats = stack.call(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", token=token
    ).json()
    assert (stats["state"], stats["recipients"]) == ("stopped", SIGNERS)
    assert stats["spared"] > 0
    assert stats["sent"] + stats["failed"] + stats["skipped"] + stats["spared"] == SIGNERS
    emailed = [m for m in stack.outbox() if m["subject"] == update["title"]]
    assert len(emailed) == stats["sent"]
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator('dd[data-stat="spared"]')).to_have_text(str(stats["spared"]))
