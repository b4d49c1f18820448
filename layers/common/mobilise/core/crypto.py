"""Keys, email lookup hashes and signed links.

One secret (Secrets Manager) holds the master key. Two keys are derived from
it: one for the HMAC under which an email address is looked up, one for the
signature of links sent in emails. A link token is ``payload.mac``, both
base64url; the payload names a purpose so that a token made for one use is
refused for another.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from datetime import datetime
from functools import cache
from typing import Any

from mobilise.core import aws, clock
from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidLink

_MAC_BYTES = 16


@cache
def _master_key() -> bytes:
    secret = aws.secretsmanager().get_secret_value(SecretId=get_settings().signing_secret_arn)
    return secret["SecretString"].encode()


@cache
def origin_secret() -> bytes | None:
    """What SiteDistribution sends the API with every request (none without a distribution).

    Read once per execution environment, like the master key: it changes only with a deploy
    that replaces the secret, which publishes a new version of the function too.
    """
    arn = get_settings().origin_secret_arn
    if not arn:
        return None
    return str(aws.secretsmanager().get_secret_value(SecretId=arn)["SecretString"]).encode()


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
    for cached in (_master_key, _email_key, _link_key, origin_secret):
        cached.cache_clear()


def normalise_email(address: str) -> str:
    """An address trimmed and lower-cased (as shown back in an export)."""
    return address.strip().lower()


# Aliases that reach one mailbox, as the providers document them. Only the consumer domains
# whose owner documents the rule are folded; any other domain may give "+" or "." a meaning.
#: Gmail ignores dots before the @ (Gmail Help, "Dots don't matter in Gmail addresses",
#: support.google.com/mail/answer/7436150); googlemail.com addresses are gmail.com ones
#: (Gmail Help, "gmail.com and googlemail.com").
_DOTS_IGNORED = frozenset({"gmail.com"})
_SAME_DOMAIN = {"googlemail.com": "gmail.com"}
#: Domains where ``name+tag@`` reaches ``name@``: Gmail (Gmail Help, "Create task-specific
#: email addresses"); Outlook.com and Hotmail (Microsoft, plus addressing, on Outlook.com
#: since 2013: learn.microsoft.com/exchange/recipients-in-exchange-online/
#: plus-addressing-in-exchange-online); Fastmail (fastmail.help/hc/en-us/articles/
#: 360060591053); Proton ("+aliases", proton.me/support/addresses-and-aliases).
#: Not iCloud: Apple's own documentation says nothing of it.
_PLUS_TAGS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "outlook.fr",
        "hotmail.com",
        "hotmail.fr",
        "live.com",
        "live.fr",
        "fastmail.com",
        "fastmail.fm",
        "proton.me",
        "protonmail.com",
        "protonmail.ch",
        "pm.me",
    }
)


def mailbox(address: str) -> str:
    """The mailbox an address reaches, under which it is looked up: trimmed, lower-cased,
    its domain in ASCII (IDNA), and the documented aliases of the providers above folded
    (``A.B+petitions@googlemail.com`` is ``ab@gmail.com``). One person, one signature."""
    local, at, domain = normalise_email(address).rpartition("@")
    if not at:
        return normalise_email(address)
    if not domain.isascii():
        # Not a domain an accepted address has, if this fails: then looked up as it is.
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    domain = _SAME_DOMAIN.get(domain, domain)
    folded = local
    if domain in _PLUS_TAGS:
        folded = folded.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        folded = folded.replace(".", "")
    return f"{folded or local}@{domain}"


def email_hash(address: str) -> str:
    """Hex HMAC-SHA256 of the address's :func:`mailbox`: how an email is looked up (signing,
    erasure and export, suppression), never by value."""
    return hmac.new(_email_key(), mailbox(address).encode(), hashlib.sha256).hexdigest()


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
