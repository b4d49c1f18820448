"""The README's layout block is the tree git holds: every path it names exists, and every
top-level directory, every package of the domain and every function is named in it.

The block is the first fenced block under ``## Layout``. Each line names one path, then,
after two spaces or more, says what it is. Two spaces of indentation put a name inside the
last directory (a name ending in ``/``) one level up::

    functions/          one folder per Lambda
      api/              the HTTP API
    infra/openapi.json  a path may also be written whole
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOMAIN = "layers/common/mobilise/"
FUNCTIONS = "functions/"


class LayoutError(ValueError):
    """The layout block cannot be read: no block, or an indentation that names no parent."""


def layout_block(readme: str) -> list[str]:
    """The lines of the first fenced block after the ``## Layout`` heading."""
    match = re.search(r"^## Layout\n.*?^```[^\n]*\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    if match is None:
        raise LayoutError("README.md has no fenced block under '## Layout'")
    return match.group(1).splitlines()


def named_paths(lines: list[str]) -> list[str]:
    """The full path each line names, its parents' names joined in front of its own."""
    parents: list[str] = []
    paths = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        depth, odd = divmod(indent, 2)
        if odd or depth > len(parents):
            raise LayoutError(f"line {number} of the layout has no parent: {line.strip()!r}")
        del parents[depth:]
        name = line.split()[0]
        path = "".join(parents) + name
        paths.append(path)
        if name.endswith("/"):
            parents.append(name)
    return paths


def _exists(path: str, files: set[str]) -> bool:
    directory = path if path.endswith("/") else path + "/"
    return path in files or any(file.startswith(directory) for file in files)


def unknown(paths: list[str], files: set[str]) -> list[str]:
    """The named paths that are neither a tracked file nor a directory holding one."""
    return [path for path in paths if not _exists(path, files)]


def _directories_under(prefix: str, files: set[str]) -> set[str]:
    return {
        prefix + file.removeprefix(prefix).split("/")[0] + "/"
        for file in files
        if file.startswith(prefix) and "/" in file.removeprefix(prefix)
    }


def unnamed(paths: list[str], files: set[str]) -> list[str]:
    """What the block must name and does not: each top-level directory (itself or a path in
    it), each package of the domain and each function (the directory itself)."""
    named = {path if path.endswith("/") or path in files else path + "/" for path in paths}
    missing = [
        top
        for top in sorted(_directories_under("", files))
        if not any(path.startswith(top) for path in named)
    ]
    required = _directories_under(DOMAIN, files) | _directories_under(FUNCTIONS, files)
    return missing + sorted(required - named)


def tracked_files() -> set[str]:
    git = shutil.which("git")
    assert git is not None, "git is needed to list the tracked files"
    listing = subprocess.run(
        [git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(listing.splitlines())


@pytest.fixture(scope="module")
def files() -> set[str]:
    return tracked_files()


@pytest.fixture(scope="module")
def readme_paths() -> list[str]:
    return named_paths(layout_block(README.read_text()))


def test_every_path_the_layout_names_is_tracked(readme_paths: list[str], files: set[str]) -> None:
    # Given the README's layout block and git's files
    # When each named path is looked up
    # Then each is a tracked file or a directory that holds one
    assert unknown(readme_paths, files) == []


def test_the_layout_names_every_directory_package_and_function(
    readme_paths: list[str], files: set[str]
) -> None:
    # Given the README's layout block and git's files
    # When the top-level directories, the domain's packages and the functions are listed
    # Then the block names each one
    assert unnamed(readme_paths, files) == []


FILES = {
    "Makefile",
    ".ci/run",
    "functions/api/api_function.py",
    "functions/deliver/deliver_function.py",
    "layers/common/mobilise/__init__.py",
    "layers/common/mobilise/core/clock.py",
    "layers/common/mobilise/delivery/fanout.py",
    "layers/common/mobilise/emails/templates/update.html",
}
BLOCK = """\
.ci/run             CI
Makefile            the commands
functions/          one folder per Lambda
  api/              the HTTP API
  deliver/          emails
layers/common/
  mobilise/         the domain
    core/           shared pieces
    delivery/       fan-out and sending
    emails/         rendering, templates/
"""


def test_a_nested_name_is_read_as_its_full_path() -> None:
    # Given a block with nested directories
    # When it is read
    paths = named_paths(BLOCK.splitlines())
    # Then each name carries its parents
    assert paths == [
        ".ci/run",
        "Makefile",
        "functions/",
        "functions/api/",
        "functions/deliver/",
        "layers/common/",
        "layers/common/mobilise/",
        "layers/common/mobilise/core/",
        "layers/common/mobilise/delivery/",
        "layers/common/mobilise/emails/",
    ]
    # And the block matches the files
    assert unknown(paths, FILES) == []
    assert unnamed(paths, FILES) == []


def test_a_path_that_is_not_tracked_is_reported() -> None:
    # Given a block that names a package git does not hold
    paths = named_paths(
        (BLOCK + "    store.py        gone\n    publishing/     not yet\n").splitlines()
    )
    # Then both are reported
    assert unknown(paths, FILES) == [
        "layers/common/mobilise/store.py",
        "layers/common/mobilise/publishing/",
    ]


@pytest.mark.parametrize(
    ("left_out", "reported"),
    [
        (".ci/run", ".ci/"),
        ("  deliver/", "functions/deliver/"),
        ("    core/", "layers/common/mobilise/core/"),
    ],
)
def test_a_directory_package_or_function_left_out_is_reported(left_out: str, reported: str) -> None:
    # Given a block without one line
    lines = [line for line in BLOCK.splitlines() if not line.startswith(left_out + " ")]
    # Then what it leaves out is reported
    assert unnamed(named_paths(lines), FILES) == [reported]


def test_an_indentation_without_a_parent_is_refused() -> None:
    # Given a line indented under a file, not a directory
    # Then the block cannot be read
    with pytest.raises(LayoutError, match="line 2"):
        named_paths(["Makefile   the commands", "  api/     nowhere"])
