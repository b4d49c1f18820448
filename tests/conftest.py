"""Shared fixtures: fake AWS credentials for every test, moto where a test needs AWS."""

from __future__ import annotations

import fcntl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import decoded_once
from tests.fake_aws import use_fake_aws


@pytest.fixture(autouse=True)
def _never_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no profile, whatever the machine has: no test can reach AWS."""
    use_fake_aws(monkeypatch)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


@pytest.fixture(autouse=True)
def _fresh_clock() -> Iterator[None]:
    from mobilise.core import clock

    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _no_metrics_left() -> Iterator[None]:
    """Metrics a test adds outside a handler (whose decorator would flush them) are dropped
    after it. Powertools keeps them in one set per process, and once a metric has 100 values
    prints the set on stdout, whatever POWERTOOLS_METRICS_DISABLED says: into whichever later
    test on the same worker reads stdout (test_breaker's operators' command read an EMF line
    before its JSON, depending on the tests run before it)."""
    yield
    from mobilise.core.observability import metrics

    metrics.clear_metrics()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings of a deployment and a fixed link key, with no AWS: what the emails are built
    with offline (buttons are signed redirect links). Modules ask for it with
    ``pytestmark = pytest.mark.usefixtures("offline")``."""
    from tests import email_examples

    with email_examples.offline(monkeypatch):
        yield


def pytest_configure(config: pytest.Config) -> None:
    decoded_once.share_botocore_models()


@pytest.fixture(scope="session")
def built_app() -> None:
    """``make web``: web/dist built from web/'s current sources (nothing to do if it is), for
    the tests that serve or measure the app. Test workers share the checkout, so one builds
    while the others wait."""
    root = Path(__file__).resolve().parents[1]
    with (root / ".venv" / "web-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "--no-print-directory", "web"], cwd=root, check=True)  # noqa: S607
