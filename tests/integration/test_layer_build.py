"""What ``sam build`` ships in the common layer (issue 14, cold starts): every module with its
bytecode for Lambda's Python 3.13, so that a cold start compiles nothing of the layer. Lambda's
/opt is read-only: what Python compiles there at a cold start is thrown away, and SAM's
python3.13 builder compiles nothing (it unpacks wheels and copies sources), so every cold
start compiled mobilise, pydantic, botocore and Powertools from source.

The layer is built as ``make build`` builds it (infra/sam.sh: ``sam build`` with the local
Python 3.13, no container); the checks run in that Python, whose magic number and source hash
the bytecode must carry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from zipfile import ZipFile

import pytest
from mobilise_bench.env import python313

from mobilise_local.fake_aws import FAKE_AWS
from mobilise_local.template import ROOT, read

REQUIREMENTS = ROOT / "layers" / "common" / "requirements.txt"
#: The build downloads the pinned wheels from PyPI: half a minute or more.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

#: Every source file of the layer: its bytecode, for the running Python (3.13), hash-based
#: and unchecked (flags 0b01, PEP 552), compiled from the very bytes shipped beside it.
_BYTECODE = """
import importlib.util, json, pathlib, sys
without, other, stale, sources = [], [], [], 0
for source in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    sources += 1
    name = str(source.relative_to(sys.argv[1]))
    cached = pathlib.Path(importlib.util.cache_from_source(str(source)))
    if not cached.is_file():
        without.append(name)
        continue
    data = cached.read_bytes()
    if data[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 1:
        other.append(name)
    elif data[8:16] != importlib.util.source_hash(source.read_bytes()):
        stale.append(name)
print(json.dumps({"sources": sources, "without": without, "other": other, "stale": stale}))
"""

#: A handler module loaded from the layer as Lambda loads it, writing no bytecode.
_LOAD = """
import sys
sys.path.insert(0, {code_dir!r})
from mobilise_local.runtime import load_handler
load_handler({code_dir!r}, {handler!r})
print("loaded", len([name for name in sys.modules if name.startswith("mobilise.")]))
"""


#: Every template loaded as a cold start loads it, from a layer's /opt/python.
_TEMPLATES = """
from mobilise.emails import rendering
rendering.load_templates()
print(len(rendering._templates().list_templates()))
"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The layer's ``python/`` (Lambda's /opt/python) as ``sam build CommonLayer`` writes it."""
    build = tmp_path_factory.mktemp("sam-build")
    subprocess.run(
        ["bash", str(ROOT / "infra" / "sam.sh"), "build", "CommonLayer", "--build-dir", str(build)],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=900,
    )
    return build / "CommonLayer" / "python"


def _in_python313(code: str, *arguments: str, path: Path | None = None) -> str:
    """What ``code`` prints in Lambda's Python (3.13), with ``path`` as its /opt/python and
    no site-packages; it writes no bytecode (/opt is read-only)."""
    environment = {**os.environ, **FAKE_AWS, "PYTHONDONTWRITEBYTECODE": "1"}
    if path is not None:
        environment["PYTHONPATH"] = os.pathsep.join([str(path), str(ROOT / "infra")])
    completed = subprocess.run(
        [python313(), "-S", "-P", "-c", code, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return completed.stdout


def test_sam_build_ships_every_module_of_the_layer_with_its_bytecode(shipped: Path) -> None:
    report = json.loads(_in_python313(_BYTECODE, str(shipped)))

    assert report["sources"] > 1000  # mobilise and every dependency were looked at
    assert report["without"] == []
    assert report["other"] == []  # no timestamp-based .pyc: the zip would make them stale
    assert report["stale"] == []


def test_the_layer_holds_mobilise_and_the_pinned_requirements_and_nothing_else(
    shipped: Path,
) -> None:
    pins = [
        line.split("==")
        for line in REQUIREMENTS.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    installed = {path.name.lower() for path in shipped.glob("*.dist-info")}

    for name, version in pins:
        project = name.split("[")[0].replace("-", "_")
        assert f"{project}-{version}.dist-info" in installed
    assert (shipped / "mobilise" / "__init__.py").is_file()
    assert (shipped / "mobilise" / "emails" / "templates.zip").is_file()  # data files too
    assert (shipped / "mobilise" / "emails" / "templates.pyc.zip").is_file()  # and the build's
    assert (shipped / "mobilise" / "core" / "endpoints.json").is_file()
    assert not {"Makefile", "requirements.txt", "bin"} & {path.name for path in shipped.iterdir()}


@pytest.mark.parametrize("logical_id", ["ApiFunction", "DeliverFunction"])
def test_a_cold_start_runs_the_layers_bytecode_and_compiles_none_of_its_sources(
    shipped: Path, tmp_path: Path, logical_id: str
) -> None:
    """Every source file of a copy of the layer raises if run: a handler module still loads,
    so nothing of the layer was compiled from source at its import."""
    layer = tmp_path / "python"
    shutil.copytree(shipped, layer)
    for source in layer.rglob("*.py"):
        source.write_text('raise RuntimeError("compiled from source at a cold start")\n')
    function = read().functions()[logical_id]

    printed = _in_python313(
        _LOAD.format(code_dir=str(ROOT / function.code_uri), handler=function.handler),
        path=layer,
    )

    assert printed.startswith("loaded ")
    assert int(printed.split()[1]) > 10  # the handler did import the layer's modules


def test_a_cold_start_unmarshals_every_template_and_compiles_none(
    shipped: Path, tmp_path: Path
) -> None:
    """Every template's module in a copy of the layer's archive raises if compiled and run:
    every template still loads, from the bytecode the build wrote for Lambda's Python."""
    layer = tmp_path / "python"
    shutil.copytree(shipped, layer)
    archive = layer / "mobilise" / "emails" / "templates.zip"
    with ZipFile(archive) as modules:
        names = modules.namelist()
    with ZipFile(archive, "w") as modules:
        for name in names:
            modules.writestr(name, 'raise RuntimeError("a template compiled at a cold start")\n')

    printed = _in_python313(_TEMPLATES, path=layer)

    assert int(printed) == len(names) > 40
