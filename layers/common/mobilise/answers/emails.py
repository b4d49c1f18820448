"""The two emails of the answers: the petition to its decision-maker (title, text,
confirmed signers, latest updates, the link to answer), and the note to the starter that
the decision-maker answered. Both in the petition's language, raw MIME through the one SES
sender, without unsubscribe (neither goes to a signer: one is the starter's own sending, the
other the starter's notice)."""

from __future__ import annotations

from mobilise.answers.items import Sending
from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.delivery import ses
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.reminders.outgoing import render_reminder, unsubscribe_slot
from mobilise.table.models import Petition, Update


def _rendered(template: str, language: str, subject: str, **context: object) -> rendering.Rendered:
    """An email of ``template`` with no unsubscribe (its slot is emptied when addressed)."""
    slot = unsubscribe_slot()
    return render_reminder(template, language, subject, slot, {**context, "unsubscribe_url": slot})


def request(
    petition: Petition, answer_url: str, count: int, latest: list[Update]
) -> rendering.Rendered:
    """The petition as its decision-maker receives it (``count`` confirmed signers, its
    ``latest`` updates), with the link to answer publicly."""
    language = petition.language
    said = words(language)
    listed = [
        {
            "title": update.title,
            "date": said.date(update.published_at or update.created_at),
            "url": links.update_page_url(petition.petition_id, update.update_id),
        }
        for update in latest
    ]
    subject = said.ngettext(
        "answer_request_subject", "answer_request_subject", count, title=petition.title
    )
    return _rendered(
        "answer_request",
        language,
        subject,
        petition_title=petition.title,
        decision_maker=(petition.decision_maker or {}).get("name", ""),
        paragraphs=rendering.paragraphs(petition.description),
        count=count,
        latest=listed,
        answer_url=answer_url,
        petition_url=links.petition_page_url(petition.petition_id),
    )


def received(petition: Petition, sending: Sending, update_id: str) -> rendering.Rendered:
    """The starter's note: the decision-maker answered, their answer, where signers read it."""
    language = petition.language
    answer = rendering.quoted(
        {
            "stance": sending.stance,
            "text": sending.text or "",
            "name": sending.name,
            "role": sending.role,
        }
    )
    subject = words(language).gettext(
        "answer_received_subject", name=sending.name or "", title=petition.title
    )
    return _rendered(
        "answer_received",
        language,
        subject,
        petition_title=petition.title,
        answer=answer,
        update_url=links.update_page_url(petition.petition_id, update_id),
    )


def send(address: str, rendered: rendering.Rendered, tags: dict[str, str]) -> str:
    """One email, as it is on the wire, through the one SES sender."""
    raw = rendering.addressed(
        rendered,
        sender=get_settings().sender_address,
        to=address,
        links=rendering.RecipientLinks(unsubscribe=None),
    )
    return ses.send(address, raw, tags)
