"""The browser tests' harness: the local stack as a process (as ``make run`` starts it),
Debian's Chromium driven by Playwright, a page at a phone's and a desktop's width, axe-core's
checks and screenshots.

Fixtures: ``stack`` (the running stack, a :class:`tests.e2e.conftest.Client`, one per test
module, serving web/dist, which ``make web`` brings up to date first), ``browser`` (one per
worker), ``page`` (one test per width: 375 and 1280 px), ``phone_page`` (375 px) and
``desktop_page`` (1280 px). A page's relative URLs are the stack's: ``page.goto("/app/")``.
Functions: ``axe(page)`` and ``screenshot(page, name)``
(``from tests.browser.conftest import axe, screenshot``). A failed test leaves its pages'
Playwright traces (DOM snapshots of every step: ``playwright show-trace`` opens one) in
``test-artifacts/traces/``; screenshots in them would cost a tenth of the tests' time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.conftest import Client, running_stack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's: browsers cannot be downloaded here
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # make install (npm ci)
ARTIFACTS = ROOT / "test-artifacts"
PHONE, DESKTOP = 375, 1280
WIDTHS = (PHONE, DESKTOP)
HEIGHT = {PHONE: 812, DESKTOP: 900}
#: What a step may take on a machine shared by many test workers (Playwright's default: 30 s).
TIMEOUT_MS = 60_000
#: The impacts that fail a test; "minor" and "moderate" ones are left to review.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(scope="module")
def stack(built_app: None) -> Iterator[Client]:
    """The local stack in a subprocess, on a free port, serving the built app at /app/;
    stopped with Ctrl-C after the module."""
    with running_stack() as client:
        yield client


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium. Its sandbox needs user namespaces, which root is refused: as root
    (a container, CI) it runs without it, as it would with ``--no-sandbox`` by hand."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield launched
    launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report kept on the test (``item.report_call``): its page fixtures keep the
    trace of a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page(
    request: pytest.FixtureRequest, browser: Browser, stack: Client, width: int
) -> Iterator[Page]:
    """A page in its own context (no cookies or storage shared between tests), traced: the
    trace is kept if the test did not pass (``test-artifacts/traces/{test}-{width}.zip``)."""
    context = browser.new_context(
        base_url=stack.base,
        viewport={"width": width, "height": HEIGHT[width]},
        locale="en-GB",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.tracing.start(snapshots=True)
    page = context.new_page()
    yield page
    called = getattr(request.node, "report_call", None)
    if called is None or called.failed:
        name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
        context.tracing.stop(path=ARTIFACTS / "traces" / f"{name}-{width}.zip")
    else:
        context.tracing.stop()
    context.close()


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def page(request: pytest.FixtureRequest, browser: Browser, stack: Client) -> Iterator[Page]:
    """A page at 375 px, then at 1280 px: the test runs once at each width."""
    yield from _page(request, browser, stack, request.param)


@pytest.fixture
def phone_page(request: pytest.FixtureRequest, browser: Browser, stack: Client) -> Iterator[Page]:
    yield from _page(request, browser, stack, PHONE)


@pytest.fixture
def desktop_page(request: pytest.FixtureRequest, browser: Browser, stack: Client) -> Iterator[Page]:
    yield from _page(request, browser, stack, DESKTOP)


def axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page and each of its frames.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not govern (an injected ``<script>`` would be refused by ``script-src 'self'``), and
    run in each frame on its own: a sandboxed frame (the email preview) does not answer axe's
    messages between frames, and axe would wait a minute for it."""
    source = AXE.read_text(encoding="utf-8")
    found: list[dict[str, Any]] = []
    for frame in page.frames:
        frame.evaluate(source)
        results = frame.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        found.extend(
            {
                "frame": frame.url,
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "nodes": [
                    {"target": node["target"], "html": node["html"]} for node in violation["nodes"]
                ],
            }
            for violation in results["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        )
    return found


def screenshot(page: Page, name: str) -> Path:
    """The whole page as ``test-artifacts/{name}-{width}.png`` (the viewport's width)."""
    viewport = page.viewport_size
    assert viewport is not None, "a page made by the fixtures has a viewport"
    path = ARTIFACTS / f"{name}-{viewport['width']}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path
