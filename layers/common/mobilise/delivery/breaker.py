"""The circuit breaker of an update's delivery: once it has sent ``breaker_min_sent`` emails,
complaints above ``breaker_complaint_rate`` of them, or permanent bounces above
``breaker_bounce_rate``, pause the rest (:mod:`mobilise.delivery.pausing`). Complaints above
0.1 % put the whole service's sending at risk with mailbox providers and SES: one update
must not cost every other petition its email.

Judged where the SES events are counted (:mod:`mobilise.delivery.ses_events`), on the counters
as they are after each batch's addition. Only the invocation whose pause took effect alerts
the operators (``AlarmTopic``) and tells the starter: once, however many batches see the rates
passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from mobilise.core.config import get_settings
from mobilise.core.observability import logger
from mobilise.delivery import alarms, pausing

if TYPE_CHECKING:
    from mobilise.emails import rendering
    from mobilise.table.models import Petition, Update


#: The counters the rule reads (and the operators' alarm shows).
JUDGED = ("sent", "bounced", "complained")


def tripped(counters: Mapping[str, int]) -> str | None:
    """Why an update with these counters is to pause (``complaints`` or ``bounces``), if it is."""
    settings = get_settings()
    sent = int(counters.get("sent", 0))
    if sent < settings.breaker_min_sent:
        return None
    if int(counters.get("complained", 0)) > settings.breaker_complaint_rate * sent:
        return "complaints"
    if int(counters.get("bounced", 0)) > settings.breaker_bounce_rate * sent:
        return "bounces"
    return None


def judge(petition_id: str, update_id: str, counters: Mapping[str, int]) -> bool:
    """Pause the update if its rates are passed; True for the one call that paused it (it
    alerted the operators and told the starter)."""
    reason = tripped(counters)
    if reason is None or not pausing.pause(petition_id, update_id, reason):
        return False
    judged = {name: int(counters.get(name, 0)) for name in JUDGED}
    alarms.alarm(
        "update paused",
        {"petition_id": petition_id, "update_id": update_id, "reason": reason, **judged},
    )
    _tell_starter(petition_id, update_id, reason, counters)
    return True


def _tell_starter(
    petition_id: str, update_id: str, reason: str, counters: Mapping[str, int]
) -> None:
    """Email the starter that their update paused and why; a failure is logged (the
    dashboard says it all the same). The renderer is imported here: the SES events
    function needs it only the once an update pauses."""
    from mobilise.publishing import releasing
    from mobilise.table import items

    try:
        petition = items.get_petition(petition_id)
        update = items.get_update(petition_id, update_id)
        count = int(counters.get("complained" if reason == "complaints" else "bounced", 0))
        releasing.notify_starter(petition, notice(petition, update, reason, count), "paused")
    except Exception:
        logger.exception("starter not told of the pause", update_id=update_id)


def notice(petition: Petition, update: Update, reason: str, count: int) -> rendering.Rendered:
    """The starter's email: their update paused, why (how many reported it as spam, or how
    many addresses refused it), that nothing is lost, and what happens next."""
    from mobilise.emails import rendering
    from mobilise.i18n import words

    assert reason in pausing.REASONS
    language = petition.language
    title = rendering.one_line(update.title)
    subject = rendering.one_line(words(language).gettext("paused_subject", title=title))
    context = {
        "title": title,
        "petition_title": rendering.one_line(petition.title),
        "reason": reason,
        "count": count,
        "subject": subject,
    }
    return rendering.Rendered(
        subject=subject,
        html=rendering.render("delivery_paused.html", language, **context),
        text=rendering.render("delivery_paused.txt", language, **context),
        slot=rendering.UNSUBSCRIBE_SLOT,  # no per-recipient link in it
    )
