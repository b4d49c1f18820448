"""Signed links sent in emails."""

from __future__ import annotations

from dataclasses import dataclass

from mobilise import crypto, ids
from mobilise.config import get_settings
from mobilise.errors import InvalidLink

UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class SignerRef:
    """A signature, named without its address."""

    petition_id: str
    email_hash: str


def unsubscribe_url(signer: SignerRef) -> str:
    token = crypto.sign(UNSUBSCRIBE, {"p": signer.petition_id, "h": signer.email_hash})
    return get_settings().link(f"/unsubscribe/{token}")


def read_unsubscribe(token: str) -> SignerRef:
    claims = crypto.verify(UNSUBSCRIBE, token)
    petition_id, email_hash = claims.get("p"), claims.get("h")
    if not isinstance(petition_id, str) or not ids.is_id(petition_id):
        raise InvalidLink()
    if not isinstance(email_hash, str) or len(email_hash) != 64:
        raise InvalidLink()
    return SignerRef(petition_id, email_hash)
