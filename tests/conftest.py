"""Shared fixtures: fake AWS credentials for every test, moto where a test needs AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mobilise_local.server import FAKE_AWS
from tests import decoded_once


@pytest.fixture(autouse=True)
def _never_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no profile, whatever the machine has: no test can reach AWS."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


@pytest.fixture(autouse=True)
def _fresh_clock() -> Iterator[None]:
    from mobilise.core import clock

    clock.reset()
    yield
    clock.reset()


def pytest_configure(config: pytest.Config) -> None:
    decoded_once.share_botocore_models()
