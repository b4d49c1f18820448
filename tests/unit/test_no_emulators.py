"""tests/unit stays a loop of seconds: none of its modules imports moto or DynamoDB Local
(Java), directly or through the code it imports (every import statement counts, at the top
of a module or inside a function)."""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

UNIT = Path(__file__).resolve().parent
OURS = ("mobilise", "mobilise_local", "mobilise_bench", "tests")
#: What makes a test slow: an AWS emulator, or a JVM.
FORBIDDEN = ("moto", "mobilise_local.dynamodb_local")


@functools.cache
def imported_names(path: Path, package: str) -> frozenset[str]:
    """The modules a file names in its import statements (``from a import b``: ``a`` and
    ``a.b``, which may be a module too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(names)


@functools.cache
def package_folder(top: str) -> Path:
    spec = importlib.util.find_spec(top)
    assert spec is not None, top
    assert spec.submodule_search_locations, top
    return Path(next(iter(spec.submodule_search_locations)))


def source_of(name: str) -> tuple[Path, str] | None:
    """The file of one of our modules and the package its relative imports start from (found
    by path, without importing anything but the top package)."""
    top, *rest = name.split(".")
    if top not in OURS:
        return None
    folder = package_folder(top).joinpath(*rest)
    if (folder / "__init__.py").is_file():
        return folder / "__init__.py", name
    if folder.with_suffix(".py").is_file():
        return folder.with_suffix(".py"), name.rpartition(".")[0]
    return None  # a name imported from a module, not a module


def forbidden_chain(start: str) -> list[str] | None:
    """The imports that lead from ``start`` to a forbidden module, if any do."""
    seen = {start}
    paths = {start: [start]}
    queue = [start]
    while queue:
        name = queue.pop()
        found = source_of(name)
        if found is None:
            continue
        for imported in sorted(imported_names(*found)):
            if any(imported == bad or imported.startswith(f"{bad}.") for bad in FORBIDDEN):
                return [*paths[name], imported]
            if imported not in seen:
                seen.add(imported)
                paths[imported] = [*paths[name], imported]
                queue.append(imported)
    return None


def test_no_unit_test_imports_moto_or_dynamodb_local() -> None:
    chains = {
        path.name: forbidden_chain(f"tests.unit.{path.stem}")
        for path in sorted(UNIT.glob("*.py"))
        if path.stem != "__init__"
    }
    chains["tests/conftest.py"] = forbidden_chain("tests.conftest")  # loaded before any unit test
    assert {name: " -> ".join(chain) for name, chain in chains.items() if chain} == {}


def test_the_guard_sees_moto_through_the_code_a_test_imports() -> None:
    """The control: the local stack's server reaches moto through its outbox."""
    chain = forbidden_chain("mobilise_local.server")
    assert chain is not None
    assert chain[:2] == ["mobilise_local.server", "mobilise_local.outbox"]
    assert chain[2].split(".")[0] == "moto"


def test_the_guard_sees_the_jvm_of_dynamodb_local() -> None:
    assert forbidden_chain("tests.integration.conftest") == [
        "tests.integration.conftest",
        "mobilise_local.dynamodb_local",
    ]
