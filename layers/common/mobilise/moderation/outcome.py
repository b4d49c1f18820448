"""The starter is told what moderation decided about their update: approved (it went out)
or rejected (nothing was sent, and they may publish again at once)."""

from __future__ import annotations

from mobilise.core.observability import logger
from mobilise.emails import rendering
from mobilise.i18n import words
from mobilise.publishing import releasing
from mobilise.table.models import Petition, Update

OUTCOMES = ("approved", "rejected")


def tell_starter(petition: Petition, update: Update, outcome: str) -> None:
    """Email the outcome to the starter's verified address; a failure is logged, never the
    decision's undoing (the dashboard shows the status all the same)."""
    try:
        releasing.notify_starter(petition, notice(petition, update, outcome), f"review-{outcome}")
    except Exception:
        logger.exception("starter not told the review's outcome", update_id=update.update_id)


def notice(petition: Petition, update: Update, outcome: str) -> rendering.Rendered:
    assert outcome in OUTCOMES
    language = petition.language
    title = rendering.one_line(update.title)
    context = {
        "title": title,
        "petition_title": rendering.one_line(petition.title),
        "outcome": outcome,
        "subject": words(language).gettext("review_approved_subject", title=title)
        if outcome == "approved"
        else words(language).gettext("review_rejected_subject", title=title),
    }
    return rendering.Rendered(
        subject=rendering.one_line(context["subject"]),
        html=rendering.render("review_outcome.html", language, **context),
        text=rendering.render("review_outcome.txt", language, **context),
        slot=rendering.UNSUBSCRIBE_SLOT,  # no per-recipient link in it
    )
