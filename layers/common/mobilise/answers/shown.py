"""The decision-maker's latest answer, as the petition's page shows it.

Apart from :mod:`mobilise.answers.flow`, which sends and takes answers (their emails, models
and queues): a page read imports only what reads the answer (issue 14, docs/performance.md).
"""

from __future__ import annotations

from typing import NamedTuple

from mobilise.answers import store
from mobilise.answers.items import FORM_FIELDS, Sending
from mobilise.core import links
from mobilise.emails import rendering
from mobilise.i18n import words


class Shown(NamedTuple):
    """The latest answer, as the pages show it (:func:`mobilise.emails.rendering.quoted`)."""

    quoted: dict[str, object]
    answered: str
    update_url: str | None


def answered(petition_id: str) -> Sending | None:
    """The petition's newest sending that was answered: what its page is rendered from."""
    return store.latest_answer(petition_id)


def of(sending: Sending | None, language: str) -> Shown | None:
    """The petition's latest answer as its page shows it, if its decision-maker answered
    (``sending``: :func:`answered`'s)."""
    if sending is None or sending.answered_at is None:
        return None
    petition_id = sending.petition_id
    fields = {name: getattr(sending, name) or "" for name in FORM_FIELDS}
    url = links.update_page_url(petition_id, sending.update_id) if sending.update_id else None
    return Shown(rendering.quoted(fields), words(language).date(sending.answered_at), url)
