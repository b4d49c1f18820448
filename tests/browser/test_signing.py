"""A signer signs on the petition page in a real browser (Debian's Chromium): on a phone, from
a network past its burst (the widget solves the proof of work), and with the keyboard alone;
the confirmation email's button, followed from the outbox, moves the count."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import screenshot
from tests.e2e.conftest import Client

PETITION = {
    "title": "A zebra crossing outside the school",
    "description": "Children cross a road where cars drive at 50 km/h.\n\nAsk for a crossing.",
    "language": "en",
    "decision_maker": {"name": "The Mayor"},
}
BURST = 3  # signatures a minute from one address before the proof of work (sign_rate_limits)


def _petition(stack: Client) -> str:
    return stack.create_petition(PETITION, token=stack.token("signing-starter"))


def _count(page: Page) -> str:
    return page.locator(".count strong").inner_text()


def _sign_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Sign", exact=True)


def _confirm_from_the_outbox(stack: Client, page: Page, address: str) -> None:
    """Open the confirmation email as the outbox shows it, click its button, then the page's."""
    stack.drain()
    (message,) = [sent for sent in stack.outbox() if sent["to"] == [address]]
    page.goto(f"/_local/outbox/{message['message_id']}")
    page.get_by_role("link", name="Confirm my signature").click()
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmed")


def test_a_signer_signs_on_a_phone_confirms_and_the_count_moves(
    stack: Client, phone_page: Page
) -> None:
    # Given a petition's page on a phone
    petition_id = _petition(stack)
    page = phone_page
    page.goto(f"/p/{petition_id}")
    assert _count(page) == "0 signatures"
    assert page.evaluate("document.documentElement.scrollWidth") == 375  # nothing overflows
    screenshot(page, "signing-petition")

    # When the signer fills the form, ticks the consent box and signs
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Your email address").fill("sam-phone@example.org")
    consent = page.get_by_label(re.compile("^Yes, email me the news"))
    assert not consent.is_checked()  # unticked until the signer ticks it
    consent.check()
    _sign_button(page).click()

    # Then the page says to check the inbox
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    screenshot(page, "signing-thanks")

    # When the confirmation email's button is followed
    _confirm_from_the_outbox(stack, page, "sam-phone@example.org")

    # Then the petition counts the signer
    page.goto(f"/p/{petition_id}")
    assert _count(page) == "1 signature"


def test_past_the_burst_the_widget_solves_the_proof_and_the_signer_signs(
    stack: Client, phone_page: Page
) -> None:
    # Given a petition signed from this browser's address as often as the burst allows
    petition_id = _petition(stack)
    stack.at_a_minute_start()  # the burst in one rate window
    for index in range(BURST):
        signer = {"email": f"nat{index}@example.org", "name": "N", "wants_updates": False}
        assert stack.call("POST", f"/petitions/{petition_id}/signatures", signer).status == 201
    page = phone_page
    page.goto(f"/p/{petition_id}")

    # When a signer on the same network signs
    page.get_by_label("Your name").fill("Léa")
    page.get_by_label("Your email address").fill("lea-nat@example.org")
    _sign_button(page).click()

    # Then the form comes back refilled, and the widget solves the proof of work by itself
    expect(page.locator("altcha-widget")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Léa")
    expect(page.locator("input[name=altcha]")).to_have_value(re.compile(r"^ey"), timeout=60_000)
    screenshot(page, "signing-proof-of-work")

    # When the signer signs again
    _sign_button(page).click()

    # Then they are thanked, and the confirmation moves the count past the network's
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    _confirm_from_the_outbox(stack, page, "lea-nat@example.org")
    page.goto(f"/p/{petition_id}")
    assert _count(page) == "1 signature"


def test_a_signer_signs_with_the_keyboard_alone(stack: Client, desktop_page: Page) -> None:
    # Given a petition's page
    petition_id = _petition(stack)
    page = desktop_page
    page.goto(f"/p/{petition_id}")

    # When the signer moves with Tab and acts with Enter and Space only
    page.keyboard.press("Tab")  # the language switch: EN
    page.keyboard.press("Tab")  # FR
    page.keyboard.press("Tab")  # "Sign this petition", which leads to the form
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#sign"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    page.keyboard.type("kim-keys@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "language"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "wants_updates"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign"
    page.keyboard.press("Enter")

    # Then they signed, with their consent
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")
    stack.drain()
    assert [sent["to"] for sent in stack.outbox() if sent["to"] == ["kim-keys@example.org"]]
