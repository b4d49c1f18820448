"""Signed links sent in emails: unsubscribe and confirm a signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mobilise import clock, crypto, ids
from mobilise.config import get_settings
from mobilise.errors import InvalidLink

UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm"
CONFIRM_VALIDITY = timedelta(days=7)


@dataclass(frozen=True)
class SignerRef:
    """A signature, named without its address; ``update_id``: the email the link came in."""

    petition_id: str
    email_hash: str
    update_id: str | None = None


def _claims(signer: SignerRef) -> dict[str, str]:
    claims = {"p": signer.petition_id, "h": signer.email_hash}
    if signer.update_id:
        claims["u"] = signer.update_id
    return claims


def _signer(claims: dict[str, object]) -> SignerRef:
    petition_id, email_hash, update_id = claims.get("p"), claims.get("h"), claims.get("u")
    if not isinstance(petition_id, str) or not ids.is_id(petition_id):
        raise InvalidLink()
    if not isinstance(email_hash, str) or len(email_hash) != 64:
        raise InvalidLink()
    if update_id is not None and not (isinstance(update_id, str) and ids.is_id(update_id)):
        raise InvalidLink()
    return SignerRef(petition_id, email_hash, update_id)


def unsubscribe_url(signer: SignerRef) -> str:
    """Good as long as the signature exists (RFC 8058 links must keep working)."""
    return get_settings().link(f"/unsubscribe/{crypto.sign(UNSUBSCRIBE, _claims(signer))}")


def read_unsubscribe(token: str) -> SignerRef:
    return _signer(crypto.verify(UNSUBSCRIBE, token))


def confirm_url(signer: SignerRef) -> str:
    token = crypto.sign(CONFIRM, _claims(signer), expires_at=clock.now() + CONFIRM_VALIDITY)
    return get_settings().link(f"/signatures/confirm/{token}")


def read_confirm(token: str) -> SignerRef:
    return _signer(crypto.verify(CONFIRM, token))
