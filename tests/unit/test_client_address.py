"""The address the per-address rate limit counts: the viewer SiteDistribution names, only when
the request carries the distribution's secret; API Gateway's source address otherwise."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from mobilise.api.common import client_address
from mobilise.api.wire import Request
from mobilise.core import config, crypto
from tests import email_examples

EDGE = "130.176.0.1"  # API Gateway's sourceIp behind CloudFront: the edge, not the viewer
VIEWER = "198.51.100.7"
SECRET = "s3cr3tgeneratedatdeploy0123456789abcdefghijklmnopqrstuvwxyzABCD"


@pytest.fixture
def behind_the_distribution(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A deployment's settings and its OriginSecret, cached as the real one is (reading it
    from Secrets Manager is tests/integration/test_viewer_address.py's)."""
    email_examples.use_settings(monkeypatch, ORIGIN_SECRET_ARN="arn:aws:secretsmanager:origin")
    monkeypatch.setattr(crypto, "origin_secret", functools.cache(lambda: SECRET.encode()))
    yield
    config.get_settings.cache_clear()
    crypto.reset()


def _event(headers: dict[str, str]) -> Request:
    data: dict[str, Any] = {
        "headers": headers,
        "requestContext": {"identity": {"sourceIp": EDGE}},
    }
    return Request(data)


@pytest.mark.usefixtures("behind_the_distribution")
@pytest.mark.parametrize(
    ("named", "expected"),
    [
        pytest.param(VIEWER, VIEWER, id="IPv4"),
        pytest.param("2001:DB8:0:0::7", "2001:db8::7", id="IPv6, in its one written form"),
    ],
)
def test_with_the_distributions_secret_the_viewer_it_names_is_counted(
    named: str, expected: str
) -> None:
    event = _event({"x-mobilise-viewer-address": named, "X-Mobilise-Origin-Proof": SECRET})

    assert client_address(event) == expected


@pytest.mark.usefixtures("behind_the_distribution")
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Mobilise-Viewer-Address": VIEWER}, id="a forged address alone"),
        pytest.param(
            {"X-Mobilise-Viewer-Address": VIEWER, "X-Mobilise-Origin-Proof": "guessed"},
            id="a wrong secret",
        ),
        pytest.param(
            {"X-Mobilise-Viewer-Address": VIEWER, "X-Mobilise-Origin-Proof": SECRET[:-1]},
            id="the secret but its last character",
        ),
        pytest.param(
            {"X-Mobilise-Viewer-Address": VIEWER, "X-Mobilise-Origin-Proof": ""},
            id="an empty secret",
        ),
        pytest.param({"X-Mobilise-Origin-Proof": SECRET}, id="the secret and no address"),
        pytest.param(
            {"X-Mobilise-Viewer-Address": "not an address", "X-Mobilise-Origin-Proof": SECRET},
            id="the secret and no address in the header",
        ),
        pytest.param({}, id="neither"),
    ],
)
def test_without_the_distributions_proof_the_source_address_is_counted(
    headers: dict[str, str],
) -> None:
    assert client_address(_event(headers)) == EDGE


def test_a_deployment_without_the_secret_counts_the_source_address_and_reads_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given settings without an origin secret (the local stack, a test), and no AWS at all
    email_examples.use_settings(monkeypatch)
    event = _event({"X-Mobilise-Viewer-Address": VIEWER, "X-Mobilise-Origin-Proof": SECRET})

    # Then the named address is not believed, and Secrets Manager is not asked
    assert client_address(event) == EDGE
