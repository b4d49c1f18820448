"""The harness itself, on a page the stack serves: a signer's confirmation page, reached
from the confirmation email as a signer reaches it, at both widths, checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.browser.conftest import ARTIFACTS, axe, screenshot
from tests.e2e.conftest import Client

PETITION = {
    "title": "A zebra crossing outside the school",
    "description": "Children cross a road where cars drive at 50 km/h.",
    "language": "en",
    "decision_maker": {"name": "The Mayor"},
}


def _confirmation_link(stack: Client, email: str) -> str:
    starter = stack.token("harness-starter")
    petition_id = stack.create_petition(PETITION, token=starter)
    signed = stack.call(
        "POST",
        f"/petitions/{petition_id}/signatures",
        {"email": email, "name": "Sam", "language": "en", "wants_updates": True},
    )
    assert signed.status == 201, signed.body
    stack.drain()
    texts = [message["text"] for message in stack.outbox() if message["to"] == [email]]
    link = re.search(r"http://\S+/signatures/confirm/\S+", texts[0])
    assert link, texts
    return link.group(0)


def test_a_page_of_the_stack_opens_at_each_width_and_axe_reads_it(
    stack: Client, page: Page
) -> None:
    # Given a confirmation email's link
    width = page.viewport_size["width"] if page.viewport_size else 0
    link = _confirmation_link(stack, f"harness-{width}@example.org")

    # When the signer opens it in the browser
    response = page.goto(link)

    # Then the page is the stack's, at the page's width, with no serious axe violation
    assert response is not None
    assert response.status == 200
    assert page.get_by_role("button").count() == 1
    assert page.evaluate("document.documentElement.clientWidth") == width
    assert axe(page) == []
    # And its screenshot is written, named by the page and the width
    path = screenshot(page, "harness-confirm")
    assert path == ARTIFACTS / f"harness-confirm-{width}.png"
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_axe_reports_a_serious_violation(stack: Client, phone_page: Page) -> None:
    # Given a page of the stack with an image that has no text alternative added to it
    phone_page.goto(_confirmation_link(stack, "harness-axe@example.org"))
    phone_page.evaluate(
        """() => {
            const image = document.createElement('img');
            image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
            image.id = 'no-alt';
            document.body.append(image);
        }"""
    )

    # When axe checks it, then the image is reported (image-alt is critical)
    violations = axe(phone_page)
    assert [(v["id"], v["impact"]) for v in violations] == [("image-alt", "critical")]
    assert violations[0]["nodes"][0]["target"] == ["#no-alt"]


def test_axe_runs_under_the_contracts_policy_and_in_a_sandboxed_frame(
    stack: Client, desktop_page: Page
) -> None:
    # Given a document with the app's Content-Security-Policy (no inline script) framing a
    # sandboxed document with the preview frame's policy, whose image has no alternative
    policy = "default-src 'self'; script-src 'self'; style-src 'self'; frame-src 'self'"
    frame_policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'"
    documents = {
        "/app/harness-check": (
            policy,
            '<!doctype html><html lang="en"><title>Check</title><main><h1>Check</h1>'
            '<iframe title="Preview" sandbox="allow-scripts" src="/app/harness-frame">'
            "</iframe></main></html>",
        ),
        "/app/harness-frame": (
            frame_policy,
            '<!doctype html><html lang="en"><title>Frame</title>'
            '<img id="frame-no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></html>',
        ),
    }
    for path, (csp, html) in documents.items():
        desktop_page.route(
            stack.base + path,
            lambda route, csp=csp, html=html: route.fulfill(
                status=200,
                headers={"Content-Type": "text/html", "Content-Security-Policy": csp},
                body=html,
            ),
        )
    desktop_page.goto("/app/harness-check")

    # When axe checks it, then it ran in both documents despite the policies
    violations = axe(desktop_page)
    assert [(v["id"], v["frame"]) for v in violations] == [
        ("image-alt", stack.base + "/app/harness-frame")
    ]
