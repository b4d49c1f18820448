"""A person's digest email: one section per waiting update, as its own email shows it.

Each section is the update's text and type block (``update_text``, ``update_block``: the
update email's own templates), its petition named, its buttons with this person's links
(respond, RSVP, the counted ``?s=`` when clicks are counted per person) and its own link to
leave that petition's updates. The email's ``List-Unsubscribe`` is one link that leaves
every petition in the digest (RFC 8058 allows one HTTPS URI, whose POST must act without a
question: the choice, petition by petition, is each section's own link).

The language: that of the person's latest signature among the sections (their latest choice),
or its petition's when the signature has none. A digest goes to one person once a day, so it
is rendered for them alone, without the slots an update email is built once with.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.links import SignerRef
from mobilise.digests import unsubscribing
from mobilise.emails import rendering, wire
from mobilise.i18n import words
from mobilise.table.models import Petition, Signature, Update

_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Section:
    """One waiting update, with the signature of its petition it reaches the person by."""

    petition: Petition
    update: Update
    signature: Signature


def language(sections: list[Section]) -> str:
    """The person's latest choice: the language of their latest signature among these."""
    latest = max(sections, key=lambda section: section.signature.created_at)
    return latest.signature.language or latest.petition.language


def _filled(href: str, slot: str, signer: SignerRef) -> str:
    """A button's link with this signer's parts in place of the slot's markers."""
    if f"?s={slot}-signer" in href:
        token = links.signer_token(signer)
        return href.replace(f"?s={slot}-signer", f"?s={quote(token, safe='')}")
    if href == f"{slot}-respond":
        return links.respond_url(signer)
    if href == f"{slot}-rsvp":
        return links.rsvp_url(signer)
    return href


def _section(section: Section, chosen: str) -> dict[str, Any]:
    """What the templates show of one section, with the person's own links."""
    petition, update = section.petition, section.update
    slot = f"{rendering.UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"
    context = rendering.update_context(petition, update, chosen, slot)
    signer = SignerRef(petition.petition_id, section.signature.email_hash, update.update_id)
    context["buttons"] = {
        name: button._replace(href=_filled(button.href, slot, signer))
        for name, button in context["buttons"].items()
    }
    context["unsubscribe_url"] = links.unsubscribe_url(signer)
    return context


@dataclass(frozen=True)
class Digest:
    """A digest as it leaves: to whom, the raw MIME, its subject and language."""

    to: str
    raw: bytes
    subject: str
    language: str


class NotAddressable(Exception):
    """The person's address cannot be written in an email (as for an update: it fails). Any
    other error building a digest is everyone's (the signing key, a template): it is raised
    as it is, and the digest tried again."""


def digest(email_hash: str, sections: list[Section]) -> Digest:
    """The person's digest of ``sections`` (at least one), ready for SES."""
    chosen = language(sections)
    subject = words(chosen).ngettext("digest_subject", "digest_subject", len(sections))
    leave_all = unsubscribing.unsubscribe_all_url(
        email_hash, [(s.petition.petition_id, s.update.update_id) for s in sections]
    )
    context = {
        "subject": subject,
        "sections": [_section(section, chosen) for section in sections],
        "unsubscribe_all_url": leave_all,
    }
    html = rendering.inlined(rendering.render("digest.html", chosen, **context))
    text = _BLANK_RUNS.sub("\n\n", rendering.render("digest.txt", chosen, **context))
    latest = max(sections, key=lambda section: section.signature.created_at)
    to = latest.signature.email
    try:
        message = EmailMessage(policy=wire.POLICY)
        message["From"] = get_settings().sender_address
        message["To"] = Address(addr_spec=to)  # as an update's: an unwritable one raises
        message["Subject"] = rendering.one_line(subject)
        message["List-Unsubscribe"] = f"<{leave_all}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(text, cte="quoted-printable")
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        return Digest(to, message.as_bytes(), message["Subject"], chosen)
    except Exception as error:  # the address cannot be written on the wire
        raise NotAddressable(type(error).__name__) from error
