"""The words around the starter's text (footer, buttons, dates) are in the language the signer
chose when signing, the starter's text as written: in an update's email, and in a digest."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

from mobilise.core import clock, crypto
from mobilise.delivery.messages import DigestMessage
from mobilise.digests import admission, sending
from mobilise_local import outbox
from tests.integration.harness import Mobilise

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
#: The starter's words, written in English on an English petition.
TITLE = "Rally at the town hall"
BODY = "Bring your banners and your neighbours."
PLACE = "Town hall square"
EVENT = {
    "type": "event",
    "title": TITLE,
    "body": BODY,
    "kind": "demonstration",
    "starts_at": "2026-12-12T13:30:00Z",
    "ends_at": "2026-12-12T16:00:00Z",
    "time_zone": "Europe/Paris",
    "place": PLACE,
}
#: What surrounds them, in each language.
WORDS = {
    "fr": [
        "Vous recevez cet e-mail parce que vous avez signé la pétition",
        "Ne plus recevoir les nouvelles de cette pétition",
        "Dites-nous si vous venez",
        "Ajouter à mon agenda",
        "samedi 12 décembre 2026, 14 h 30",
    ],
    "en": [
        "You are receiving this email because you signed the petition",
        "Stop receiving updates from this petition",
        "Tell us if you are coming",
        "Add to my calendar",
        "Saturday 12 December 2026, 2:30 pm",
    ],
}


def _read(mobilise: Mobilise, address: str) -> list[tuple[str, str]]:
    """The text and HTML of each email sent to ``address``, read from the raw MIME SES got."""
    found = []
    for sent in mobilise.outbox():
        if address not in sent["to"]:
            continue
        raw = outbox.raw("eu-west-1", sent["message_id"])
        assert raw is not None
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        plain, html = (str(part.get_content()) for part in message.iter_parts())
        found.append((plain.replace("\r\n", "\n"), html))
    return found


#: A digest's own words around its sections.
DIGEST_WORDS = {
    "fr": [
        "Vous recevez cet e-mail parce que vous avez signé ces pétitions",
        *WORDS["fr"][1:],
        "Nous vous envoyons au plus un e-mail de nouvelles par jour",
    ],
    "en": [
        "You are receiving this email because you signed these petitions",
        *WORDS["en"][1:],
        "We send you at most one update email a day",
    ],
}


def _in(language: str, part: str, words_of: dict[str, list[str]] = WORDS) -> None:
    for words in words_of[language]:
        assert words in part, f"{words!r} missing ({language})"
    other = "en" if language == "fr" else "fr"
    for words in words_of[other]:
        assert words not in part, f"{words!r} present ({other})"
    for written in (TITLE, BODY, PLACE):
        assert written in part


def test_update_email_is_worded_in_the_language_each_signer_chose_and_the_text_as_written(
    mobilise: Mobilise,
) -> None:
    # Given an English petition signed by Léa in French and by Sam in English
    clock.freeze(T0)
    petition_id = mobilise.create_petition(language="en")
    assert mobilise.sign(petition_id, "lea@example.org", language="fr").status == 201
    assert mobilise.sign(petition_id, "sam@example.org", language="en").status == 201

    # When its starter publishes an event, written in English
    assert mobilise.publish(petition_id, **EVENT).status == 201
    mobilise.run_queues()

    # Then Léa's email is worded in French around the starter's English, and Sam's in English
    ((lea_text, lea_html),) = _read(mobilise, "lea@example.org")
    ((sam_text, sam_html),) = _read(mobilise, "sam@example.org")
    for part in (lea_text, lea_html):
        _in("fr", part)
    for part in (sam_text, sam_html):
        _in("en", part)
    assert '<html lang="fr">' in lea_html


def test_digest_is_worded_in_the_language_the_person_chose_and_the_text_as_written(
    mobilise: Mobilise,
) -> None:
    # Given Léa signed three English petitions in French, each with an event written in
    # English; the first reached her, the two others wait in her digest
    clock.freeze(T0)
    lea = crypto.email_hash("lea@example.org")
    waiting = []
    for index in range(3):
        clock.advance(60)
        petition_id = mobilise.create_petition(owner=f"starter{index}", language="en")
        assert mobilise.sign(petition_id, "lea@example.org", language="fr").status == 201
        published = mobilise.publish(petition_id, owner=f"starter{index}", **EVENT)
        assert published.status == 201, published.text
        update_id = published.json()["update_id"]
        if admission.admit(petition_id, update_id, lea):
            continue
        waiting.append(update_id)
    assert len(waiting) == 2
    before = len(_read(mobilise, "lea@example.org"))

    # When her digest is sent, her day passed
    clock.advance(timedelta(hours=24).total_seconds())
    sending.deliver_digest(DigestMessage(email_hash=lea))

    # Then it is worded in French around the starters' English, each section's block too
    ((text, html),) = _read(mobilise, "lea@example.org")[before:]
    for part in (text, html):
        _in("fr", part, DIGEST_WORDS)
        assert part.count("Dites-nous si vous venez") == 2
        assert part.count(BODY) == 2
    assert '<html lang="fr">' in html
