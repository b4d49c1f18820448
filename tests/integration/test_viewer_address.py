"""Behind SiteDistribution, API Gateway's source address is CloudFront's edge, shared by every
viewer it serves: the per-address rate limit must count the viewer the distribution names,
and only when the request proves it came through the distribution (the origin secret)."""

from __future__ import annotations

from urllib.parse import urlencode

import boto3
import pytest

from mobilise.core import clock
from tests.integration.harness import Mobilise, Reply

EDGE = "130.176.0.1"  # one CloudFront edge address, in front of many viewers
BURST = 3  # sign_rate_limits' first window: 3 a minute
VIEWER_ADDRESS = "X-Mobilise-Viewer-Address"
ORIGIN_PROOF = "X-Mobilise-Origin-Proof"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}


@pytest.fixture(autouse=True)
def _still_clock() -> None:
    """The clock stands still: a burst whose signatures straddle the start of a minute would
    land in two of the rate limit's windows and not be refused."""
    clock.freeze(clock.now())


def _origin_secret(mobilise: Mobilise) -> str:
    arn = mobilise.stack.refs["OriginSecret"]
    secret: str = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    return secret


def _sign(mobilise: Mobilise, petition_id: str, email: str, headers: dict[str, str]) -> Reply:
    body = {"email": email, "name": "A signer", "wants_updates": True}
    return mobilise.request(
        "POST", f"/petitions/{petition_id}/signatures", body, headers=headers, source_ip=EDGE
    )


def _sign_on_the_page(
    mobilise: Mobilise, petition_id: str, email: str, headers: dict[str, str]
) -> Reply:
    """The petition page's sign form, which CloudFront's /p/* behaviour sends to the API."""
    return mobilise.request(
        "POST",
        f"/p/{petition_id}",
        raw=urlencode({"name": "A signer", "email": email}),
        headers={**FORM, **headers},
        source_ip=EDGE,
    )


def _signed_burst(mobilise: Mobilise, petition_id: str, tag: str, headers: dict[str, str]) -> None:
    for index in range(BURST):
        reply = _sign(mobilise, petition_id, f"{tag}{index}@example.org", headers)
        assert reply.status == 201, reply.text


def test_two_viewers_behind_one_edge_each_get_their_own_window(mobilise: Mobilise) -> None:
    # Given a petition, and two viewers whose requests reach the API from one edge address
    # with the distribution's proof
    petition_id = mobilise.create_petition()
    secret = _origin_secret(mobilise)
    first = {VIEWER_ADDRESS: "198.51.100.7", ORIGIN_PROOF: secret}
    second = {VIEWER_ADDRESS: "2001:db8::7", ORIGIN_PROOF: secret}

    # When the first signs as often as the burst allows
    _signed_burst(mobilise, petition_id, "first", first)

    # Then the second still signs as often, in its own window
    _signed_burst(mobilise, petition_id, "second", second)
    # And the first, past its burst, is asked for a proof of work
    refused = _sign(mobilise, petition_id, "first-again@example.org", first)
    assert refused.status == 429
    assert refused.json()["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize(
    "proof",
    [
        pytest.param({}, id="no secret"),
        pytest.param({ORIGIN_PROOF: "guessed"}, id="a wrong secret"),
    ],
)
def test_a_viewer_address_without_the_distributions_proof_counts_as_its_sender(
    mobilise: Mobilise, proof: dict[str, str]
) -> None:
    # Given a caller of the API's own URL that names a new viewer address for each request
    petition_id = mobilise.create_petition()
    _signed_burst(mobilise, petition_id, "direct", {VIEWER_ADDRESS: "198.51.100.8", **proof})

    # When it names yet another address
    again = _sign(
        mobilise, petition_id, "forged@example.org", {VIEWER_ADDRESS: "198.51.100.9", **proof}
    )

    # Then the limit counts its own address, and it is past the burst
    assert again.status == 429
    assert again.json()["error"]["code"] == "too_many_requests"


def test_two_viewers_behind_one_edge_each_get_their_own_window_on_the_page(
    mobilise: Mobilise,
) -> None:
    # Given a petition page, and two viewers whose forms reach the API from one edge address
    petition_id = mobilise.create_petition()
    secret = _origin_secret(mobilise)
    first = {VIEWER_ADDRESS: "198.51.100.7", ORIGIN_PROOF: secret}
    second = {VIEWER_ADDRESS: "198.51.100.8", ORIGIN_PROOF: secret}

    # When the first signs as often as the burst allows, then the second
    signed = [
        _sign_on_the_page(mobilise, petition_id, f"{tag}{index}@example.org", headers)
        for tag, headers in (("first", first), ("second", second))
        for index in range(BURST)
    ]

    # Then every one of them signs
    assert [reply.status for reply in signed] == [200] * 2 * BURST
    # And the first, past its burst, is shown the proof of work
    refused = _sign_on_the_page(mobilise, petition_id, "again@example.org", first)
    assert refused.status == 429
    assert "altcha" in refused.text
