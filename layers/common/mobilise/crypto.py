"""Keys, email lookup hashes and signed links.

One secret (Secrets Manager) holds the master key. Two keys are derived from
it: one for the HMAC under which an email address is looked up, one for the
signature of links sent in emails. A link token is ``payload.mac``, both
base64url; the payload names a purpose so that a token made for one use is
refused for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from functools import cache
from typing import Any

from mobilise import aws, clock
from mobilise.config import get_settings
from mobilise.errors import InvalidLink

_MAC_BYTES = 16


@cache
def _master_key() -> bytes:
    secret = aws.secretsmanager().get_secret_value(SecretId=get_settings().signing_secret_arn)
    return secret["SecretString"].encode()


def _derived(label: str) -> bytes:
    return hmac.new(_master_key(), label.encode(), hashlib.sha256).digest()


@cache
def _email_key() -> bytes:
    return _derived("mobilise/email-lookup/v1")


@cache
def _link_key() -> bytes:
    return _derived("mobilise/signed-links/v1")


def reset() -> None:
    """Forget the keys (tests that make a new secret)."""
    for cached in (_master_key, _email_key, _link_key):
        cached.cache_clear()


def normalise_email(address: str) -> str:
    """The form under which an address is looked up: trimmed and lower-cased."""
    return address.strip().lower()


def email_hash(address: str) -> str:
    """Hex HMAC-SHA256 of the normalised address: how an email is looked up, never by value."""
    normalised = normalise_email(address).encode()
    return hmac.new(_email_key(), normalised, hashlib.sha256).hexdigest()


def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash of a value we look things up by but do not keep (a client IP, ...)."""
    return hmac.new(_email_key(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, payload: str) -> bytes:
    message = f"{purpose}.{payload}".encode()
    return hmac.new(_link_key(), message, hashlib.sha256).digest()[:_MAC_BYTES]


def sign(purpose: str, claims: dict[str, Any], expires_at: datetime | None = None) -> str:
    """A URL-safe token carrying ``claims``, good for ``purpose`` only (until ``expires_at``)."""
    if expires_at is not None:
        claims = {**claims, "exp": int(expires_at.timestamp())}
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_b64(_mac(purpose, payload))}"


def verify(purpose: str, token: str) -> dict[str, Any]:
    """The claims of a token made by :func:`sign` for ``purpose``; :class:`InvalidLink` if not."""
    payload, _, mac = token.partition(".")
    try:
        # Compared as text: base64 decoding is lenient, and only the exact token signed is good.
        genuine = hmac.compare_digest(mac.encode(), _b64(_mac(purpose, payload)).encode())
        claims = json.loads(_unb64(payload)) if genuine else None
    except (ValueError, UnicodeDecodeError):
        raise InvalidLink() from None
    if not isinstance(claims, dict):
        raise InvalidLink()
    expires = claims.get("exp")
    if expires is not None and (not isinstance(expires, int) or expires <= clock.now().timestamp()):
        raise InvalidLink()
    return claims
