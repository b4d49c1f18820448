"""The decision-maker's answer, end to end: the starter sends the petition to its
decision-maker (once a week at most), who answers publicly through the signed link; the
first answer becomes a ``decision_maker_response`` update, sent to the signers outside the
starter's 24-hour window, and the starter is told; edits change the pages, not the emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mobilise.answers import emails, store, tokens
from mobilise.answers.items import FORM_FIELDS, Sending
from mobilise.answers.schemas import AnswerIn, SendingOut, SendingsOut, SentOut
from mobilise.core import clock, ids, links
from mobilise.core.errors import (
    AnswerClosed,
    Conflict,
    InvalidField,
    InvalidLink,
    NotFound,
    NotOwner,
    RateLimited,
    TooManyAnswers,
)
from mobilise.core.observability import logger, metrics
from mobilise.delivery import queues, ses
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import grace, published
from mobilise.publishing.schemas import RESPONSE_TYPE
from mobilise.table import counters, items, rates
from mobilise.table.models import REVIEW, Petition, Update

#: How many of the petition's latest updates the decision-maker's email lists.
LATEST_UPDATES = 3
#: A petition is sent to its decision-maker once a week at most.
SENDING_EVERY = timedelta(days=7)
#: The decision-maker's link works this long after the sending.
LINK_VALIDITY = timedelta(days=30)
#: An answer can be changed through the link this long after it was first given.
EDITABLE_FOR = timedelta(days=14)
#: Posts of one link's form an hour (answers and changes).
POSTS_PER_HOUR = 10


# The starter's side ---------------------------------------------------------------------------


def _owned(caller: str, petition_id: str) -> Petition:
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    return petition


def _address(petition: Petition) -> str | None:
    address = (petition.decision_maker or {}).get("email")
    return address if isinstance(address, str) and address else None


def send(caller: str, petition_id: str) -> SentOut:
    """Email the petition to its decision-maker with a link to answer: the sending is stored
    first (the rule of one a week), and taken back if the email cannot leave."""
    petition = _owned(caller, petition_id)
    address = _address(petition)
    if address is None:
        raise InvalidField(
            "decision_maker.email",
            "the petition names no email address for its decision-maker",
        )
    if petition.status != "open":
        raise Conflict("Only an open petition is sent to its decision-maker.")
    now = clock.now()
    sending_id = ids.new_id()
    sending = Sending(
        *Sending.key(petition_id, sending_id),
        petition_id=petition_id,
        sending_id=sending_id,
        sent_at=now,
        link_expires_at=now + LINK_VALIDITY,
    )
    ref = tokens.SendingRef(petition_id, sending_id)
    rendered = emails.request(
        petition,
        tokens.answer_url(ref, sending.link_expires_at),
        counters.totals(petition).confirmed,
        published.latest(petition_id, LATEST_UPDATES),
    )
    store.start_sending(sending, SENDING_EVERY)
    try:
        emails.send(address, rendered, {"petition_id": petition_id, "kind": "decision_maker"})
    except Exception as error:
        answer = ses.at_once(error)  # SesUnavailable when it may pass: a 503
        if not isinstance(answer, ses.EmailUnconfirmed):  # that one may have left: it counts
            store.forget_sending(sending)  # the week given back: nothing left
        if answer is error:
            raise
        if isinstance(answer, ses.AddressRefused):
            logger.warning("decision-maker's address refused by SES", petition_id=petition_id)
            raise InvalidField(
                "decision_maker.email",
                "our email service refused to send the petition to this address",
            ) from error
        raise answer from error
    logger.info("petition sent to its decision-maker", petition_id=petition_id)
    metrics.add_metric(name="DecisionMakerSendings", unit="Count", value=1)
    return SentOut(
        **_view(sending).model_dump(),
        sent_to=address,
        next_sending_allowed_at=clock.isoformat(now + SENDING_EVERY),
    )


def sendings(caller: str, petition_id: str, limit: int = 20) -> SendingsOut:
    petition = _owned(caller, petition_id)
    last = store.last_sent_at(petition_id)
    reopens = last + SENDING_EVERY if last else None
    return SendingsOut(
        decision_maker_email=_address(petition),
        next_sending_allowed_at=clock.isoformat(reopens)
        if reopens and reopens > clock.now()
        else None,
        sendings=[_view(sending) for sending in store.sendings(petition_id, limit)],
    )


def _optional(moment: datetime | None) -> str | None:
    return clock.isoformat(moment) if moment else None


def _view(sending: Sending) -> SendingOut:
    until = editable_until(sending)
    return SendingOut(
        sending_id=sending.sending_id,
        sent_at=clock.isoformat(sending.sent_at),
        link_expires_at=clock.isoformat(sending.link_expires_at),
        answered_at=_optional(sending.answered_at),
        edited_at=_optional(sending.edited_at),
        editable_until=_optional(until),
        stance=sending.stance,  # type: ignore[arg-type]  # validated when stored
        update_id=sending.update_id,
    )


def editable_until(sending: Sending) -> datetime | None:
    """Until when the answer can be changed: 14 days after it was given, while the link works."""
    given: datetime | None = sending.answered_at
    if given is None:
        return None
    until: datetime = min(given + EDITABLE_FOR, sending.link_expires_at)
    return until


# The decision-maker's side --------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """What a genuine link opens: the petition, its sending, the page's language."""

    petition: Petition
    sending: Sending
    language: str

    @property
    def answered(self) -> bool:
        return self.sending.answered_at is not None

    @property
    def editable(self) -> bool:
        until = editable_until(self.sending)
        return until is None or clock.now() < until


def opened(petition_id: str, token: str) -> Opened:
    """The sending a link names; :class:`InvalidLink` for a tampered, expired or unknown one,
    alike."""
    ref = tokens.read(petition_id, token)
    sending = store.get_sending(ref.petition_id, ref.sending_id)
    if sending is None:
        raise InvalidLink()
    try:
        petition = items.get_petition(ref.petition_id)
    except NotFound:
        raise InvalidLink() from None
    return Opened(petition, sending, petition.language)


def answer(link: Opened, request: AnswerIn) -> Opened:
    """Give the answer (the first time: published to the signers) or change it."""
    if not link.editable:
        raise AnswerClosed()
    try:
        rates.take_rate(f"dm-answer#{link.sending.sending_id}", [(3600, POSTS_PER_HOUR)])
    except RateLimited as limited:
        raise TooManyAnswers(limited.retry_after_seconds) from limited
    sending = link.sending
    given: datetime | None = sending.answered_at
    sending.stance, sending.text = request.stance, request.text
    sending.name, sending.role = request.name, request.role
    if given is None:
        _first(link.petition, sending)
    else:
        _edit(link.petition, sending, given)
    return Opened(link.petition, sending, link.language)


def _update(petition: Petition, sending: Sending, update_id: str) -> Update:
    """The update an answer is, in the petition's language: its title and text say who
    answered; its block quotes the answer (:func:`mobilise.emails.rendering.quoted`)."""
    said = words(petition.language)
    now = clock.now()
    return Update(
        *Update.key(petition.petition_id, update_id),
        update_id=update_id,
        petition_id=petition.petition_id,
        type=RESPONSE_TYPE,
        title=rendering.one_line(said.gettext("answer_update_title", name=sending.name)),
        body=said.gettext("answer_update_body", name=sending.name, role=sending.role),
        fields={
            "stance": sending.stance,
            "text": sending.text or "",
            "name": sending.name,
            "role": sending.role,
            "sending_id": sending.sending_id,
        },
        status="published",
        created_at=now,
        published_at=now,
    )


def _first(petition: Petition, sending: Sending) -> None:
    now = clock.now()
    sending.answered_at, sending.update_id = now, ids.new_id()
    update = _update(petition, sending, sending.update_id)
    reasons = grace.answer_reasons(petition, update)
    if reasons:  # moderation: an operator decides whether signers get it
        update.status, update.hold_reasons = "in_review", reasons
        update.outbox_pk, update.outbox_sk = REVIEW, now.isoformat()
    job = None if reasons else items.fanout_job(petition.petition_id, update.update_id, now)
    store.first_answer(sending, update, job)
    logger.info(
        "decision-maker answered", petition_id=petition.petition_id, update_id=update.update_id
    )
    metrics.add_metric(name="DecisionMakerAnswers", unit="Count", value=1)
    if reasons:  # the starter hears of it with the operator's decision (moderation's email)
        logger.info("answer held for review", update_id=update.update_id, reasons=reasons)
        return
    queues.announce_fanout(petition.petition_id, update.update_id)
    _tell_starter(petition, sending, update)


def _tell_starter(petition: Petition, sending: Sending, update: Update) -> None:
    """The starter's email: the answer, and where signers read it. The answer is stored and
    on its way to the signers whatever becomes of this email."""
    if not petition.owner_email:
        logger.info("starter not told: no address", petition_id=petition.petition_id)
        return
    try:
        emails.send(
            petition.owner_email,
            emails.received(petition, sending, update.update_id),
            {"petition_id": petition.petition_id, "kind": "decision_maker_answered"},
        )
    except Exception:
        logger.exception("starter not told of the answer", petition_id=petition.petition_id)


def _edit(petition: Petition, sending: Sending, given: datetime) -> None:
    assert sending.update_id is not None
    now = clock.now()
    sending.edited_at = now
    update = _update(petition, sending, sending.update_id)
    update.edited_at = now
    store.edit_answer(sending, given, now - EDITABLE_FOR, update)
    logger.info(
        "decision-maker changed their answer",
        petition_id=petition.petition_id,
        update_id=sending.update_id,
    )


def page_view(link: Opened) -> dict[str, Any]:
    """What the decision-maker's page shows: the petition, its answer so far, until when it
    can be changed, and the form's values (the answer as given)."""
    until = editable_until(link.sending)
    current = {name: getattr(link.sending, name) or "" for name in FORM_FIELDS}
    return {
        "petition": link.petition,
        "paragraphs": rendering.paragraphs(link.petition.description),
        "answer": rendering.quoted(current) if link.answered else None,
        "until": words(link.language).date(until) if until else None,
        "petition_url": links.petition_page_url(link.petition.petition_id),
        "current": current,
    }
