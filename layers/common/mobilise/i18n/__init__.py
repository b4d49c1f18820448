"""The words around the starter's text, in the languages a petition can have.

They are gettext catalogs: ``locales/<language>/LC_MESSAGES/mobilise.po``, one per
language, made from the template ``mobilise.pot`` that Babel extracts from the code and the
email templates (``babel.cfg``). A message's id is a stable key (``"confirm_subject"``), not
its English text: the English words live in ``en.po`` like the French ones, so that rewording
the English leaves every other language's translation in place, and a test can ask every
language for every message. Placeholders are Python's (``%(title)s``); a message that holds a
count is a gettext plural whose forms the catalog's ``Plural-Forms`` chooses, ``%(count)s``
written as the language writes numbers (:mod:`mobilise.i18n.cldr`).

Each ``.po`` has its compiled ``.mo`` beside it, committed (``pybabel compile``; a test checks
they are current): a Lambda reads a ``.mo`` in about a millisecond, where parsing the ``.po``
would add Babel's catalog modules and some 20 ms per language to a cold start. The standard
library's ``gettext`` reads it (Babel's ``Translations`` is that class, with more than we use).
Numbers and dates are written as CLDR writes them by :mod:`mobilise.i18n.cldr`, from a small
file Babel made: Babel itself is a tool of the catalogs, not of the functions (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from gettext import GNUTranslations
from pathlib import Path
from typing import Final, Literal, NamedTuple

from mobilise.i18n import cldr

#: The gettext domain of the catalogs.
DOMAIN: Final = "mobilise"
LOCALES: Final = Path(__file__).resolve().parent / "locales"
LANGUAGES: Final = ("en", "fr")
#: A language of a petition, a page or an email (the API's requests and answers).
Language = Literal["fr", "en"]


def N_(key: str) -> str:  # gettext's name for a message marked but not translated
    """``key``, marked for extraction: a message the code names through a value."""
    return key


#: Messages the code chooses by a value (an action's name, an event's kind...), written out
#: so that extraction finds every one of them.
NAMED: Final[dict[str, dict[str, str]]] = {
    "button": {
        "article": N_("button_article"),
        "share_x": N_("button_share_x"),
        "share_facebook": N_("button_share_facebook"),
        "share_email": N_("button_share_email"),
        "share_whatsapp": N_("button_share_whatsapp"),
        "share_telegram": N_("button_share_telegram"),
        "share_bluesky": N_("button_share_bluesky"),
        "share_mastodon": N_("button_share_mastodon"),
        "share_copy": N_("button_share_copy"),
        "online": N_("button_online"),
        "calendar": N_("button_calendar"),
        "mailto": N_("button_mailto"),
        "tweet": N_("button_tweet"),
        "tel": N_("button_tel"),
        "facebook": N_("button_facebook"),
        "start_petition": N_("button_start_petition"),
    },
    "event_kind": {
        "demonstration": N_("event_kind_demonstration"),
        "hand_over": N_("event_kind_hand_over"),
        "meeting": N_("event_kind_meeting"),
        "online": N_("event_kind_online"),
    },
    "meeting": {
        "requested": N_("meeting_requested"),
        "obtained": N_("meeting_obtained"),
        "held": N_("meeting_held"),
    },
    "suggest": {
        "press": N_("suggest_press"),
        "ask_testimony": N_("suggest_ask_testimony"),
        "call_to_action": N_("suggest_call_to_action"),
        "event": N_("suggest_event"),
        "decision_maker_meeting": N_("suggest_decision_maker_meeting"),
        "ask_advice": N_("suggest_ask_advice"),
        "news": N_("suggest_news"),
    },
    "signing_subject": {
        "confirm": N_("confirm_subject"),
        "already_signed": N_("already_signed_subject"),
    },
}


def language_of(language: str | None) -> str:
    """``language`` if we have its catalog, else English."""
    return language if language in LANGUAGES else "en"


def catalog_path(language: str, suffix: str = ".mo") -> Path:
    """Where the catalog of ``language`` is: its ``.mo``, or with ``suffix=".po"`` its source."""
    return (LOCALES / language / "LC_MESSAGES" / DOMAIN).with_suffix(suffix)


class Catalog(GNUTranslations):
    """A compiled catalog, as the standard library reads it."""

    #: The plural form a count takes: the catalog's ``Plural-Forms``, read by ``_parse``.
    plural: Callable[[int], int]


def load(language: str) -> Catalog:
    """The compiled catalog of ``language`` (a missing file is an error, never a silent
    fallback to the message ids, as ``gettext.translation(fallback=True)`` would give)."""
    with catalog_path(language).open("rb") as compiled:
        return Catalog(compiled)


class Words(NamedTuple):
    """The messages of one language, with its numbers and dates."""

    language: str
    catalog: Catalog

    def gettext(self, key: str, **values: object) -> str:
        """The message ``key``, its placeholders filled with ``values``."""
        return self.catalog.gettext(key) % values

    def named(self, family: str, name: str, **values: object) -> str:
        """The message :data:`NAMED` gives ``name`` in ``family``: ``named("button", "tel")``."""
        return self.catalog.gettext(NAMED[family][name]) % values

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The message in the plural form ``count`` takes in the language (the catalog's
        ``Plural-Forms``), ``%(count)s`` written as the language writes numbers ("1 000 000"
        in French, "1,000,000" in English), the other placeholders filled with ``values``."""
        return self.catalog.ngettext(singular, plural, count) % self.counted(count, values)

    def counted(self, count: int, values: dict[str, object]) -> dict[str, object]:
        """``values`` with ``count`` written as the language writes numbers (also when
        Jinja2's ``{% trans count=... %}`` passes it as a value)."""
        return {**values, "count": cldr.count(count, self.language)}

    def date(self, moment: datetime) -> str:
        """The day of ``moment`` (an aware time, in its own zone), on the catalog's pattern:
        "Saturday 12 December 2026" (British English), "lundi 1er mars 2027"."""
        if moment.day == 1:  # "lundi 1er mars" in French
            pattern = self.catalog.gettext("date_first_of_month")
        else:
            pattern = self.catalog.gettext("date")
        return cldr.written(moment, pattern, self.language)

    def time(self, moment: datetime) -> str:
        """The time of day of ``moment``, on the catalog's pattern ("2:30 pm", "14 h 30")."""
        if moment.minute == 0:
            pattern = self.catalog.gettext("time_on_the_hour")
        else:
            pattern = self.catalog.gettext("time")
        return cldr.written(moment, pattern, self.language)


def words(language: str | None) -> Words:
    """The words of ``language``, English when it is not one we have."""
    return _words(language_of(language))


@cache
def _words(language: str) -> Words:
    return Words(language, load(language))
