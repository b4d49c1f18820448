"""Past the per-address burst, a signature costs a proof of work (ALTCHA) instead of a refusal:
a script pays for every signature, a solved challenge signs once, an old or forged one never.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import altcha
import pytest

from mobilise.core import clock
from mobilise.petitions import proof_of_work
from tests.integration.harness import Mobilise, Reply, at_once

NAT = "198.51.100.99"  # one address for many signers: a campus, a mobile operator's NAT
BURST = 3  # sign_rate_limits' first window: 3 a minute (then 5 in five minutes)


def _sign(mobilise: Mobilise, petition_id: str, email: str, **extra: Any) -> Reply:
    return mobilise.sign(petition_id, email, source_ip=NAT, **extra)


def _signatures(mobilise: Mobilise) -> int:
    return sum(1 for item in mobilise.items() if str(item["sk"]).startswith("EMAIL#"))


def _solved(challenge: dict[str, Any]) -> str:
    """What a client that did the work sends: the widget's base64 payload."""
    made = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(made)
    assert solution is not None
    return altcha.Payload(made, solution).to_base64()


def _clock_stands_still() -> None:
    """Freeze the clock, or a burst whose signatures straddle the start of a minute lands in
    two of the limit's fixed windows and is not refused (CI runs at 07:36:59.928 to
    07:37:00.026, and at 01:19:59.981 to 01:20:00.144, an IPv6 network's)."""
    clock.freeze(clock.now())


def _past_the_burst(mobilise: Mobilise) -> tuple[str, Reply]:
    _clock_stands_still()
    petition_id = mobilise.create_petition()
    for index in range(BURST):
        assert _sign(mobilise, petition_id, f"first{index}@example.org").status == 201
    return petition_id, _sign(mobilise, petition_id, "next@example.org")


def test_past_the_burst_a_json_client_gets_a_challenge_and_cannot_sign_without_it(
    mobilise: Mobilise,
) -> None:
    # Given a petition signed from one address as often as the burst allows
    # When that address signs again, without a proof, a few times
    petition_id, refused = _past_the_burst(mobilise)
    again = [_sign(mobilise, petition_id, f"more{index}@example.org") for index in range(3)]

    # Then each answer is a 429 with a new challenge to solve, and nothing was signed
    for reply in (refused, *again):
        assert reply.status == 429
        assert int(reply.headers["Retry-After"]) >= 1
        body = reply.json()
        assert body["error"]["code"] == "too_many_requests"
        assert body["altcha"]["parameters"]["algorithm"] == "PBKDF2/SHA-256"
        assert body["altcha"]["parameters"]["expiresAt"] > clock.now().timestamp()
        assert len(body["altcha"]["signature"]) == 64
    nonces = {reply.json()["altcha"]["parameters"]["nonce"] for reply in (refused, *again)}
    assert len(nonces) == 4
    assert _signatures(mobilise) == BURST


def test_a_solved_challenge_signs_once_and_a_replay_is_refused(mobilise: Mobilise) -> None:
    # Given a client past the burst, and the challenge it was given, solved
    petition_id, refused = _past_the_burst(mobilise)
    payload = _solved(refused.json()["altcha"])

    # When it signs with the solution
    signed = _sign(mobilise, petition_id, "paid@example.org", altcha=payload)

    # Then it signs
    assert signed.status == 201, signed.text
    assert _signatures(mobilise) == BURST + 1

    # When the same solution is sent again, for another address
    replayed = _sign(mobilise, petition_id, "replay@example.org", altcha=payload)

    # Then it is refused with a new challenge, and nothing more is signed
    assert replayed.status == 429
    assert replayed.json()["error"]["message"].startswith("The proof of work expired or was")
    assert (
        replayed.json()["altcha"]["parameters"]["nonce"]
        != json.loads(base64.b64decode(payload))["challenge"]["parameters"]["nonce"]
    )
    assert _signatures(mobilise) == BURST + 1


def test_one_solution_raced_by_many_requests_signs_once(mobilise: Mobilise) -> None:
    petition_id, refused = _past_the_burst(mobilise)
    payload = _solved(refused.json()["altcha"])

    replies = at_once(
        6, lambda index: _sign(mobilise, petition_id, f"race{index}@example.org", altcha=payload)
    )

    assert sorted(reply.status for reply in replies) == [201, 429, 429, 429, 429, 429]
    assert _signatures(mobilise) == BURST + 1


def test_every_signature_past_the_burst_costs_its_own_proof(mobilise: Mobilise) -> None:
    petition_id, refused = _past_the_burst(mobilise)  # the clock frozen there
    challenge = refused.json()["altcha"]
    for index in range(3):
        signed = _sign(mobilise, petition_id, f"paid{index}@example.org", altcha=_solved(challenge))
        assert signed.status == 201, signed.text
        challenge = _sign(mobilise, petition_id, f"free{index}@example.org").json()["altcha"]
    assert _signatures(mobilise) == BURST + 3


def test_an_expired_challenge_is_refused(mobilise: Mobilise) -> None:
    petition_id, refused = _past_the_burst(mobilise)
    payload = _solved(refused.json()["altcha"])
    clock.freeze(clock.now() + proof_of_work.LIFETIME + timedelta(seconds=1))

    replied = _sign(mobilise, petition_id, "late@example.org", altcha=payload)

    assert replied.status == 429
    assert _signatures(mobilise) == BURST


def _forged(payload: str, change: dict[str, Any]) -> str:
    data = json.loads(base64.b64decode(payload))
    data["challenge"]["parameters"].update(change)
    return base64.b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    "forge",
    [
        lambda payload: _forged(payload, {"keyPrefix": ""}),  # an easier challenge
        lambda payload: _forged(payload, {"expiresAt": 4_102_444_800}),  # a longer life
        lambda payload: _forged(payload, {"cost": 1}),
        lambda payload: payload[:-8] + "AAAAAAA=",
        lambda payload: "not base64 at all",
        lambda payload: base64.b64encode(b'{"challenge": [], "solution": 1}').decode(),
        lambda payload: base64.b64encode(
            b'{"challenge": null, "solution": null, "test": true}'
        ).decode(),
    ],
    ids=["easier", "longer", "cheaper", "truncated", "not-base64", "wrong-shape", "test-mode"],
)
def test_a_forged_or_broken_proof_is_refused(mobilise: Mobilise, forge: Any) -> None:
    petition_id, refused = _past_the_burst(mobilise)
    payload = _solved(refused.json()["altcha"])

    replied = _sign(mobilise, petition_id, "forger@example.org", altcha=forge(payload))

    assert replied.status == 429
    assert replied.json()["error"]["code"] == "too_many_requests"
    assert _signatures(mobilise) == BURST


def test_a_challenge_not_made_by_the_server_is_refused(mobilise: Mobilise) -> None:
    petition_id, _ = _past_the_burst(mobilise)
    foreign = altcha.create_challenge("PBKDF2/SHA-256", 10, key_prefix="0", hmac_secret="guess")

    replied = _sign(mobilise, petition_id, "x@example.org", altcha=_solved(foreign.to_dict()))

    assert replied.status == 429
    assert _signatures(mobilise) == BURST


# The sign form: the same rule, answered with pages --------------------------------------


FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}


def test_past_the_burst_the_form_asks_for_the_proof_then_signs_with_it(mobilise: Mobilise) -> None:
    # Given a petition signed from one address as often as the burst allows
    _clock_stands_still()
    petition_id = mobilise.create_petition()
    for index in range(BURST):
        assert _sign(mobilise, petition_id, f"first{index}@example.org").status == 201

    # When the form is posted from that address
    fields = {"lang": "fr", "name": "Léa", "email": "lea@example.org", "wants_updates": "yes"}
    asked = mobilise.request(
        "POST", f"/p/{petition_id}", raw=urlencode(fields), headers=FORM, source_ip=NAT
    )

    # Then the form comes back refilled, with the widget, its challenge, script and styles
    assert asked.status == 429
    page = asked.text
    assert 'value="Léa"' in page
    assert "<altcha-widget challenge=" in page
    assert '<script type="module" src="/static/altcha.js?v=' in page
    assert '<link rel="stylesheet" href="/static/altcha.css?v=' in page
    assert "votre navigateur fait un court calcul" in page
    start = page.index('challenge="') + len('challenge="')
    challenge = json.loads(page[start : page.index('"', start)].replace("&#34;", '"'))
    assert _signatures(mobilise) == BURST

    # When the widget's solution is posted with the form
    solved = {**fields, "altcha": _solved(challenge)}
    signed = mobilise.request(
        "POST", f"/p/{petition_id}", raw=urlencode(solved), headers=FORM, source_ip=NAT
    )

    # Then the signer is thanked, and signed
    assert signed.status == 200, signed.text
    assert "Merci d’avoir signé" in signed.text
    assert _signatures(mobilise) == BURST + 1


def test_an_ipv6_network_is_one_client_whatever_address_of_it_signs(mobilise: Mobilise) -> None:
    """A home or a phone on IPv6 is given a whole /64: counting each of its addresses apart
    would let a script sign past the burst without ever paying, one address per signature."""
    # Given a petition signed as often as the burst allows, each time from another address
    # of one IPv6 /64
    _clock_stands_still()
    petition_id = mobilise.create_petition()
    network = "2001:db8:5:7"
    for index in range(BURST):
        signed = mobilise.sign(
            petition_id, f"v6-{index}@example.org", source_ip=f"{network}::{index + 1:x}"
        )
        assert signed.status == 201, signed.text

    # When yet another address of it signs, and an address of another /64
    again = mobilise.sign(petition_id, "v6-next@example.org", source_ip=f"{network}::ffff")
    elsewhere = mobilise.sign(petition_id, "v6-other@example.org", source_ip="2001:db8:5:8::1")

    # Then the network is past its burst and must pay; the other network signs
    assert again.status == 429, again.text
    assert "altcha" in again.json()
    assert elsewhere.status == 201, elsewhere.text
