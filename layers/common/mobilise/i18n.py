"""The words around the starter's text, in the languages a petition can have."""

from __future__ import annotations

from typing import Final

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
    },
}


def texts(language: str | None) -> dict[str, str]:
    """The texts of ``language``, English when it is not one we have."""
    return TEXTS.get(language or "en", TEXTS["en"])
