"""The pages' files in /static/: each page names the version it was written for, the widget's
files are the ones package.json installs, and no page carries an inline style or script
(the Content-Security-Policy would refuse them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mobilise.api import static

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "layers" / "common" / "mobilise" / "emails" / "templates"
ALTCHA = ROOT / "node_modules" / "altcha"
#: The widget's files, as the layer serves them, from the npm package (see api/static.py).
VENDORED = {
    "altcha.js": "dist/external/altcha.min.js",
    "altcha.css": "dist/external/altcha.css",
    "altcha-pbkdf2.js": "dist/workers/pbkdf2.js",
}
NAMED = re.compile(r"/static/([\w.-]+)\?v=(\w+)")
PAGES = sorted(
    path
    for path in TEMPLATES.glob("*.html")
    if path.name in ("page_base.html", "share.html")
    or re.search(r'extends "(page|public)_base.html"', path.read_text(encoding="utf-8"))
)


def test_every_file_a_template_names_is_served_at_its_current_version() -> None:
    named = [found for path in PAGES for found in NAMED.findall(path.read_text("utf-8"))]
    assert {name for name, _ in named} == set(static.TYPES)
    for name, version in named:
        assert version == static.version(name), f"{name}: write ?v={static.version(name)}"


@pytest.mark.parametrize("name", sorted(VENDORED))
def test_the_widget_files_are_those_of_the_installed_package(name: str) -> None:
    # Given the widget package.json pins (its protocol is the Python library's: ALTCHA v2)
    pinned = json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"]["altcha"]
    assert json.loads((ALTCHA / "package.json").read_text("utf-8"))["version"] == pinned
    # Then the layer serves that version's files
    assert static.content(name) == (ALTCHA / VENDORED[name]).read_bytes(), (
        f"copy node_modules/altcha/{VENDORED[name]} to api/static/{name}"
    )


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_no_page_template_has_an_inline_style_or_script(path: str | Path) -> None:
    html = Path(path).read_text("utf-8")
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
