"""A valid example of every update type, and the settings and key to render emails offline.

Shared by the unit tests of the emails, the hostile-text property tests and the screenshots.
Examples are validated by the API's own schemas, then stored as publishing stores them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import aws, clock, config, crypto
from mobilise.core.links import SignerRef, confirm_url, nudges_off_url, unsubscribe_url
from mobilise.delivery import breaker, pausing, sending
from mobilise.digests import compose
from mobilise.emails import rendering
from mobilise.moderation import outcome
from mobilise.petitions.schemas import PetitionIn
from mobilise.publishing import releasing, scheduled, updates
from mobilise.publishing.schemas import type_fields, update_in
from mobilise.reminders import events, nudges
from mobilise.table.models import Petition, Signature, Update

PUBLIC_URL = "https://api.mobilise.example"
SITE_URL = "https://mobilise.example"
PHOTOS_URL = "https://photos.mobilise.example"
PETITION_ID = "01HZZZZZZZZZZZZZZZZZZZZZZZ"
UPDATE_ID = "01J0000000000000000000000A"
#: The headers of an update email, in the order they are written.
EXPECTED_HEADERS = [
    "From",
    "To",
    "Subject",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MASTER_KEY = b"emails-test-master-key-0123456789abcdef"

SETTINGS = {
    "TABLE_NAME": "mobilise",
    "PUBLISH_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/publish",
    "DELIVERY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/delivery",
    "SIGNING_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing",
    "SENDER_ADDRESS": "Mobilise <no-reply@mobilise.example>",
    "SES_CONFIGURATION_SET": "mobilise",
    "PUBLIC_BASE_URL": PUBLIC_URL,
    "SITE_URL": SITE_URL,
    "PHOTOS_BASE_URL": PHOTOS_URL,
    "IDEMPOTENCY_TABLE_NAME": "mobilise-idempotency",
}

DECISION_MAKER = {
    "name": "Anne Hidalgo",
    "email": "maire@paris.example",
    "x_handle": "@Anne_Hidalgo",
    "phone": "+33 1 42 76 40 40",
    "facebook_url": "https://www.facebook.com/annehidalgo",
}

#: A valid request body of every type (as a client posts it), and a bit of its block.
EXAMPLES: dict[str, dict[str, Any]] = {
    "news": {"type": "news", "title": "Nous avons 10 000 signatures", "body": "Merci à tous."},
    "press": {
        "type": "press",
        "title": "Le Parisien parle de nous",
        "body": "Un bel article sur notre combat.",
        "article_url": "https://www.leparisien.example/paris/bois-de-vincennes",
        "outlet": "Le Parisien",
        "headline": "Le bois de Vincennes menacé par un parking",
    },
    "event": {
        "type": "event",
        "title": "Rassemblement devant la mairie",
        "body": "Venez nombreux, avec vos pancartes.",
        "kind": "demonstration",
        "starts_at": "2026-12-12T13:30:00Z",
        "ends_at": "2026-12-12T16:00:00Z",
        "time_zone": "Europe/Paris",
        "place": "Place de l’Hôtel-de-Ville, 75004 Paris",
    },
    "decision_maker_meeting": {
        "type": "decision_maker_meeting",
        "title": "Nous avons vu la maire",
        "body": "Une heure d’échange franc.",
        "meeting_status": "held",
        "meeting_at": "2026-11-20T09:00:00Z",
        "time_zone": "Europe/Paris",
        "outcome": "Elle s’engage à suspendre le projet.\n\nUn conseil aura lieu en janvier.",
    },
    "call_to_action": {
        "type": "call_to_action",
        "title": "Écrivez à la maire",
        "body": "Chaque message compte.",
        "channels": ["email", "tweet", "phone", "facebook"],
        "message": "Madame la Maire, sauvez le bois de Vincennes.",
        "subject": "Sauvez le bois",
    },
    "ask_advice": {
        "type": "ask_advice",
        "title": "Connaissez-vous un avocat ?",
        "body": "Nous préparons un recours.",
        "question": "Connaissez-vous un avocat en droit de l’environnement ?",
    },
    "ask_testimony": {
        "type": "ask_testimony",
        "title": "Racontez votre bois",
        "body": "Vos histoires nous aident.",
        "prompt": "Que représente le bois de Vincennes pour vous ?",
    },
    "start_petition": {
        "type": "start_petition",
        "title": "À vous de jouer",
        "body": "Lancez une pétition pour votre quartier.",
        "theme": "Un parc près de chez vous",
    },
    "victory": {"type": "victory", "title": "Victoire !", "body": "Le projet est abandonné."},
}

#: Text each type's block shows, in French (the examples' petition language).
BLOCKS_FR: dict[str, list[str]] = {
    "news": ["Merci à tous."],
    "press": ["Dans la presse · Le Parisien", "Le bois de Vincennes menacé par un parking"],
    "event": [
        "Manifestation",
        "samedi 12 décembre 2026, 14 h 30 – 17 h (fuseau Europe/Paris)",
        "Place de l’Hôtel-de-Ville, 75004 Paris",
        "Ajouter à mon agenda",
        "Dites-nous si vous venez",
    ],
    "decision_maker_meeting": [
        "Rendez-vous tenu",
        "vendredi 20 novembre 2026, 10 h (fuseau Europe/Paris)",
        "Elle s’engage à suspendre le projet.",
    ],
    "call_to_action": [
        "Agissez : Anne Hidalgo",
        "Madame la Maire, sauvez le bois de Vincennes.",
        "Envoyer un e-mail",
        "Publier sur X",
        "Appeler",
        "Écrire sur sa page Facebook",
    ],
    "ask_advice": [
        "Connaissez-vous un avocat en droit de l’environnement ?",
        "Envoyer mon conseil ou un contact",
    ],
    "ask_testimony": [
        "Que représente le bois de Vincennes pour vous ?",
        "Raconter mon histoire",
    ],
    "start_petition": ["Thème proposé :", "Un parc près de chez vous", "Lancer ma pétition"],
    "victory": ["Victoire !", "Partager sur X", "Partager sur Facebook"],
}

#: The share links of an email that shares (press, victory), each a counted action; its
#: ``share_copy`` is written as text, the address to copy, not as a link.
SHARE_LINKS = {
    "share_email",
    "share_x",
    "share_facebook",
    "share_whatsapp",
    "share_telegram",
    "share_bluesky",
    "share_mastodon",
}
#: The counted actions (mobilise.publishing.actions names) and per-recipient links of each example.
BUTTONS: dict[str, set[str]] = {
    "news": set(),
    "press": {"article", *SHARE_LINKS},
    "event": {"calendar", "rsvp"},
    "decision_maker_meeting": set(),
    "call_to_action": {"mailto", "tweet", "tel", "facebook"},
    "ask_advice": {"respond"},
    "ask_testimony": {"respond"},
    "start_petition": {"start_petition"},
    "victory": set(SHARE_LINKS),
}


def use_settings(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> None:
    """The settings of a deployment, from the environment, and a fixed link-signing key."""
    for name, value in {**SETTINGS, **overrides}.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()

    def no_aws() -> None:
        raise AssertionError("an email test reached for Secrets Manager")

    monkeypatch.setattr(aws, "secretsmanager", no_aws)
    monkeypatch.setattr(crypto, "_master_key", functools.cache(lambda: MASTER_KEY))
    crypto.reset()


@contextmanager
def offline(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> Iterator[None]:
    """Emails rendered with :func:`use_settings`, at a fixed time; everything forgotten after."""
    use_settings(monkeypatch, **overrides)
    clock.freeze(NOW)
    try:
        yield
    finally:
        config.get_settings.cache_clear()
        crypto.reset()


def petition(
    *,
    title: str = "Sauvons le bois de Vincennes",
    language: str = "fr",
    decision_maker: dict[str, Any] | None = None,
) -> Petition:
    """A petition item, its fields checked by the API's schema first."""
    checked = PetitionIn.model_validate(
        {
            "title": title,
            "description": "Le bois est à tout le monde.",
            "language": language,
            "decision_maker": decision_maker or DECISION_MAKER,
        }
    )
    return Petition(
        *Petition.key(PETITION_ID),
        petition_id=PETITION_ID,
        owner_id="alice",
        title=checked.title,
        description=checked.description,
        language=checked.language,
        decision_maker=checked.decision_maker.model_dump(mode="json", exclude_none=True),
        created_at=NOW,
    )


def update(body: dict[str, Any], *, photo_url: str | None = None) -> Update:
    """The update item publishing ``body`` would store (the photo as the photos step fills it)."""
    request = update_in.validate_python(body)
    photo = None
    if request.photo is not None:
        photo = {
            "photo_id": request.photo.photo_id,
            "alt": request.photo.alt,
            "url": photo_url or f"{PHOTOS_URL}/{PETITION_ID}/{request.photo.photo_id}.jpg",
        }
    return Update(
        *Update.key(PETITION_ID, UPDATE_ID),
        update_id=UPDATE_ID,
        petition_id=PETITION_ID,
        type=request.type,
        title=request.title,
        body=request.body,
        link=str(request.link) if request.link else None,
        fields=type_fields(request),
        photo=photo,
        status="published",
        created_at=NOW,
        published_at=NOW,
    )


def render(update_type: str, language: str = "fr", /, **changes: Any) -> rendering.Rendered:
    """The example of ``update_type`` (with ``changes``) rendered in ``language``."""
    body = {**EXAMPLES[update_type], **changes}
    return rendering.render_update(petition(), update(body), language)


# Every kind of email, as it leaves the system -----------------------------------------------

STARTER = "alice@example.org"
SIGNER_ADDRESS = "zoe@example.org"
SIGNER = SignerRef(PETITION_ID, "ab" * 32, UPDATE_ID)
PHOTO = {"photo_id": "01J0000000000000000000000B", "alt": "La foule devant la mairie"}
WITH_PHOTO = frozenset({"news", "event", "victory"})
#: A meeting obtained, whose follow-up asks the starter how it went.
MEETING_OBTAINED = {
    **EXAMPLES["decision_maker_meeting"],
    "meeting_status": "obtained",
    "outcome": None,
}


@dataclass(frozen=True)
class Sent:
    """One email as SES receives it, and what it must say on the wire."""

    name: str
    raw: bytes
    subject: str
    to: str
    #: The one-click unsubscribe URL it must carry; None: it must carry none (a test send).
    unsubscribe: str | None


def _sent(
    name: str, rendered: rendering.Rendered, to: str, links: rendering.RecipientLinks
) -> Sent:
    raw = rendering.addressed(rendered, sender=SETTINGS["SENDER_ADDRESS"], to=to, links=links)
    return Sent(name, raw, rendered.subject, to, links.unsubscribe)


def _example(update_type: str, language: str) -> Update:
    photo = {"photo": PHOTO} if update_type in WITH_PHOTO else {}
    return update({**EXAMPLES[update_type], **photo})


def every_email() -> list[Sent]:
    """Every kind of email, in French and English, built by the functions that send them and
    addressed with the links they give (call inside :func:`offline`): each update type, the
    test send, the confirmation, the already-signed note, the nudge, the event reminder, the
    meeting follow-up, the notice of a scheduled update held by the 24-hour rule and the
    outcome of a review."""
    found: list[Sent] = []
    for language in ("fr", "en"):
        the_petition = petition(language=language)
        the_petition.signer_count = 1
        the_petition.owner_email = STARTER
        for update_type in sorted(EXAMPLES):
            rendered = rendering.render_update(the_petition, _example(update_type, language))
            links = sending.recipient_links(SIGNER, rendered)
            found.append(_sent(f"update-{update_type}-{language}", rendered, SIGNER_ADDRESS, links))
        for update_type in ("news", "event", "ask_advice"):
            rendered = updates.test_email(the_petition, _example(update_type, language))
            links = updates.test_links(PETITION_ID)
            found.append(_sent(f"test-send-{update_type}-{language}", rendered, STARTER, links))
        confirmation = rendering.render_confirmation(
            petition_title=the_petition.title,
            confirm_url=confirm_url(SignerRef(PETITION_ID, SIGNER.email_hash)),
            language=language,
        )
        unsubscribe = sending.recipient_links(
            SignerRef(PETITION_ID, SIGNER.email_hash), confirmation
        )
        found.append(_sent(f"confirmation-{language}", confirmation, SIGNER_ADDRESS, unsubscribe))
        stands = rendering.render_already_signed(
            petition_title=the_petition.title, language=language
        )
        unsubscribe = sending.recipient_links(SignerRef(PETITION_ID, SIGNER.email_hash), stands)
        found.append(_sent(f"already-signed-{language}", stands, SIGNER_ADDRESS, unsubscribe))
        ideas = nudges.suggestions(the_petition, ["news"])
        for count, days in ((1, 1), (3, 7), (1_000_000, 30)):
            the_petition.signer_count = count
            nudge = nudges.nudge_email(the_petition, days, ideas)
            off = rendering.RecipientLinks(unsubscribe=nudges_off_url(PETITION_ID))
            found.append(_sent(f"nudge-{count}-{language}", nudge, STARTER, off))
        the_petition.signer_count = 1
        event = events.event_email(the_petition, _example("event", language), language)
        unsubscribe = rendering.RecipientLinks(unsubscribe=unsubscribe_url(SIGNER))
        found.append(_sent(f"event-reminder-{language}", event, SIGNER_ADDRESS, unsubscribe))
        meeting = events.meeting_email(the_petition, update(MEETING_OBTAINED))
        off = rendering.RecipientLinks(unsubscribe=nudges_off_url(PETITION_ID))
        found.append(_sent(f"meeting-followup-{language}", meeting, STARTER, off))
        held = scheduled._notice(the_petition, update(EXAMPLES["news"]), NOW + timedelta(hours=5))
        found.append(_sent(f"scheduled-held-{language}", held, STARTER, releasing.notice_links()))
        for decided in outcome.OUTCOMES:
            told = outcome.notice(the_petition, update(EXAMPLES["news"]), decided)
            found.append(
                _sent(f"review-{decided}-{language}", told, STARTER, releasing.notice_links())
            )
        for reason in pausing.REASONS:
            paused = breaker.notice(the_petition, update(EXAMPLES["news"]), reason, 3)
            found.append(
                _sent(f"paused-{reason}-{language}", paused, STARTER, releasing.notice_links())
            )
        found.append(digest_example(language))
    return found


OTHER_PETITION_ID = "01HZZZZZZZZZZZZZZZZZZZZZZY"
OTHER_UPDATE_ID = "01J0000000000000000000000C"


def digest_example(language: str) -> Sent:
    """A digest in ``language`` of two updates of two petitions: news (with its photo) and an
    event (its RSVP button: a per-recipient link), as the deliver function sends it."""
    first, second = petition(language="fr"), petition(title="Un parc pour Montreuil")
    second.petition_id = OTHER_PETITION_ID
    event = _example("event", language)
    event.petition_id, event.update_id = OTHER_PETITION_ID, OTHER_UPDATE_ID
    sections = [
        compose.Section(first, _example("news", language), signature(PETITION_ID, language)),
        compose.Section(second, event, signature(OTHER_PETITION_ID, language)),
    ]
    built = compose.digest(SIGNER.email_hash, sections)
    leave_all = built.raw.split(b"List-Unsubscribe: <")[1].split(b">")[0].decode()
    return Sent(f"digest-{language}", built.raw, built.subject, built.to, leave_all)


def signature(petition_id: str, language: str) -> Signature:
    return Signature(
        *Signature.key(petition_id, SIGNER.email_hash),
        petition_id=petition_id,
        email=SIGNER_ADDRESS,
        name="Zoé",
        language=language,
        wants_updates=True,
        confirmed_at=NOW,
        created_at=NOW,
    )
