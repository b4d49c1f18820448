"""Signed links sent in emails.

The public pages' addresses (the petition, a published update, "start a petition", the
starter's composer) are written here too: the emails and the pages link to them.

Per signer (the token names the signature by its hash): unsubscribe, confirm a
signature, respond to an update (testimony, advice, contact), answer an RSVP.
Per update, the same for every recipient: the redirect of an action's button
(``/r/{token}``), which counts clicks and names nobody. Per petition: the share links of
its page (``/r/{token}`` too, with no update), and the starter's switch for reminders.

A redirect token names the action, never the target: ``/r/{token}`` finds the
target again from the stored update (:mod:`mobilise.publishing.actions`), so no token,
however made, can send a browser anywhere the update does not link to.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from mobilise.core import clock, crypto, ids
from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidLink

UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm"
RESPOND = "respond"
RSVP = "rsvp"
REDIRECT = "redirect"
NUDGES_OFF = "nudges-off"
SIGNER = "signer"
CONFIRM_VALIDITY = timedelta(days=7)
RESPOND_VALIDITY = timedelta(days=90)


class SignerRef(NamedTuple):
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


def respond_url(signer: SignerRef) -> str:
    """The form where a signer answers the update ``signer.update_id`` (90 days)."""
    assert signer.update_id is not None
    token = crypto.sign(RESPOND, _claims(signer), expires_at=clock.now() + RESPOND_VALIDITY)
    return get_settings().link(f"/respond/{token}")


def read_respond(token: str) -> SignerRef:
    signer = _signer(crypto.verify(RESPOND, token))
    if signer.update_id is None:
        raise InvalidLink()
    return signer


def rsvp_url(signer: SignerRef) -> str:
    """The page where a signer answers an event's invitation (90 days)."""
    assert signer.update_id is not None
    token = crypto.sign(RSVP, _claims(signer), expires_at=clock.now() + RESPOND_VALIDITY)
    return get_settings().link(f"/rsvp/{token}")


def read_rsvp(token: str) -> SignerRef:
    signer = _signer(crypto.verify(RSVP, token))
    if signer.update_id is None:
        raise InvalidLink()
    return signer


def signer_token(signer: SignerRef) -> str:
    """Names the signer in ``?s=`` of their email's counted links, when clicks are counted per
    person (``settings.per_person_clicks``); good for 90 days from the email's sending (which
    :func:`read_signer_token_sent` reads back), for nothing else."""
    assert signer.update_id is not None
    return crypto.sign(SIGNER, _claims(signer), expires_at=clock.now() + RESPOND_VALIDITY)


def read_signer_token(token: str) -> SignerRef:
    return read_signer_token_sent(token)[0]


def read_signer_token_sent(token: str) -> tuple[SignerRef, datetime]:
    """The signer a signer token names, and when their email was sent: the token is made as
    the email is sent, good for :data:`RESPOND_VALIDITY` from then (to the second)."""
    claims = crypto.verify(SIGNER, token)
    signer = _signer(claims)
    expires = claims.get("exp")
    if signer.update_id is None or not isinstance(expires, int):
        raise InvalidLink()
    return signer, datetime.fromtimestamp(expires, UTC) - RESPOND_VALIDITY


class ActionRef(NamedTuple):
    """One button of one update's email or page; with no ``update_id``, one share link of
    the petition's own page."""

    petition_id: str
    update_id: str | None
    action: str


def redirect_url(action: ActionRef) -> str:
    """``/r/{token}``: counts a click on ``action`` and sends the browser to its target."""
    claims = {"p": action.petition_id}
    if action.update_id is not None:
        claims["u"] = action.update_id
    claims["a"] = action.action
    return get_settings().link(f"/r/{crypto.sign(REDIRECT, claims)}")


def read_redirect(token: str) -> ActionRef:
    claims = crypto.verify(REDIRECT, token)
    petition_id, update_id, action = claims.get("p"), claims.get("u"), claims.get("a")
    if not (isinstance(petition_id, str) and ids.is_id(petition_id)):
        raise InvalidLink()
    if update_id is not None and not (isinstance(update_id, str) and ids.is_id(update_id)):
        raise InvalidLink()
    if not (isinstance(action, str) and action.isidentifier() and len(action) <= 40):
        raise InvalidLink()
    return ActionRef(petition_id, update_id, action)


def nudges_off_url(petition_id: str) -> str:
    """The starter's link to switch reminders off for one petition."""
    token = crypto.sign(NUDGES_OFF, {"p": petition_id})
    return get_settings().link(f"/nudges/off/{token}")


def read_nudges_off(token: str) -> str:
    petition_id = crypto.verify(NUDGES_OFF, token).get("p")
    if not (isinstance(petition_id, str) and ids.is_id(petition_id)):
        raise InvalidLink()
    return petition_id


# The public pages and the app, on the site's one origin ------------------------------------


def petition_page_url(petition_id: str) -> str:
    """The petition's public page, with its sign form."""
    return f"{get_settings().site_url}/p/{petition_id}"


def update_page_url(petition_id: str, update_id: str) -> str:
    """A published update's page: the same for every recipient ("view in your browser")."""
    return f"{petition_page_url(petition_id)}/updates/{update_id}"


def compose_url(petition_id: str, update_type: str) -> str:
    """The starter's composer in the app, opened on ``update_type``."""
    site = get_settings().site_url
    return f"{site}/app/petitions/{petition_id}/compose?type={update_type}"
