"""A signer leaving a petition's updates through the link of one of its emails (a page with
a button, and RFC 8058 one-click): the link names the signer, the petition and the update."""

from __future__ import annotations

from dataclasses import dataclass

from mobilise.core import links
from mobilise.core.errors import InvalidLink, NotFound
from mobilise.core.links import SignerRef
from mobilise.delivery import store
from mobilise.table import items


@dataclass(frozen=True)
class Leaving:
    """Who a link's signer is, and what to tell them: the petition's title, in their language."""

    signer: SignerRef
    petition_title: str
    language: str


def leaving(token: str) -> Leaving:
    """The signer of an unsubscribe link; :class:`InvalidLink` for a bad link or one whose
    signature or petition is gone."""
    signer = links.read_unsubscribe(token)
    try:
        signature = items.get_signature(signer.petition_id, signer.email_hash)
        petition = items.get_petition(signer.petition_id)
    except NotFound:
        raise InvalidLink() from None
    return Leaving(signer, petition.title, signature.language or petition.language)


def leave(signer: SignerRef) -> None:
    """Unsubscribe the signer; the update whose email they left by counts it, once."""
    if store.unsubscribe(signer.petition_id, signer.email_hash) and signer.update_id:
        store.add_stats(signer.petition_id, signer.update_id, {"unsubscribed": 1})
