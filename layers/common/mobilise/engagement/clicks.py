"""Clicks on the buttons of an update's email: ``GET /r/{token}`` counts one and redirects.

The token names an action of an update, never a target (:mod:`mobilise.core.links`): the
target is found again from the stored petition and update (:mod:`mobilise.publishing.actions`), so
no token, however made, sends a browser anywhere the update's email does not link to, and
only ever to an ``https:``, ``mailto:`` or ``tel:`` address, or to the service's own pages
(:func:`mobilise.publishing.actions.is_safe_target`).

The share links of a petition's page name no update: they are counted per petition and per
channel (:func:`petition_shares`), and lead where
:func:`mobilise.publishing.actions.for_petition` says, found again from the stored petition.

Clicks are counted per update and per action, aggregated: no IP, no user agent, nobody's
name. Only while ``per_person_clicks`` is on does a click that carries the recipient's
signer token (``?s=``) also record who clicked, by the address's hash.

Not every request is a person: mail scanners (Outlook Safe Links, Mimecast, Proofpoint...)
fetch every link of an email as it is delivered, and some only ask ``HEAD``. Every request
is redirected all the same (a person behind a scanner still gets there), but :func:`judge`
decides what it counts as; the starter sees both counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from mobilise.core import clock, links
from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidLink, NotFound, NotOwner
from mobilise.core.links import ActionRef
from mobilise.core.observability import logger, metrics
from mobilise.engagement import store
from mobilise.publishing import actions
from mobilise.table import items
from mobilise.table.models import EMAILED, Petition, Update

#: A scanner fetches the links as the email arrives, seconds after it was sent; a person
#: needs longer to open the email, read it and press a button.
SCANNER_WINDOW = timedelta(seconds=30)
#: A scanner walks every button of the email at once; a person presses one, then reads on.
BURST_WINDOW = timedelta(seconds=2)

Kind = Literal["person", "machine"]


def judge(
    method: str,
    clicked_at: datetime,
    sent_at: datetime | None,
    other_buttons_clicked_at: Iterable[datetime] = (),
) -> Kind | None:
    """What a request to a button counts as; ``None``: nothing (it is redirected all the same).

    - ``HEAD`` asks where the link leads without going there: nobody clicked.
    - A click less than :data:`SCANNER_WINDOW` after the email was sent is a machine's.
      ``sent_at`` is when this recipient's email was sent when the link names them (per-person
      clicks), else when the update was published: the first emails leave then, and the
      scanners of later ones are missed (no per-recipient time is in an anonymous link).
    - A click within :data:`BURST_WINDOW` of the same recipient's click on another button of
      the same email is a machine's (known only with per-person clicks). The burst's first
      click was counted before the second came, as a person's; it stays so.
    """
    if method.upper() == "HEAD":
        return None
    if sent_at is not None and clicked_at - sent_at < SCANNER_WINDOW:
        return "machine"
    if any(abs(clicked_at - other) <= BURST_WINDOW for other in other_buttons_clicked_at):
        return "machine"
    return "person"


def follow(token: str, signer_token: str | None = None, method: str = "GET") -> str:
    """Count a request to the button of ``token`` as :func:`judge` says, and say where it leads.

    :class:`InvalidLink` for a token that is not genuine, and for an update, action or
    target that is not one a sent email offers: one answer for every reason.
    """
    ref = links.read_redirect(token)
    try:
        petition = items.get_petition(ref.petition_id)
        if ref.update_id is None:
            return _share(petition, ref.action, method)
        update = items.get_update(ref.petition_id, ref.update_id)
        if update.status not in EMAILED:
            raise InvalidLink()
        url = actions.target(petition, update, ref.action)
    except NotFound:
        raise InvalidLink() from None
    if not actions.is_safe_target(url):
        raise InvalidLink()
    _count(ref, petition, update, signer_token, method)
    return url


def _share(petition: Petition, action: str, method: str) -> str:
    """A share link of the petition's page: counted as nobody's (a page names no one), as a
    machine's never (no email was sent); where it leads."""
    url = actions.target(petition, None, action)
    if judge(method, clock.now(), None) is not None:
        store.count_share(petition.petition_id, action)
        logger.info("share followed", petition_id=petition.petition_id, action=action)
        metrics.add_metric(name="ShareClicks", unit="Count", value=1)
    return url


def _count(
    ref: ActionRef, petition: Petition, update: Update, signer_token: str | None, method: str
) -> None:
    recipient = _recipient(ref, signer_token)
    sent_at = recipient[1] if recipient else update.published_at
    clicker = recipient[0] if recipient and get_settings().per_person_clicks else None
    others: list[datetime] = []
    if clicker is not None:
        buttons = actions.for_update(petition, update)
        other_buttons = [button.name for button in buttons if button.name != ref.action]
        others = store.last_clicks(ref.petition_id, update.update_id, clicker, other_buttons)
    kind = judge(method, clock.now(), sent_at, others)
    if kind is None:
        return
    store.count_click(
        ref.petition_id, update.update_id, ref.action, clicker, machine=kind == "machine"
    )
    logger.info(
        "action followed",
        petition_id=ref.petition_id,
        update_id=ref.update_id,
        action=ref.action,
        kind=kind,
    )
    metrics.add_metric(
        name="ActionClicks" if kind == "person" else "MachineClicks", unit="Count", value=1
    )


def _recipient(ref: ActionRef, signer_token: str | None) -> tuple[str, datetime] | None:
    """The hash of whom the link was sent to, and when, if the link says it; a signer token
    of another petition or update names nobody here."""
    if not signer_token:
        return None
    try:
        signer, sent_at = links.read_signer_token_sent(signer_token)
    except InvalidLink:
        return None
    if (signer.petition_id, signer.update_id) != (ref.petition_id, ref.update_id):
        return None
    return signer.email_hash, sent_at


def per_button(petition_id: str, update_id: str) -> dict[str, store.Clicks]:
    """The clicks on each button of an update's email, people's and machines'."""
    return store.click_counts(petition_id, update_id)


class ShareStats(BaseModel):
    """What the starter sees of the share links of the petition's own page."""

    clicks: dict[str, int] = Field(
        default_factory=dict,
        description="Clicks on each share link of the petition's page, by action "
        "(`share_email`, `share_x`, `share_facebook`, `share_whatsapp`, `share_telegram`, "
        "`share_bluesky`, `share_mastodon`; `share_copy`: visits through the copied link), "
        "aggregated, nobody named; HEAD requests are not counted. An update's own share "
        "links are counted in its statistics.",
        examples=[{"share_whatsapp": 12, "share_copy": 3}],
    )


def petition_shares(caller: str, petition_id: str) -> ShareStats:
    """The clicks on the share links of the petition's page, for its starter only."""
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    counted = store.share_counts(petition_id)
    return ShareStats(clicks={action: clicks.people for action, clicks in counted.items()})
