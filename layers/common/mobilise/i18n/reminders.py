"""The words of the reminders: the starter's nudge, the event reminder, the meeting follow-up,
and the page of the starter's off switch."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        # {days} is "days" in its plural form
        "nudge_subject#one": "{count} signer has heard nothing for {days}: {title}",
        "nudge_subject#other": "{count} signers have heard nothing for {days}: {title}",
        "days#one": "{count} day",
        "days#other": "{count} days",
        "nudge_eyebrow": "A reminder about your petition",
        "nudge_quiet#one": (
            "Your petition “{title}” has sent no update for {days}, and {count} signer "
            "is waiting to hear how the campaign is going."
        ),
        "nudge_quiet#other": (
            "Your petition “{title}” has sent no update for {days}, and {count} signers "
            "are waiting to hear how the campaign is going."
        ),
        "nudge_ideas": "A few ideas for your next update:",
        "nudge_open": "Write it",
        "suggest_press": (
            "A newspaper, radio or blog wrote about you? Share the article and ask signers "
            "to share it too."
        ),
        "suggest_ask_testimony": (
            "Ask signers for their stories: why they signed, how the issue touches them."
        ),
        "suggest_call_to_action": (
            "Ask signers to write to the decision-maker, call them or post to them: "
            "one click each, with your message ready."
        ),
        "suggest_event": "Invite signers to a gathering, a hand-over or an online meeting.",
        "suggest_decision_maker_meeting": (
            "Asked for a meeting with the decision-maker, or got one? Tell signers."
        ),
        "suggest_ask_advice": (
            "Ask signers for advice or a contact: a journalist, a lawyer, someone who knows "
            "the decision-maker."
        ),
        "suggest_news": "Just tell signers what happened since your last update.",
        "reminders_reason": "You receive this email because you started the petition “{title}”.",
        "reminders_off": "Stop these reminders for this petition",
        "event_subject": "Tomorrow: {title}",
        "event_eyebrow": "You said you would come",
        "reminder_when": "When: {when}",
        "reminder_where": "Where: {place}",
        "reminder_online": "Join online",
        "event_calendar": "Add to my calendar",
        "event_reason": (
            "You receive this reminder because you signed the petition “{title}” "
            "and said you would come."
        ),
        "meeting_subject": "How did the meeting go? {title}",
        "meeting_eyebrow": "Your signers want to know",
        "meeting_ask": (
            "Your meeting with {decision_maker} was planned for {when}. Tell your signers "
            "how it went: what was said, what was promised, what comes next."
        ),
        "meeting_open": "Tell them how it went",
        "nudges_off_title": "Reminders",
        "nudges_off_question": "Stop the reminders about the petition “{title}”?",
        "nudges_off_button": "Stop the reminders",
        "nudges_off_done": "Done: you will receive no more reminders about the petition “{title}”.",
    },
    "fr": {
        "nudge_subject#one": "{count} signataire sans nouvelles depuis {days} : {title}",
        "nudge_subject#many": "{count} de signataires sans nouvelles depuis {days} : {title}",
        "nudge_subject#other": "{count} signataires sans nouvelles depuis {days} : {title}",
        "days#one": "{count} jour",
        "days#many": "{count} de jours",
        "days#other": "{count} jours",
        "nudge_eyebrow": "Un rappel à propos de votre pétition",
        "nudge_quiet#one": (
            "Votre pétition « {title} » n’a publié aucune nouvelle depuis {days}, et "
            "{count} signataire attend de savoir où en est la campagne."
        ),
        "nudge_quiet#many": (
            "Votre pétition « {title} » n’a publié aucune nouvelle depuis {days}, et "
            "{count} de signataires attendent de savoir où en est la campagne."
        ),
        "nudge_quiet#other": (
            "Votre pétition « {title} » n’a publié aucune nouvelle depuis {days}, et "
            "{count} signataires attendent de savoir où en est la campagne."
        ),
        "nudge_ideas": "Quelques idées pour votre prochaine nouvelle :",
        "nudge_open": "La rédiger",
        "suggest_press": (
            "Un journal, une radio ou un blog a parlé de vous ? Partagez l’article et "
            "demandez aux signataires de le partager aussi."
        ),
        "suggest_ask_testimony": (
            "Demandez aux signataires leur histoire : pourquoi ils ont signé, en quoi la "
            "cause les touche."
        ),
        "suggest_call_to_action": (
            "Demandez aux signataires d’écrire à la personne qui décide, de l’appeler ou de "
            "l’interpeller : un clic chacun, avec votre message prêt."
        ),
        "suggest_event": (
            "Invitez les signataires à un rassemblement, une remise de pétition ou une "
            "réunion en ligne."
        ),
        "suggest_decision_maker_meeting": (
            "Vous avez demandé ou obtenu un rendez-vous avec la personne qui décide ? "
            "Dites-le aux signataires."
        ),
        "suggest_ask_advice": (
            "Demandez conseil ou un contact aux signataires : un journaliste, une avocate, "
            "quelqu’un qui connaît la personne qui décide."
        ),
        "suggest_news": "Racontez simplement ce qui s’est passé depuis votre dernière nouvelle.",
        "reminders_reason": (
            "Vous recevez cet e-mail parce que vous avez lancé la pétition « {title} »."
        ),
        "reminders_off": "Ne plus recevoir ces rappels pour cette pétition",
        "event_subject": "Demain : {title}",
        "event_eyebrow": "Vous avez dit que vous viendriez",
        "reminder_when": "Quand : {when}",
        "reminder_where": "Où : {place}",
        "reminder_online": "Rejoindre en ligne",
        "event_calendar": "Ajouter à mon agenda",
        "event_reason": (
            "Vous recevez ce rappel parce que vous avez signé la pétition « {title} » "
            "et dit que vous viendriez."
        ),
        "meeting_subject": "Comment s’est passé le rendez-vous ? {title}",
        "meeting_eyebrow": "Vos signataires veulent savoir",
        "meeting_ask": (
            "Votre rendez-vous avec {decision_maker} était prévu le {when}. Racontez aux "
            "signataires comment il s’est passé : ce qui a été dit, promis, et la suite."
        ),
        "meeting_open": "Le raconter",
        "nudges_off_title": "Rappels",
        "nudges_off_question": "Ne plus recevoir les rappels de la pétition « {title} » ?",
        "nudges_off_button": "Arrêter les rappels",
        "nudges_off_done": (
            "C’est fait : vous ne recevrez plus de rappels à propos de la pétition « {title} »."
        ),
    },
}
