"""infra/build_web.sh, what `make web` runs: web/ built into web/dist, whatever stage the
dashboard's scaffold is at (run on a copy of the script next to a web/ made here)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INDEX = '<!doctype html><html lang="en"><title>Mobilise</title></html>'


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "infra").mkdir()
    shutil.copy(ROOT / "infra" / "build_web.sh", tmp_path / "infra" / "build_web.sh")
    return tmp_path


def _build(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(checkout / "infra" / "build_web.sh")],
        capture_output=True,
        text=True,
        check=True,
    )


def _web(checkout: Path, package: dict[str, object]) -> Path:
    web = checkout / "web"
    web.mkdir()
    (web / "package.json").write_text(json.dumps(package))
    (web / "index.html").write_text(INDEX)
    return web


def test_a_scaffold_without_a_build_script_is_its_index_html(checkout: Path) -> None:
    web = _web(checkout, {"name": "mobilise-web", "private": True})

    built = _build(checkout)

    assert (web / "dist" / "index.html").read_text() == INDEX
    assert (web / "dist" / ".built").exists()
    assert "no build script" in built.stderr
    assert not (web / "node_modules").exists()  # no lock, nothing to install


def test_the_build_script_builds_dist(checkout: Path) -> None:
    web = _web(
        checkout, {"name": "mobilise-web", "private": True, "scripts": {"build": "node build.js"}}
    )
    (web / "build.js").write_text(
        "const fs = require('fs'); fs.mkdirSync('dist/assets', {recursive: true});"
        "fs.writeFileSync('dist/index.html', 'built'); fs.writeFileSync('dist/assets/a-1.js', '');"
    )

    _build(checkout)

    assert (web / "dist" / "index.html").read_text() == "built"
    assert (web / "dist" / "assets" / "a-1.js").exists()
    assert (web / "dist" / ".built").exists()


def test_no_web_app_builds_nothing(checkout: Path) -> None:
    built = _build(checkout)

    assert "no web/package.json" in built.stderr
    assert not (checkout / "web").exists()
