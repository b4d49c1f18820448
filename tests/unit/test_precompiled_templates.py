"""The templates compiled ahead of time (mobilise.emails.precompiled, issue 14): the committed
archive is what Jinja2 writes for every template now; a template is served from it without
being parsed, and one whose source changed, or that the archive lacks, from its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from jinja2 import DictLoader, Environment

from mobilise.emails import precompiled, rendering
from mobilise.emails.precompiled import ARCHIVE, Precompiled, build


def _entries(archive: Path) -> dict[str, bytes]:
    with ZipFile(archive) as modules:
        return {name: modules.read(name) for name in modules.namelist()}


def test_the_archive_holds_every_template_as_jinja2_compiles_it_now(tmp_path: Path) -> None:
    fresh = tmp_path / "templates.zip"
    names = build(rendering._templates(), fresh)

    assert _entries(ARCHIVE) == _entries(fresh), (
        "the templates changed: run .venv/bin/python -m mobilise.emails.precompiled"
    )
    assert len(names) == len(_entries(fresh)) > 40  # one module per template, every one


def _environment(sources: dict[str, str], archive: Path) -> Environment:
    return Environment(loader=Precompiled(DictLoader(sources), archive), autoescape=True)


def _refuse_parsing(monkeypatch: pytest.MonkeyPatch, environment: Environment) -> list[str]:
    parsed: list[str] = []

    def parse(source: str, name: str | None, filename: str | None) -> Any:
        parsed.append(str(name))
        return Environment._parse(environment, source, name, filename)

    monkeypatch.setattr(environment, "_parse", parse)
    return parsed


def test_a_template_in_the_archive_is_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = {"base.html": "<p>{% block body %}{% endblock %}</p>", "page.html": (
        '{% extends "base.html" %}{% block body %}Hello {{ name }}{% endblock %}'
    )}  # fmt: skip
    build(_environment(sources, tmp_path / "none.zip"), tmp_path / "templates.zip")
    environment = _environment(sources, tmp_path / "templates.zip")
    parsed = _refuse_parsing(monkeypatch, environment)

    page = environment.get_template("page.html").render(name="<Ada>")

    assert page == "<p>Hello &lt;Ada&gt;</p>"
    assert parsed == []


def test_a_template_changed_or_added_since_the_archive_is_compiled_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    build(_environment(sources, tmp_path / "none.zip"), tmp_path / "templates.zip")
    sources["page.html"] = "Goodbye {{ name }}"
    sources["new.html"] = "New {{ name }}"
    environment = _environment(sources, tmp_path / "templates.zip")
    parsed = _refuse_parsing(monkeypatch, environment)

    changed = environment.get_template("page.html").render(name="Ada")
    added = environment.get_template("new.html").render(name="Ada")

    assert (changed, added) == ("Goodbye Ada", "New Ada")
    assert parsed == ["page.html", "new.html"]


def test_a_template_served_from_the_archive_is_reloaded_when_its_source_changes(
    tmp_path: Path,
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    build(_environment(sources, tmp_path / "none.zip"), tmp_path / "templates.zip")
    environment = _environment(sources, tmp_path / "templates.zip")
    before = environment.get_template("page.html").render(name="Ada")

    sources["page.html"] = "Goodbye {{ name }}"
    after = environment.get_template("page.html").render(name="Ada")

    assert (before, after) == ("Hello Ada", "Goodbye Ada")


def test_the_entry_of_a_template_names_its_source_and_jinja2s_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = precompiled.entry_name("page.html", "Hello")

    assert precompiled.entry_name("page.html", "Hello!") != entry
    assert precompiled.entry_name("other.html", "Hello") != entry
    monkeypatch.setattr("jinja2.__version__", "9.9.9")
    assert precompiled.entry_name("page.html", "Hello") != entry
