"""A proof of work for the signatures past a client address's burst (ALTCHA, self-hosted).

A campus or a mobile operator's NAT puts many signers behind one address. Past the burst
(``sign_rate_limits``) a signature is not refused: it costs a proof of work, which a
browser's widget solves in about a second and a script pays again for every signature.

The challenge is made here and signed with a key derived from the signing secret (no third
party sees a signer); it expires after :data:`LIFETIME`, and a solved one signs once: its
nonce is spent by one conditional write (:func:`mobilise.table.rates.spend_once`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import altcha

from mobilise.core import clock, crypto
from mobilise.core.errors import ProofRequired
from mobilise.table.rates import spend_once

#: What the challenge asks: PBKDF2 of the counter, ``COST`` iterations an attempt, until the
#: key starts with ``KEY_PREFIX`` (one byte: 256 attempts on average). In a browser's
#: workers that is well under a second; in Python about a second of one core per signature.
ALGORITHM = "PBKDF2/SHA-256"
COST = 5_000
KEY_PREFIX = "00"
LIFETIME = timedelta(minutes=10)
#: A solved challenge is a few hundred characters of base64; more is not one of ours.
MAX_PAYLOAD = 4_000

ASKED = "Too many signatures from your network: solve the proof of work to sign."
EXPIRED = "The proof of work expired or was already used: solve the new one."
INVALID = "The proof of work is not valid: solve the new one."


def required(message: str = ASKED, retry_after_seconds: int = 60) -> ProofRequired:
    """The refusal of a signature that needs a proof, with a new challenge to solve."""
    return ProofRequired(message, challenge(), retry_after_seconds)


def _key() -> str:
    """The HMAC key of the challenges: derived from the signing secret, used for nothing else."""
    return crypto.lookup_hash("altcha", "challenge-key")


def challenge() -> dict[str, Any]:
    """A new challenge, as the widget reads it (``{"parameters": ..., "signature": ...}``)."""
    made = altcha.create_challenge(
        ALGORITHM,
        COST,
        key_prefix=KEY_PREFIX,
        expires_at=int((clock.now() + LIFETIME).timestamp()),
        hmac_secret=_key(),
    )
    return made.to_dict()


def spend(payload: str) -> None:
    """Accept a solved challenge once; :class:`ProofRequired` (with a new one) if it is not
    ours, not solved, expired, or already used."""
    solved = _verified(payload)
    if solved is None:
        raise required(INVALID)
    nonce, expires = solved
    if expires <= clock.now() or not spend_once(f"POW#{nonce}", expires):
        raise required(EXPIRED)


def _verified(payload: str) -> tuple[str, datetime] | None:
    """The nonce and expiry of a challenge we signed and that ``payload`` solves, else None."""
    if len(payload) > MAX_PAYLOAD:
        return None
    try:
        result = altcha.verify_solution(payload, _key())
        if not result.verified:
            return None
        parameters = altcha.Payload.from_base64(payload).challenge.parameters
    except Exception:  # hostile text read by a library: whatever it raises, no proof
        return None
    if not isinstance(parameters.expires_at, int):
        return None  # every challenge of ours expires
    return parameters.nonce, datetime.fromtimestamp(parameters.expires_at, UTC)
