"""Texts of publishing: test sends, and the notice of a scheduled update that had to wait."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "test_send_prefix": "[Test]",
        "held_subject": "Your scheduled update is waiting: {title}",
        "held_intro": (
            "Your update “{title}” of the petition “{petition}” was due at {due}, but the "
            "petition sent another update less than 24 hours before."
        ),
        "held_when": "It stays scheduled and goes out at {reopens}, when the petition may "
        "send its next update.",
        "held_change": "You can still edit, move or cancel it until then.",
    },
    "fr": {
        "test_send_prefix": "[Test]",
        "held_subject": "Votre nouvelle programmée attend : {title}",
        "held_intro": (
            "Votre nouvelle « {title} » de la pétition « {petition} » devait partir le {due}, "
            "mais la pétition a envoyé une autre nouvelle moins de 24 heures avant."
        ),
        "held_when": "Elle reste programmée et partira le {reopens}, dès que la pétition "
        "pourra envoyer sa prochaine nouvelle.",
        "held_change": "D’ici là, vous pouvez encore la modifier, la déplacer ou l’annuler.",
    },
}
