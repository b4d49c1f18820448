"""The petition's page shown again as it was rendered, without Jinja2 or the signing key
(issue 14: the commonest first request of an environment is a shared link's page).

A page is what its petition, its latest updates and its latest answer say, in a language,
by the code and settings that render it. Showing it reads those items (:func:`read`) as
rendering it always did, and digests them: the page stored under the same digest
(:mod:`mobilise.table.stored_pages`) is that page, byte for byte, but for its count of
signers, which moves with every signature and is written in when the page is shown
(:data:`SIGNERS`). Whatever changes the page changes one of the items it is rendered from,
and so the digest: a stored page is never shown stale, and nothing that writes those items
has to know about it. A page not stored, or stored from other items, is rendered, stored
and shown (:mod:`mobilise.api.petition_page`).

The code is named by the function's published version: every deploy that changes its code,
its layer or its settings publishes one (``AutoPublishAlias``, template.yaml), and every
environment of a version shares its stored pages. Without one (locally, or ``$LATEST``) the
process names it: each process renders a page again once.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup

from mobilise.answers import shown as answers
from mobilise.answers.items import Sending
from mobilise.core.config import get_settings
from mobilise.i18n import LANGUAGES, words
from mobilise.publishing import published
from mobilise.table import counters, items, stored_pages
from mobilise.table.models import Petition, Update

#: How many of the latest updates the petition's page lists.
LATEST = 3
#: Where the count of signers goes in a stored page: markup no text of a page can make
#: (every text is escaped, ``<`` included), so only the template's one place has it.
SIGNERS = Markup("<mobilise-signers>")


def _release() -> str:
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "")
    return version if version.isdigit() else f"process-{secrets.token_hex(8)}"


#: What renders the pages: the function's published version, or this process.
RELEASE = _release()


@dataclass(frozen=True)
class Read:
    """What a petition's page is rendered from, and its digest."""

    petition: Petition
    language: str
    latest: list[Update]
    answer: Sending | None

    @cached_property  # read by the stored page's lookup, then again by keep() on a miss
    def digest(self) -> str:
        found = [self.petition, *self.latest, *([self.answer] if self.answer else [])]
        what: list[object] = [RELEASE, repr(get_settings()), self.language]
        what += [item.to_dynamodb_dict() for item in found]
        text = json.dumps(what, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def page_language(asked: str | None, default: str) -> str:
    """The language a page is shown in: the one asked for (``?lang=``) if we have it."""
    return asked if asked in LANGUAGES else default


def read(petition_id: str, language: str | None) -> Read:
    """The items the petition's page shows; :class:`NotFound` if there is no petition."""
    petition = items.get_petition(petition_id)
    return Read(
        petition,
        page_language(language, petition.language),
        published.latest(petition_id, LATEST),
        answers.answered(petition_id),
    )


def signers(count: int, language: str) -> Markup:
    """The count of signers as the page's template writes it (its ``ngettext``: the message
    ours, the number escaped)."""
    said = words(language)
    message = said.catalog.ngettext("page_signers", "page_signers", count)
    return Markup(message) % said.counted(count, {})  # noqa: S704 (our catalog's message)


def shown(page: Read) -> str | None:
    """The page stored for these items, with the count as it is now; None if there is none."""
    html = stored_pages.stored(page.petition.petition_id, page.language, page.digest)
    if html is None:
        return None
    return _with_count(html, page, counters.totals(page.petition).confirmed)


def keep(page: Read, html: str, count: int) -> str:
    """Store ``html``, the page rendered with :data:`SIGNERS` for its count, and show it with
    ``count``."""
    places = html.count(SIGNERS)
    if places != 1:
        raise ValueError(f"a petition's page has one place for its count, not {places}")
    stored_pages.store(page.petition.petition_id, page.language, page.digest, html)
    return _with_count(html, page, count)


def _with_count(html: str, page: Read, count: int) -> str:
    return html.replace(SIGNERS, signers(count, page.language), 1)
