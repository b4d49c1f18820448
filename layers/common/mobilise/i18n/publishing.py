"""Texts of publishing: test sends, and the notice of a scheduled update that had to wait."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "test_send_prefix": "[Test]",
        "test_send_banner": (
            "This is a test of your update: only you received it. Your signers will receive "
            "it when you publish it."
        ),
        "test_send_reason": (
            "You receive this test because you started the petition “{title}”; it was sent "
            "to you alone."
        ),
        "held_reason": (
            "You receive this email because you scheduled an update of the petition “{title}”."
        ),
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
        "test_send_banner": (
            "Ceci est un test de votre nouvelle : vous seul·e l’avez reçu. Les signataires la "
            "recevront quand vous la publierez."
        ),
        "test_send_reason": (
            "Vous recevez ce test parce que vous avez lancé la pétition « {title} » ; il n’a "
            "été envoyé qu’à vous."
        ),
        "held_reason": (
            "Vous recevez cet e-mail parce que vous avez programmé une nouvelle de la pétition "
            "« {title} »."
        ),
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
