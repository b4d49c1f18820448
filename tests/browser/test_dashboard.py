"""The starter's dashboard in the browser, against the local stack: signing in through the
local sign-in page, starting a petition (a refused field shown next to it), its dashboard
with the signers' chart and the update window's countdown, the updates' funnels, the page's
shares, the reminders' switch and closing, each screen checked by axe at 375 and 1280 px."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TIMEOUT_MS, axe, screenshot
from tests.e2e.conftest import Client

TITLE = "A zebra crossing outside the Jules Ferry school"
EXPECT_DEFAULT_MS = 5_000  # Playwright's own


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    """``expect`` waits as long as the harness's steps do (a machine shared by many workers
    answers an API call in more than Playwright's 5 seconds at times), then as before."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=EXPECT_DEFAULT_MS)


def _width(page: Page) -> int:
    return page.viewport_size["width"] if page.viewport_size else 0


def _sign_in(page: Page, user: str) -> None:
    """From the app's sign-in screen through the local sign-in page, and back."""
    page.goto("/app/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your dashboard")
    assert axe(page) == []
    screenshot(page, "app-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/_local/oauth2/authorize\?"))
    # Filled, not typed: typing before the field has the focus loses letters (another user)
    field = page.get_by_label("User name")
    field.fill(user)
    field.press("Enter")
    page.wait_for_url(re.compile(r"/app/$"))


def _countdown(reopens: str) -> re.Pattern[str]:
    """What the countdown to ``reopens`` says now, or a minute later (whole minutes, rounded
    up, as "23 h 58 min" or "24 h")."""
    left = datetime.fromisoformat(reopens) - datetime.now(UTC)
    minutes = math.ceil(left.total_seconds() / 60)
    said = [
        f"{m // 60} h {m % 60} min" if m % 60 else f"{m // 60} h" for m in (minutes, minutes - 1)
    ]
    return re.compile(rf"^Next update possible in ({'|'.join(said)}) \(")


def _reload(page: Page) -> None:
    """Reload once the page's requests are answered: the local stack logs a broken pipe
    for a response the browser stopped reading, and the harness fails on it."""
    page.wait_for_load_state("networkidle")
    page.reload()


def test_a_starter_signs_in_starts_a_petition_and_follows_it_on_its_dashboard(
    stack: Client, page: Page
) -> None:
    width = _width(page)
    user = f"dashboard-starter-{width}"

    # Given a starter signed in through the local sign-in page, with no petition yet
    _sign_in(page, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("My petitions")
    expect(page.get_by_text("You have not started a petition yet.")).to_be_visible()
    assert axe(page) == []
    screenshot(page, "app-petitions-empty")

    # When they start a petition with a decision-maker's address the API refuses
    page.get_by_role("link", name="Start a petition").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a petition")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Why it matters").fill("Children cross where cars drive at 50 km/h.")
    page.get_by_label("Name or office").fill("The Mayor")
    email = page.get_by_label("Email (optional)")
    email.fill("mayor-at-example.org")
    page.get_by_role("button", name="Start the petition").click()

    # Then the API's message is shown next to that field, and the summary names it
    error = page.locator("#field-decision_maker-email-error")
    expect(error).to_contain_text("An email address must have an @-sign")
    expect(email).to_have_attribute("aria-invalid", "true")
    described = email.get_attribute("aria-describedby") or ""
    assert "field-decision_maker-email-error" in described.split()
    expect(page.get_by_role("alert")).to_contain_text("Email (optional)")
    expect(page.get_by_role("alert")).to_be_focused()
    assert axe(page) == []
    screenshot(page, "app-new-petition-refused")

    # When they correct it / Then the petition starts and its dashboard opens
    email.fill("mayor@example.org")
    page.get_by_role("button", name="Start the petition").click()
    page.wait_for_url(re.compile(r"/app/petitions/[0-9A-Z]{26}$"))
    petition_id = page.url.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.get_by_text("You can send an update now.")).to_be_visible()
    assert axe(page) == []
    screenshot(page, "app-dashboard-new")

    # Given two signers, one of whom confirmed, and an update sent to them
    token = stack.token(user)
    offset = 0 if width < 1000 else 100
    stack.sign_and_confirm(
        petition_id,
        [{"email": f"confirmed-{width}@example.org", "name": "Ada", "wants_updates": True}],
    )
    unconfirmed = stack.call(
        "POST",
        f"/petitions/{petition_id}/signatures",
        {"email": f"later-{width}@example.org", "name": "Bo", "wants_updates": True},
        source_ip=f"127.0.9.{offset + 1}",
    )
    assert unconfirmed.status == 201, unconfirmed.body
    update = {
        "title": "We met the mayor",
        "body": "She listened. The council votes in March.",
        "link": "https://example.org/council-agenda",
    }
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert published.status == 201, published.body
    stack.drain()
    # And the signer follows the email's link, past the minute a mail scanner clicks in
    signer = f"confirmed-{width}@example.org"
    sent = [m for m in stack.outbox() if m["to"] == [signer]]
    [message] = [m for m in sent if update["title"] in (m["subject"] or "")]
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 120}).status == 200
    link = re.search(r'href="(http://[^"]+/r/[^"]+)"', message["html"])
    assert link, message["html"]
    followed = stack.call("GET", link.group(1).replace("&amp;", "&"))
    assert followed.status == 302, followed.body
    # And someone shares the petition's page on WhatsApp with its share link
    public = stack.call("GET", f"/p/{petition_id}").body.decode()
    share = re.search(r'class="share-link" href="([^"]+)"[^>]*>On WhatsApp<', public)
    assert share, public
    assert stack.call("GET", share.group(1).replace("&amp;", "&")).status == 302

    # When the starter looks at the dashboard again
    _reload(page)

    # Then the counts, the chart and the countdown to the next update show
    expect(page.locator("[data-count=confirmed]")).to_have_text("1")
    expect(page.locator("[data-count=unconfirmed]")).to_have_text("1")
    chart = page.get_by_role("img", name="Signers over time")
    expect(chart).to_be_visible()
    assert chart.locator("polygon").count() == 2
    reopens = stack.call("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
    expect(page.get_by_role("timer")).to_have_text(_countdown(reopens))
    # And the update, with its funnel: delivered to the one confirmed signer
    expect(page.get_by_role("link", name="We met the mayor")).to_be_visible()
    delivered = page.locator("[data-step=sent]")
    expect(delivered).to_contain_text("Delivered")
    expect(delivered.locator(".funnel-count")).to_have_text("1 of 1")
    clicked = page.locator("[data-step=click-link]")
    expect(clicked).to_contain_text("Clicked: the link")
    expect(clicked.locator(".funnel-count")).to_have_text("1")
    # And the page's shares: the one on WhatsApp
    shares = page.get_by_role("region", name="Shares of the petition’s page")
    expect(shares.locator("dt")).to_have_text(["share on WhatsApp"])
    expect(shares.locator("[data-share=share_whatsapp]")).to_have_text("1")
    assert axe(page) == []
    screenshot(page, "app-dashboard")

    # When the starter switches their reminders off with the keyboard alone
    switch = page.get_by_role("switch", name="Remind me when the petition has been quiet")
    expect(switch).to_be_enabled()
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.focus()
    page.keyboard.press("Space")

    # Then the switch says so, and so does the API
    expect(switch).to_have_attribute("aria-checked", "false")
    nudges = stack.call("GET", f"/petitions/{petition_id}/nudges", token=token)
    assert nudges.json() == {"petition_id": petition_id, "on": False}

    # When they close the petition, confirming with the keyboard
    page.get_by_role("button", name="Close the petition").click()
    confirm = page.get_by_role("button", name="Yes, close it")
    expect(confirm).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Enter")

    # Then the dashboard and the API say it is closed, and it takes no more signatures
    expect(page.get_by_text("This petition is closed: it takes no new signatures.")).to_be_visible()
    expect(page.get_by_role("switch")).to_be_disabled()
    shown = stack.call("GET", f"/petitions/{petition_id}").json()
    assert shown["status"] == "closed"
    screenshot(page, "app-dashboard-closed")

    # And their list shows it, closed
    page.get_by_role("link", name="My petitions").click()
    item = page.locator(".petition-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link")).to_have_text(TITLE)
    expect(item).to_contain_text("Closed")
    assert axe(page) == []
    screenshot(page, "app-petitions")


def test_the_interface_speaks_french_when_chosen(stack: Client, phone_page: Page) -> None:
    page = phone_page
    _sign_in(page, "dashboard-francophone")

    page.get_by_label("Language").select_option("fr")

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes pétitions")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # And the choice holds on the next visit
    _reload(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes pétitions")
    assert axe(page) == []
    screenshot(page, "app-petitions-fr")

    # And a refusal whose words do not depend on the route is said in French too, not in
    # the API's English: a petition that does not exist
    page.goto("/app/petitions/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Introuvable : c’est peut-être supprimé, ou l’adresse est fausse\.")
    )
    assert axe(page) == []
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes pétitions")

    # When they sign out / Then the sign-in screen is back, and a reload keeps them out
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/app/$"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    _reload(page)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
