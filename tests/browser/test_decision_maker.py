"""The decision-maker's answer in the browser, against the local stack over HTTP: the starter
sends the petition from the dashboard, the decision-maker follows their email's link and
answers on the page, the signers get the answer, the petition's page and the dashboard show
it; each screen checked by axe at 375 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TIMEOUT_MS, axe, screenshot
from tests.browser.test_dashboard import EXPECT_DEFAULT_MS, _sign_in, _width
from tests.e2e.conftest import Client

TITLE = "Keep the Rue Voltaire library open"


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=EXPECT_DEFAULT_MS)


def test_the_starter_sends_the_petition_and_the_decision_maker_answers_it_publicly(
    stack: Client, page: Page
) -> None:
    width = _width(page)
    user = f"answer-starter-{width}"
    mayor, signer = f"mayor-{width}@example.org", f"reader-{width}@example.org"

    # Given a starter's petition with a confirmed signer, its decision-maker's address named
    _sign_in(page, user)
    token = stack.token(user)
    petition_id = stack.create_petition(
        {
            "title": TITLE,
            "description": "The council plans to close it in June.",
            "language": "en",
            "decision_maker": {"name": "The Mayor", "email": mayor},
        },
        token=token,
    )
    stack.sign_and_confirm(petition_id, [{"email": signer, "name": "Ada", "wants_updates": True}])

    # When the starter sends it to the decision-maker from the dashboard, with the keyboard
    page.goto(f"/app/petitions/{petition_id}")
    card = page.get_by_role("region", name="The decision-maker’s answer")
    send = card.get_by_role("button", name=f"Send the petition to {mayor}")
    expect(send).to_be_enabled()
    send.focus()
    page.keyboard.press("Enter")

    # Then the dashboard says so, and waits for the answer
    expect(card.get_by_role("status")).to_have_text(f"Sent to {mayor}.")
    expect(card.get_by_text("No answer yet")).to_be_visible()
    expect(card.get_by_role("button")).to_have_count(0)  # once a week
    assert axe(page) == []
    screenshot(page, "app-dashboard-decision-maker-sent")
    # And the decision-maker has one email, as SES got it, with the link to answer
    [sent] = [message for message in stack.outbox() if message["to"] == [mayor]]
    raw = stack.call("GET", f"/_local/outbox/{sent['message_id']}/raw").body
    assert f"\r\nTo: {mayor}\r\n".encode() in raw
    assert b"List-Unsubscribe" not in raw
    assert "1 person signed this petition addressed to you." in sent["text"]
    link = re.search(r'href="(http://127\.0\.0\.1:\d+/p/\w+/answer/[\w.-]+)"', sent["html"])
    assert link, sent["html"]

    # When the decision-maker follows it and answers
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert axe(page) == []
    screenshot(page, "answer-form")
    page.get_by_label("Disagrees with the petition").check()
    page.locator("#text").fill("The library costs too much <to heat>.")
    page.get_by_label("Your name").fill("Anne Hidalgo")
    page.get_by_label("Your role").fill("Mayor of Paris")
    page.get_by_role("button", name="Publish my answer").click()

    # Then the page thanks them and shows the answer as published
    expect(page.get_by_role("heading", name="Thank you for your answer")).to_be_visible()
    expect(page.locator("blockquote")).to_have_text("The library costs too much <to heat>.")
    assert axe(page) == []
    screenshot(page, "answer-done")
    # And the signer gets it, and the petition's page shows it
    stack.drain()
    [answer] = [
        message
        for message in stack.outbox()
        if message["to"] == [signer] and "answered the petition" in (message["subject"] or "")
    ]
    assert "> The library costs too much <to heat>." in answer["text"]
    assert "The library costs too much &lt;to heat&gt;." in answer["html"]
    page.goto(f"/p/{petition_id}")
    shown = page.get_by_role("region", name="The decision-maker answered")
    expect(shown).to_contain_text("Disagrees with the petition")
    expect(shown).to_contain_text("— Anne Hidalgo, Mayor of Paris")
    assert axe(page) == []
    # And the dashboard says it was answered, linking the answer
    page.goto(f"/app/petitions/{petition_id}")
    card = page.get_by_role("region", name="The decision-maker’s answer")
    expect(card).to_contain_text("disagrees with the petition")
    expect(card.get_by_role("link", name="See the answer")).to_be_visible()
    assert axe(page) == []
    screenshot(page, "app-dashboard-decision-maker-answered")
    # And the answer's update, the decision-maker's words, offers the starter no correction
    href = card.get_by_role("link", name="See the answer").get_attribute("href")
    assert href is not None
    page.goto(f"/app/petitions/{petition_id}/updates/{href.rsplit('/', 1)[1]}")
    expect(page.get_by_role("link", name="See its public page")).to_be_visible()
    expect(page.get_by_role("link", name="Correct this update")).to_have_count(0)
