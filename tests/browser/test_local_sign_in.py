"""The local sign-in page in the browser, as the dashboard sends a starter to it: readable by
axe at both widths, usable with the keyboard alone, and back to the app with a code."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Page

from tests.browser.conftest import axe, screenshot
from tests.e2e.conftest import Client


def _authorize_url(stack: Client) -> str:
    config = stack.call("GET", "/app/config.json").json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": config["clientId"],
        "redirect_uri": config["redirectUri"],
        "scope": config["scopes"],
        "state": "from-the-browser",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    return f"{config['authorizeUrl']}?{urlencode(query)}"


def test_a_starter_signs_in_with_the_keyboard_and_is_back_in_the_app(
    stack: Client, page: Page
) -> None:
    # Given the sign-in page the app sends a starter to
    page.goto(_authorize_url(stack))
    assert axe(page) == []
    screenshot(page, "local-sign-in")

    # When they type a user name and press Enter
    page.keyboard.type("dana")  # the field has the focus
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Then the browser is at the app's callback, with a code and the app's state
    url = urlsplit(page.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{stack.base}/app/callback"
    query = parse_qs(url.query)
    assert query["state"] == ["from-the-browser"]
    assert len(query["code"][0]) >= 32
