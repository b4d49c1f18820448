"""Fake AWS for the whole benchmark process, and scoped environment changes.

Nothing here can reach AWS: fake credentials, no profile, and every client
points at moto (in-process, or its server on loopback) or DynamoDB Local.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from mobilise_local.fake_aws import FAKE_AWS

_PROFILE_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)

#: What every benchmark process runs with (the children get it too).
QUIET_POWERTOOLS = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def use_fake_aws() -> None:
    """Fake credentials and no configuration files, for this process and its children."""
    for name in _PROFILE_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ.update(QUIET_POWERTOOLS)


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a child process: this one's (fake AWS) plus ``extra``."""
    environment = dict(os.environ)
    environment.update(FAKE_AWS)
    environment.update(extra)
    return environment


@contextmanager
def scoped(variables: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, with ``None``, remove) variables; put back what was there on exit."""
    saved = {name: os.environ.get(name) for name in variables}
    try:
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def python313() -> str:
    """A Python 3.13 interpreter, Lambda's runtime (``python3.13`` on PATH, else pyenv's),
    found as infra/sam.sh finds the one ``sam build`` compiles the layer with."""
    candidates = [shutil.which("python3.13")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run(  # noqa: S603 (pyenv's own command)
            [pyenv, "root"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates += sorted(str(path) for path in Path(root).glob("versions/3.13*/bin/python3.13"))
    for candidate in candidates:
        if candidate and _is_python313(candidate):
            return candidate
    raise RuntimeError("no Python 3.13 runs here (pyenv install 3.13): the layer is built for it")


def _is_python313(interpreter: str) -> bool:
    probe = "import sys; sys.exit(sys.version_info[:2] != (3, 13))"
    completed = subprocess.run(  # noqa: S603 (an interpreter found on PATH or in pyenv)
        [interpreter, "-c", probe], capture_output=True, check=False
    )
    return completed.returncode == 0
