"""The dashboard's API client is typed from infra/openapi.json at every build: a field or
route renamed in the contract fails the web build (`npm run build`, what `make web` runs),
naming what the app uses. Run on a copy of web/ and of the contract, its node_modules
linked (make web installs them)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
Contract = dict[str, Any]


def _rename_field(schema: str, field: str, to: str) -> Callable[[Contract], None]:
    def rename(contract: Contract) -> None:
        found = contract["components"]["schemas"][schema]
        found["properties"][to] = found["properties"].pop(field)
        found["required"] = [to if name == field else name for name in found["required"]]

    return rename


def _rename_path(path: str, to: str) -> Callable[[Contract], None]:
    def rename(contract: Contract) -> None:
        contract["paths"][to] = contract["paths"].pop(path)

    return rename


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """web/ and infra/openapi.json side by side, as in the repository."""
    ignored = shutil.ignore_patterns("node_modules", "dist", "schema.d.ts")
    shutil.copytree(WEB, tmp_path / "web", ignore=ignored)
    (tmp_path / "web" / "node_modules").symlink_to(WEB / "node_modules", target_is_directory=True)
    (tmp_path / "infra").mkdir()
    shutil.copy(ROOT / "infra" / "openapi.json", tmp_path / "infra" / "openapi.json")
    return tmp_path


def _build(copy: Path) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed to build the app"
    return subprocess.run(
        [npm, "run", "build"], cwd=copy / "web", capture_output=True, text=True, timeout=300
    )


def test_the_copy_builds_as_it_is(copy: Path) -> None:
    built = _build(copy)

    assert built.returncode == 0, built.stdout + built.stderr
    assert (copy / "web" / "dist" / "index.html").exists()


@pytest.mark.parametrize(
    ("change", "named", "where"),
    [
        (
            _rename_field("OwnedPetition", "next_update_allowed_at", "reopens_at"),
            "Property 'next_update_allowed_at' does not exist",
            "src/petitions/MyPetitions.tsx",
        ),
        (
            _rename_field("SignatureCounts", "unconfirmed", "pending"),
            "Property 'unconfirmed' does not exist",
            "src/dashboard/",
        ),
        (
            _rename_field("UpdateStats", "bounced", "bounces"),
            "Property 'bounced' does not exist",
            "src/dashboard/Funnel.tsx",
        ),
        (
            _rename_path("/petitions/{petition_id}/nudges", "/petitions/{petition_id}/reminders"),
            '"/petitions/{petition_id}/nudges"',
            "src/dashboard/Settings.tsx",
        ),
    ],
    ids=["list-field", "counts-field", "stats-field", "route"],
)
def test_a_renamed_field_or_route_breaks_the_web_build_naming_it(
    copy: Path, change: Callable[[Contract], None], named: str, where: str
) -> None:
    # Given the contract with a field (or route) the app uses renamed
    document = copy / "infra" / "openapi.json"
    contract = json.loads(document.read_text())
    change(contract)
    document.write_text(json.dumps(contract))

    # When the app is built
    built = _build(copy)

    # Then the build fails, at the typecheck, naming what the app uses and where
    output = built.stdout + built.stderr
    assert built.returncode != 0, output
    assert named in output, output
    assert where in output, output
    assert not (copy / "web" / "dist").exists()  # vite build never ran
