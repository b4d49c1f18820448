"""The decision-maker's link: ``/p/{petition_id}/answer/{token}``, the token signed by
:mod:`mobilise.core.crypto` for this purpose only, naming the petition and the sending.
Every way a token can be wrong (tampered, expired, another purpose, another petition's path)
is the one :class:`InvalidLink`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mobilise.core import crypto, ids, links
from mobilise.core.errors import InvalidLink

#: The purpose the token is signed for (a token of another purpose is refused).
PURPOSE = "decision-maker-answer"


@dataclass(frozen=True)
class SendingRef:
    petition_id: str
    sending_id: str


def answer_url(sending: SendingRef, expires_at: datetime) -> str:
    """The page where the decision-maker answers, on the site (as the petition's page)."""
    claims = {"p": sending.petition_id, "s": sending.sending_id}
    token = crypto.sign(PURPOSE, claims, expires_at=expires_at)
    return f"{links.petition_page_url(sending.petition_id)}/answer/{token}"


def read(petition_id: str, token: str) -> SendingRef:
    """The sending a token names, if it was signed for the petition of the path."""
    claims = crypto.verify(PURPOSE, token)
    named, sending_id = claims.get("p"), claims.get("s")
    if not (isinstance(named, str) and named == petition_id and ids.is_id(named)):
        raise InvalidLink()
    if not (isinstance(sending_id, str) and ids.is_id(sending_id)):
        raise InvalidLink()
    return SendingRef(named, sending_id)
