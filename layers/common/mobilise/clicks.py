"""Clicks on the buttons of an update's email: ``GET /r/{token}`` counts one and redirects.

The token names an action of an update, never a target (:mod:`mobilise.links`): the
target is found again from the stored petition and update (:mod:`mobilise.actions`), so
no token, however made, sends a browser anywhere the update's email does not link to, and
only ever to an ``https:``, ``mailto:`` or ``tel:`` address, or to the service's own pages
(:func:`mobilise.actions.is_safe_target`).

Clicks are counted per update and per action, aggregated: no IP, no user agent, nobody's
name. Only while ``per_person_clicks`` is on does a click that carries the recipient's
signer token (``?s=``) also record who clicked, by the address's hash.
"""

from __future__ import annotations

from mobilise import actions, links, store
from mobilise.config import get_settings
from mobilise.errors import InvalidLink, NotFound
from mobilise.links import ActionRef
from mobilise.observability import logger, metrics


def follow(token: str, signer_token: str | None = None) -> str:
    """Count a click on the button of ``token`` and say where it leads.

    :class:`InvalidLink` for a token that is not genuine, and for an update, action or
    target that is not one a sent email offers: one answer for every reason.
    """
    ref = links.read_redirect(token)
    try:
        petition = store.get_petition(ref.petition_id)
        update = store.get_update(ref.petition_id, ref.update_id)
        if update.status not in store.CLICKABLE:
            raise InvalidLink()
        url = actions.target(petition, update, ref.action)
    except NotFound:
        raise InvalidLink() from None
    if not actions.is_safe_target(url):
        raise InvalidLink()
    store.count_click(ref.petition_id, ref.update_id, ref.action, _clicker(ref, signer_token))
    logger.info(
        "action followed", petition_id=ref.petition_id, update_id=ref.update_id, action=ref.action
    )
    metrics.add_metric(name="ActionClicks", unit="Count", value=1)
    return url


def _clicker(ref: ActionRef, signer_token: str | None) -> str | None:
    """The hash of who clicked, when clicks are counted per person and the link says it;
    a signer token of another petition or update names nobody here."""
    if not get_settings().per_person_clicks or not signer_token:
        return None
    try:
        signer = links.read_signer_token(signer_token)
    except InvalidLink:
        return None
    if (signer.petition_id, signer.update_id) != (ref.petition_id, ref.update_id):
        return None
    return signer.email_hash
