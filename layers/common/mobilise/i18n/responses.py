"""The words of the response and RSVP pages."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "respond_title": "Your answer",
        "respond_intro": "The petition “{title}” asks:",
        "respond_testimony": "Your story",
        "respond_advice": "Your advice",
        "respond_kind": "What are you sending?",
        "respond_kind_advice": "Advice",
        "respond_kind_contact": "A contact",
        "respond_text": "Your message",
        "respond_name": "Your name (optional)",
        "respond_contact": "How to reach the contact (optional)",
        "respond_consent": (
            "The petition’s starter may pass my testimony to the press. "
            "(Leave this unticked and it stays with the starter.)"
        ),
        "respond_private": "Only the starter of the petition reads what you send here.",
        "respond_send": "Send",
        "respond_thanks_title": "Thank you",
        "respond_thanks": "Thank you: the starter of the petition “{title}” will read it.",
        "respond_problems": "Please check:",
        "respond_too_many#one": "You have already answered this update {count} time.",
        "respond_too_many#other": "You have already answered this update {count} times.",
        "rsvp_title": "Will you come?",
        "rsvp_question": "The petition “{title}” invites you: {event}",
        "rsvp_when": "When: {when} ({zone})",
        "rsvp_where": "Where: {place}",
        "rsvp_online": "Online: {url}",
        "rsvp_yes": "Yes, I will come",
        "rsvp_no": "No, I cannot come",
        "rsvp_current_yes": "Your answer so far: yes.",
        "rsvp_current_no": "Your answer so far: no.",
        "rsvp_done_yes": "Thank you: we count on you. You can change your answer on this page.",
        "rsvp_done_no": "Thank you for telling us. You can change your answer on this page.",
    },
    "fr": {
        "respond_title": "Votre réponse",
        "respond_intro": "La pétition « {title} » vous demande :",
        "respond_testimony": "Votre témoignage",
        "respond_advice": "Votre conseil",
        "respond_kind": "Que nous envoyez-vous ?",
        "respond_kind_advice": "Un conseil",
        "respond_kind_contact": "Un contact",
        "respond_text": "Votre message",
        "respond_name": "Votre nom (facultatif)",
        "respond_contact": "Comment joindre ce contact (facultatif)",
        "respond_consent": (
            "L’auteur·e de la pétition peut transmettre mon témoignage à la presse. "
            "(Sans cette case cochée, il reste entre ses mains.)"
        ),
        "respond_private": "Seul·e l’auteur·e de la pétition lit ce que vous envoyez ici.",
        "respond_send": "Envoyer",
        "respond_thanks_title": "Merci",
        "respond_thanks": "Merci : l’auteur·e de la pétition « {title} » va le lire.",
        "respond_problems": "Vérifiez, s’il vous plaît :",
        "respond_too_many#one": "Vous avez déjà répondu {count} fois à cette nouvelle.",
        "respond_too_many#many": "Vous avez déjà répondu {count} de fois à cette nouvelle.",
        "respond_too_many#other": "Vous avez déjà répondu {count} fois à cette nouvelle.",
        "rsvp_title": "Viendrez-vous ?",
        "rsvp_question": "La pétition « {title} » vous invite : {event}",
        "rsvp_when": "Quand : {when} ({zone})",
        "rsvp_where": "Où : {place}",
        "rsvp_online": "En ligne : {url}",
        "rsvp_yes": "Oui, je viendrai",
        "rsvp_no": "Non, je ne peux pas venir",
        "rsvp_current_yes": "Votre réponse pour l’instant : oui.",
        "rsvp_current_no": "Votre réponse pour l’instant : non.",
        "rsvp_done_yes": (
            "Merci : nous comptons sur vous. Vous pouvez changer d’avis sur cette page."
        ),
        "rsvp_done_no": "Merci de nous le dire. Vous pouvez changer d’avis sur cette page.",
    },
}
