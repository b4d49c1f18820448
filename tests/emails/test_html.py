"""The HTML of every kind of email, as it leaves in the message: styled inline (the clients
that drop ``<style>`` show the same buttons), laid out in presentation tables, with one
visible heading. Read with Python's HTML parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.email_examples import Sent
from tests.emails.conftest import html_part
from tests.emails.test_wire import KINDS


class _Elements(HTMLParser):
    """Each element's tag and attributes, with its parent's, and the text of ``<style>``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.style = ""
        self._open: list[tuple[str, dict[str, str]]] = [("", {})]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.found.append((tag, attributes, self._open[-1][1]))
        if tag not in ("meta", "img", "br"):
            self._open.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        if len(self._open) > 1 and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open[-1][0] == "style":
            self.style += data

    def of(self, tag: str) -> list[tuple[dict[str, str], dict[str, str]]]:
        return [(attributes, parent) for found, attributes, parent in self.found if found == tag]


def _declarations(style: str) -> dict[str, str]:
    pairs = (rule.split(":", 1) for rule in style.split(";") if ":" in rule)
    return {name.strip(): value.strip() for name, value in pairs}


@pytest.mark.parametrize("name", KINDS)
def test_only_media_queries_stay_in_style_and_every_element_is_styled_inline(
    name: str, every_email: dict[str, Sent]
) -> None:
    page = _Elements(html_part(every_email[name].raw))

    # <style> holds media queries only: every other rule is in the elements' style attributes
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", page.style).strip() == ""
    for tag in ("body", "h1", "p", "td", "table"):
        assert all(attributes.get("style") for attributes, _ in page.of(tag)), tag


@pytest.mark.parametrize("name", KINDS)
def test_the_layout_is_presentation_tables_and_buttons_hold_their_colours_inline(
    name: str, every_email: dict[str, Sent]
) -> None:
    page = _Elements(html_part(every_email[name].raw))

    assert page.of("div") == []
    assert all(attributes.get("role") == "presentation" for attributes, _ in page.of("table"))
    buttons = [(a, cell) for a, cell in page.of("a") if "button-link" in a.get("class", "")]
    if name.startswith(("confirmation", "update-press", "update-event", "meeting-followup")):
        assert buttons
    for attributes, cell in buttons:
        # the cell paints the button (Outlook), the link carries its own colour
        assert _declarations(cell["style"])["background-color"].startswith("#")
        assert _declarations(attributes["style"])["color"].startswith("#")
        assert _declarations(attributes["style"])["text-decoration"] == "none"


@pytest.mark.parametrize("name", KINDS)
def test_every_email_has_one_visible_heading(name: str, every_email: dict[str, Sent]) -> None:
    page = _Elements(html_part(every_email[name].raw))

    assert len(page.of("h1")) == 1
