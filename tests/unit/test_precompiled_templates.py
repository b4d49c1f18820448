"""The templates compiled ahead of time (mobilise.emails.precompiled, issue 14): the committed
archive is what Jinja2 writes for every template now; a template is served from it without
being parsed, and one whose source changed, or that the archive lacks, from its source. The
layer's bytecode of the archive is what Python compiles from it, and spares compiling it, for
the Python that wrote it only."""

from __future__ import annotations

import importlib.util
import marshal
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any
from zipfile import ZipFile

import pytest
from jinja2 import DictLoader, Environment

from mobilise.emails import precompiled, rendering
from mobilise.emails.precompiled import ARCHIVE, MAGIC, Precompiled, build, compile_archive


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


def _environment(
    sources: dict[str, str], archive: Path, bytecode: Path | None = None
) -> Environment:
    loader = Precompiled(DictLoader(sources), archive, bytecode or archive.with_suffix(".none"))
    return Environment(loader=loader, autoescape=True)


#: A page that extends a base template.
_EXTENDED = {"base.html": "<p>{% block body %}{% endblock %}</p>", "page.html": (
    '{% extends "base.html" %}{% block body %}Hello {{ name }}{% endblock %}'
)}  # fmt: skip


def _archived(sources: dict[str, str], tmp_path: Path) -> Path:
    """The archive of ``sources``' modules, built as the layer's is."""
    archive = tmp_path / "templates.zip"
    build(_environment(sources, tmp_path / "none.zip"), archive)
    return archive


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
    environment = _environment(_EXTENDED, _archived(_EXTENDED, tmp_path))
    parsed = _refuse_parsing(monkeypatch, environment)

    page = environment.get_template("page.html").render(name="<Ada>")

    assert page == "<p>Hello &lt;Ada&gt;</p>"
    assert parsed == []


def test_a_template_changed_or_added_since_the_archive_is_compiled_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    archive = _archived(sources, tmp_path)
    sources["page.html"] = "Goodbye {{ name }}"
    sources["new.html"] = "New {{ name }}"
    environment = _environment(sources, archive)
    parsed = _refuse_parsing(monkeypatch, environment)

    changed = environment.get_template("page.html").render(name="Ada")
    added = environment.get_template("new.html").render(name="Ada")

    assert (changed, added) == ("Goodbye Ada", "New Ada")
    assert parsed == ["page.html", "new.html"]


def test_a_template_served_from_the_archive_is_reloaded_when_its_source_changes(
    tmp_path: Path,
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    archive = _archived(sources, tmp_path)
    environment = _environment(sources, archive)
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


def _codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _codes(constant)


def test_the_bytecode_of_each_module_is_what_python_compiles_from_it(tmp_path: Path) -> None:
    bytecode = tmp_path / "templates.pyc.zip"
    count = compile_archive(ARCHIVE, bytecode)
    filename = "/opt/python/mobilise/emails/templates/page.html"

    modules, compiled = _entries(ARCHIVE), _entries(bytecode)
    assert compiled.pop(MAGIC) == importlib.util.MAGIC_NUMBER
    assert count == len(compiled) == len(modules) > 40
    for name, module in modules.items():
        loaded = precompiled._named(marshal.loads(compiled[name]), filename)  # noqa: S302
        assert loaded == compile(module, filename, "exec"), name
        # code objects compare without their file names: a traceback shows the template's
        assert {code.co_filename for code in _codes(loaded)} == {filename}


def _refuse_compiling(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []

    def compile_(source: bytes, filename: str, mode: str) -> CodeType:
        compiled.append(filename)
        return compile(source, filename, mode)

    monkeypatch.setattr(precompiled, "compile", compile_, raising=False)
    return compiled


def _built(sources: dict[str, str], tmp_path: Path) -> tuple[Path, Path]:
    archive, bytecode = _archived(sources, tmp_path), tmp_path / "templates.pyc.zip"
    compile_archive(archive, bytecode)
    return archive, bytecode


def test_a_template_with_bytecode_of_this_python_is_neither_parsed_nor_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, bytecode = _built(_EXTENDED, tmp_path)
    environment = _environment(_EXTENDED, archive, bytecode)
    parsed = _refuse_parsing(monkeypatch, environment)
    compiled = _refuse_compiling(monkeypatch)

    page = environment.get_template("page.html")

    assert page.render(name="<Ada>") == "<p>Hello &lt;Ada&gt;</p>"
    assert (parsed, compiled) == ([], [])
    without = _environment(_EXTENDED, archive).get_template("page.html")
    assert (page.filename, compiled) == (without.filename, ["<template>"])  # named alike


def test_another_pythons_bytecode_is_not_used_the_module_is_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    archive, bytecode = _built(sources, tmp_path)
    with ZipFile(bytecode) as written:
        entries = {name: written.read(name) for name in written.namelist()}
    with ZipFile(bytecode, "w") as rewritten:
        for name, data in entries.items():
            rewritten.writestr(name, b"\x00\x00\r\n" if name == MAGIC else data)
    environment = _environment(sources, archive, bytecode)
    parsed = _refuse_parsing(monkeypatch, environment)
    compiled = _refuse_compiling(monkeypatch)

    assert environment.get_template("page.html").render(name="Ada") == "Hello Ada"
    assert (parsed, compiled) == ([], ["<template>"])


def test_a_template_changed_since_the_bytecode_is_compiled_from_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = {"page.html": "Hello {{ name }}"}
    archive, bytecode = _built(sources, tmp_path)
    sources["page.html"] = "Goodbye {{ name }}"
    environment = _environment(sources, archive, bytecode)
    parsed = _refuse_parsing(monkeypatch, environment)

    assert environment.get_template("page.html").render(name="Ada") == "Goodbye Ada"
    assert parsed == ["page.html"]
