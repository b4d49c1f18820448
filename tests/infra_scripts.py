"""The scripts of ``infra/`` (commands, not an installed package), loaded by their path."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

INFRA = Path(__file__).resolve().parents[1] / "infra"


def load(name: str) -> ModuleType:
    """``infra/{name}.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, INFRA / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
