"""Leaving every petition of a digest at once: the one link of its ``List-Unsubscribe``.

RFC 8058 allows one HTTPS URI there, and its POST must act without asking: so the link
leaves every petition the digest held an update of (each section has its own link for one
petition). The link is signed and names the person and, per section, the petition and the
update (whose statistics count the unsubscription); it does not expire, as RFC 8058 links
must keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilise.core import crypto, ids
from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidLink, NotFound
from mobilise.core.links import SignerRef
from mobilise.delivery import unsubscribing
from mobilise.table import items

PURPOSE = "unsubscribe-digest"


def unsubscribe_all_url(email_hash: str, sections: list[tuple[str, str]]) -> str:
    """The link that leaves every ``(petition, update)`` of a digest."""
    claims = {"h": email_hash, "s": [list(section) for section in sections]}
    return get_settings().link(f"/unsubscribe-digest/{crypto.sign(PURPOSE, claims)}")


@dataclass(frozen=True)
class LeavingAll:
    """The signers a digest's link names (those still signed), with their petitions' titles,
    in the language of the first."""

    signers: list[SignerRef]
    petition_titles: list[str]
    language: str


def _sections(token: str) -> tuple[str, list[tuple[str, str]]]:
    claims = crypto.verify(PURPOSE, token)
    email_hash, sections = claims.get("h"), claims.get("s")
    if not isinstance(email_hash, str) or len(email_hash) != 64 or not isinstance(sections, list):
        raise InvalidLink()
    found = []
    for section in sections:
        if not (isinstance(section, list) and len(section) == 2):
            raise InvalidLink()
        if not all(isinstance(part, str) and ids.is_id(part) for part in section):
            raise InvalidLink()
        found.append((section[0], section[1]))
    if not found:
        raise InvalidLink()
    return email_hash, found


def leaving_all(token: str) -> LeavingAll:
    """Who a digest's link names; :class:`InvalidLink` for a bad link or one whose
    signatures are all gone."""
    email_hash, sections = _sections(token)
    signers, titles, languages = [], [], []
    for petition_id, update_id in sections:
        try:
            signature = items.get_signature(petition_id, email_hash)
            petition = items.get_petition(petition_id)
        except NotFound:
            continue
        signers.append(SignerRef(petition_id, email_hash, update_id))
        titles.append(petition.title)
        languages.append(signature.language or petition.language)
    if not signers:
        raise InvalidLink()
    return LeavingAll(signers, titles, languages[0])


def leave_all(leaving: LeavingAll) -> None:
    """Unsubscribe from each petition; each update whose digest they left by counts it once."""
    for signer in leaving.signers:
        unsubscribing.leave(signer)
