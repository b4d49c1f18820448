"""The shape of the domain package, checked: routes call capabilities, no capability reaches
into another's store, every domain error lives in one module, and no module grows past what
one reader takes in."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "common" / "mobilise"
CAPABILITIES = (
    "petitions",
    "publishing",
    "delivery",
    "engagement",
    "reminders",
    "privacy",
    "answers",
)
#: "About 400 lines": a module past this is two modules.
MOST_LINES = 450


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module a file imports from, with ``from a.b import c`` counted as ``a.b.c`` too
    (``c`` may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def name(path: Path) -> str:
    return ".".join(("mobilise", *path.relative_to(PACKAGE).with_suffix("").parts))


@pytest.mark.parametrize("path", sorted((PACKAGE / "api").glob("*.py")), ids=name)
def test_routes_call_capabilities_never_the_table(path: Path) -> None:
    reached = {
        module
        for module in imported(path)
        if module.startswith("mobilise.table") or module.endswith(".store")
    }
    assert not reached, f"{name(path)} reaches the data directly: {sorted(reached)}"


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_no_capability_reaches_into_another_store(capability: str) -> None:
    others = {f"mobilise.{other}.store" for other in CAPABILITIES if other != capability}
    reached = {
        (name(path), module)
        for path in (PACKAGE / capability).glob("*.py")
        for module in imported(path) & others
    }
    assert not reached


def test_every_domain_error_is_defined_in_core_errors() -> None:
    errors = PACKAGE / "core" / "errors.py"
    defined = {
        node.name
        for node in ast.walk(ast.parse(errors.read_text()))
        if isinstance(node, ast.ClassDef)
    }
    elsewhere = [
        (name(path), node.name)
        for path in modules()
        if path != errors
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id in defined for base in node.bases)
    ]
    assert not elsewhere


def test_no_module_is_longer_than_a_reader_takes_in() -> None:
    long = {
        name(path): lines
        for path in modules()
        if (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert not long


def test_the_rules_see_the_package() -> None:
    """The checks above read real files: the package and its capabilities are where they
    say (an empty glob would pass every rule)."""
    assert len(modules()) > 40
    assert all((PACKAGE / capability / "store.py").is_file() for capability in CAPABILITIES)
    assert "mobilise.table.items" in imported(PACKAGE / "petitions" / "store.py")


def test_the_api_cold_start_leaves_the_calendar_library_to_the_calendar_route() -> None:
    """icalendar serves one rarely called route; every API cold start would pay its import,
    even with every route included."""
    probe = "import sys, mobilise.api; mobilise.api.everything(); print('icalendar' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
