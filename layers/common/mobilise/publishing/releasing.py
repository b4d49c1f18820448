"""Releasing an update to its signers, and telling a petition's starter: what the scheduled,
reminder, moderation and delivery functions share with the API's publishing
(:mod:`mobilise.publishing.updates`), without the API's request and answer models, and so
without pydantic (issue 14: a cold start's 40 to 60 ms)."""

from __future__ import annotations

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues, ses
from mobilise.emails import rendering
from mobilise.i18n import LANGUAGES
from mobilise.publishing import store
from mobilise.reminders import due
from mobilise.table import update_emails
from mobilise.table.models import Petition, Update


def release(caller: str, petition: Petition, update: Update) -> None:
    """Publish a new, a scheduled or a held update with its email (:func:`emails_item`) in
    one transaction, then queue its fan-out job."""
    emails = emails_item(petition, update)
    update.outbox_pk = update.outbox_sk = None
    follow_up = due.after_publish(update.type, update.fields or {})
    if follow_up is not None:
        update.outbox_pk, update.outbox_sk = follow_up[0], due.when(follow_up[1])
    if update.type in store.OUTSIDE_WINDOW:  # a decision-maker's answer an operator approved
        store.release_outside_window(update, emails)
    else:
        # A closed petition keeps its status and its due work (the retention of its
        # signatures): only an open one is nudged again, or changes to a victory.
        store.publish_update(
            caller,
            update,
            nudge=due.nudge(clock.now())
            if petition.status == "open" and not petition.nudges_off
            else None,
            victory=update.type == "victory" and petition.status == "open",
            status=petition.status,
            emails=emails,
        )
    logger.info("update published", petition_id=update.petition_id, update_id=update.update_id)
    metrics.add_metric(name="UpdatesPublished", unit="Count", value=1)
    queues.announce_fanout(update.petition_id, update.update_id)


def emails_item(petition: Petition, update: Update) -> update_emails.UpdateEmailsItem | None:
    """The update's email, rendered once in each language, as the item that stores it for the
    deliver function (:mod:`mobilise.table.update_emails`); None (and a warning) when it is
    too large to store: then each deliver function renders it."""
    languages = dict.fromkeys((petition.language, *LANGUAGES))
    emails = {
        language: rendering.render_update(petition, update, language) for language in languages
    }
    stored = update_emails.UpdateEmails(language=petition.language, emails=emails)
    item = update_emails.item(petition.petition_id, update.update_id, stored)
    if item is None:
        logger.warning(
            "update's emails too large to store",
            petition_id=update.petition_id,
            update_id=update.update_id,
        )
    return item


def notice_links() -> rendering.RecipientLinks:
    """A notice to a starter about their own petition: nobody to unsubscribe, so no
    ``List-Unsubscribe`` (a link there must answer the RFC 8058 POST, and no page of ours
    would). Built when sent: the renderer is loaded by the first email, not at import."""
    return rendering.RecipientLinks(unsubscribe=None)


def notify_starter(petition: Petition, rendered: rendering.Rendered, kind: str) -> None:
    """A notice to the petition's starter at the address their sign-in verified; none, and
    a warning, if the petition has none."""
    if not petition.owner_email:
        logger.warning("no address to tell the starter", petition_id=petition.petition_id)
        return
    tags = {"kind": kind, "petition_id": petition.petition_id}
    send_to_starter(petition.owner_email, rendered, notice_links(), tags)


def send_to_starter(
    address: str,
    rendered: rendering.Rendered,
    links: rendering.RecipientLinks,
    tags: dict[str, str],
) -> str:
    """One email to a petition's starter, through SES with the configuration set."""
    settings = get_settings()
    raw = rendering.addressed(rendered, sender=settings.sender_address, to=address, links=links)
    return ses.send(address, raw, tags)
