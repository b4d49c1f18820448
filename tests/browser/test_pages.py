"""Every page of the api function in a real browser, at a phone's and a desktop's width: axe
finds no serious or critical violation, nothing overflows the width, the Content-Security-Policy
refuses nothing the page needs, and each page is photographed (test-artifacts/)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import axe, screenshot
from tests.e2e.conftest import Client

PETITION = {
    "title": "Keep the Rue Voltaire library open",
    "description": "The council plans to close our library in June.\n\nIt is the only one "
    "within walking distance for 12,000 people. Ask the mayor to keep it open.",
    "language": "en",
    "decision_maker": {"name": "The Mayor of Lyon", "email": "mayor@example.org"},
}
EVENT = {
    "type": "event",
    "title": "Gather outside the town hall",
    "body": "Bring a book you borrowed there.",
    "kind": "demonstration",
    "starts_at": "2027-06-12T16:00:00Z",
    "time_zone": "Europe/Paris",
    "place": "Place des Terreaux, Lyon",
}
Opened = Callable[[Client, Page], None]


def _petition(stack: Client) -> tuple[str, str]:
    """A petition with a published event, and the event's id."""
    token = stack.token("pages-starter")
    petition_id = stack.create_petition(PETITION, token=token)
    published = stack.call("POST", f"/petitions/{petition_id}/updates", EVENT, token=token)
    assert published.status == 201, published.body
    return petition_id, published.json()["update_id"]


def _petition_page(stack: Client, page: Page) -> None:
    petition_id, _ = _petition(stack)
    page.goto(f"/p/{petition_id}")


def _petition_in_french(stack: Client, page: Page) -> None:
    petition_id, _ = _petition(stack)
    page.goto(f"/p/{petition_id}?lang=fr")


def _form_with_problems(stack: Client, page: Page) -> None:
    _petition_page(stack, page)
    page.get_by_label("Your name").fill("   ")
    page.get_by_label("Your email address").fill("someone@localhost")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.locator("#name-error").wait_for()


def _thanks(stack: Client, page: Page) -> None:
    _petition_page(stack, page)
    page.get_by_label("Your name").fill("Sam")
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.get_by_label("Your email address").fill(f"thanks-{width}@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    page.get_by_role("status").wait_for()


def _proof_of_work(stack: Client, page: Page) -> None:
    petition_id, _ = _petition(stack)
    stack.at_a_minute_start()  # the burst in one rate window
    for index in range(3):
        signer = {"email": f"burst{index}@example.org", "name": "N", "wants_updates": False}
        assert stack.call("POST", f"/petitions/{petition_id}/signatures", signer).status == 201
    page.goto(f"/p/{petition_id}")
    page.get_by_label("Your name").fill("Léa")
    page.get_by_label("Your email address").fill("lea@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("input[name=altcha]")).to_have_value(re.compile(r"^ey"), timeout=60_000)


def _update_page(stack: Client, page: Page) -> None:
    petition_id, update_id = _petition(stack)
    page.goto(f"/p/{petition_id}/updates/{update_id}")


def _start(stack: Client, page: Page) -> None:
    page.goto("/start?theme=Libraries")


def _not_found(stack: Client, page: Page) -> None:
    page.goto("/p/01ARZ3NDEKTSV4RRFFQ69G5FAV")


def _confirm(stack: Client, page: Page) -> None:
    petition_id, _ = _petition(stack)
    width = page.viewport_size["width"] if page.viewport_size else 0
    address = f"confirm-{width}@example.org"
    signer = {"email": address, "name": "Sam", "wants_updates": True}
    assert stack.call("POST", f"/petitions/{petition_id}/signatures", signer).status == 201
    stack.drain()
    (text,) = [sent["text"] for sent in stack.outbox() if sent["to"] == [address]]
    link = re.search(r"http://\S+/signatures/confirm/\S+", text)
    assert link
    page.goto(link.group(0))


PAGES: dict[str, Opened] = {
    "petition": _petition_page,
    "petition-fr": _petition_in_french,
    "petition-problems": _form_with_problems,
    "petition-thanks": _thanks,
    "petition-proof-of-work": _proof_of_work,
    "update": _update_page,
    "start": _start,
    "not-found": _not_found,
    "confirm": _confirm,
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_accessible_fits_the_width_and_obeys_its_policy(
    stack: Client, page: Page, name: str
) -> None:
    # Given a page of the api function, opened as a visitor reaches it
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    PAGES[name](stack, page)

    # Then axe finds no serious or critical violation, nothing is wider than the screen,
    # and the browser refused nothing (every style and script comes from /static/)
    assert axe(page) == []
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert refused == []
    screenshot(page, f"page-{name}")
