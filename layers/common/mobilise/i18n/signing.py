"""The words of the emails and pages that follow a signature, besides the confirmation's."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "already_signed_subject": "You had already signed: {title}",
        "already_signed_heading": "You had already signed this petition",
        "already_signed_intro": (
            "Someone, probably you, just signed the petition “{title}” with this email "
            "address. It had already signed it: your signature stands and counts once."
        ),
        "already_signed_ignore": (
            "You did not sign again? Ignore this email: nothing has changed, and nothing was "
            "shown to the person who did."
        ),
    },
    "fr": {
        "already_signed_subject": "Vous aviez déjà signé : {title}",
        "already_signed_heading": "Vous aviez déjà signé cette pétition",
        "already_signed_intro": (
            "Quelqu’un, sans doute vous, vient de signer la pétition « {title} » avec cette "
            "adresse e-mail. Elle l’avait déjà signée : votre signature reste et compte une fois."
        ),
        "already_signed_ignore": (
            "Vous n’avez pas signé à nouveau ? Ignorez cet e-mail : rien n’a changé, et rien "
            "n’a été montré à la personne qui l’a fait."
        ),
    },
}
