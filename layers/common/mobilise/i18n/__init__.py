"""The words around the starter's text, in the languages a petition can have."""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale
from babel.numbers import format_decimal

from mobilise.i18n import emails, publishing, reminders, responses, signing

#: Joins a text's name and a CLDR plural category: ``"days#one"``, ``"days#other"``. A text
#: that holds a count has one form per category of each language (English: one, other;
#: French: one, many, other), and :func:`plural` picks the one Babel's rules name.
PLURAL = "#"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "eyebrow": "News from the petition",
        "read_more": "Read more",
        "reason": (
            "You are receiving this email because you signed the petition “{title}” "
            "and agreed to receive its updates."
        ),
        "unsubscribe": "Stop receiving updates from this petition",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_question": "Stop receiving updates from the petition “{title}”?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": (
            "Done: you will not receive any more updates from the petition “{title}”."
        ),
        "invalid_link": "This link is not valid or has expired.",
        "confirm_subject": "Confirm your signature: {title}",
        "confirm_intro": (
            "Thank you for signing the petition “{title}”. Please confirm your email address "
            "so that your signature counts and the petition can keep you informed."
        ),
        "confirm_heading": "One more step: confirm your signature",
        "confirm_button": "Confirm my signature",
        "confirm_ignore": "You did not sign? Ignore this email: nothing more will be sent.",
        "confirmed_title": "Signature confirmed",
        "confirmed": "Thank you: your signature on the petition “{title}” is confirmed.",
    },
    "fr": {
        "eyebrow": "Des nouvelles de la pétition",
        "read_more": "En savoir plus",
        "reason": (
            "Vous recevez cet e-mail parce que vous avez signé la pétition « {title} » "
            "et accepté d’en recevoir les nouvelles."
        ),
        "unsubscribe": "Ne plus recevoir les nouvelles de cette pétition",
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_question": "Ne plus recevoir les nouvelles de la pétition « {title} » ?",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed": (
            "C’est fait : vous ne recevrez plus de nouvelles de la pétition « {title} »."
        ),
        "invalid_link": "Ce lien n’est pas valide ou a expiré.",
        "confirm_subject": "Confirmez votre signature : {title}",
        "confirm_intro": (
            "Merci d’avoir signé la pétition « {title} ». Confirmez votre adresse e-mail "
            "pour que votre signature compte et que la pétition puisse vous tenir informé·e."
        ),
        "confirm_heading": "Encore une étape : confirmez votre signature",
        "confirm_button": "Confirmer ma signature",
        "confirm_ignore": (
            "Vous n’avez pas signé ? Ignorez cet e-mail : rien d’autre ne vous sera envoyé."
        ),
        "confirmed_title": "Signature confirmée",
        "confirmed": "Merci : votre signature de la pétition « {title} » est confirmée.",
    },
}


#: Texts of the other parts, one module each (``{"en": {...}, "fr": {...}}``), merged below.
PARTS: tuple[dict[str, dict[str, str]], ...] = (
    emails.TEXTS,
    reminders.TEXTS,
    responses.TEXTS,
    publishing.TEXTS,
    signing.TEXTS,
)


@cache
def _merged() -> dict[str, dict[str, str]]:
    merged = {language: dict(words) for language, words in TEXTS.items()}
    for part in PARTS:
        for language, words in part.items():
            clash = merged[language].keys() & words.keys()
            assert not clash, f"texts defined twice: {sorted(clash)}"
            merged[language].update(words)
    return merged


def language_of(language: str | None) -> str:
    """``language`` if we have its texts, else English."""
    return language if language in TEXTS else "en"


def texts(language: str | None) -> dict[str, str]:
    """The texts of ``language``, English when it is not one we have."""
    return _merged()[language_of(language)]


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def plural(language: str | None, key: str, count: int, **values: object) -> str:
    """The text ``key`` in the form ``count`` takes in ``language`` (CLDR's plural rules,
    through Babel), ``{count}`` written as the language writes numbers ("1 000 000" in
    French, "1,000,000" in English), the other placeholders filled with ``values``."""
    language = language_of(language)
    category = _locale(language).plural_form(count)
    text = texts(language)[f"{key}{PLURAL}{category}"]
    return text.format(count=format_decimal(count, locale=language), **values)
