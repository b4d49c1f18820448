"""The app as the local stack serves it, in the browser: a client-side route opens the app's
document, its own scripts run, and its Content-Security-Policy stops an inline script, as
CloudFront's AppHeadersPolicy does on AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.e2e.conftest import Client, running_stack

INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>App</title>
<script type="module" src="/app/assets/app-1a2b.js"></script></head>
<body><main><h1>Loading</h1></main>
<script>document.body.dataset.inline = "ran";</script></body></html>"""
SCRIPT = "document.querySelector('h1').textContent = 'Ran: ' + location.pathname;"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The stack serving a small built app of this module's own (not web/dist)."""
    dist = tmp_path_factory.mktemp("dist")
    (dist / "assets").mkdir()
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b.js").write_text(SCRIPT)
    with running_stack("--app-dir", str(dist)) as client:
        yield client


def test_a_client_side_route_runs_the_apps_script_and_no_inline_one(
    stack: Client, desktop_page: Page
) -> None:
    # Given the browser's console
    refused: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    desktop_page.on("console", console)

    # When a client-side route of the app is opened
    response = desktop_page.goto("/app/petitions/01J0/compose")

    # Then it is the app's document, its module ran, and the inline script was refused
    assert response is not None
    assert response.status == 200
    assert desktop_page.locator("h1").inner_text() == "Ran: /app/petitions/01J0/compose"
    assert desktop_page.evaluate("document.body.dataset.inline") is None
    assert len(refused) == 1
    assert "script-src 'self'" in refused[0]
