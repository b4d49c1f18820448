"""The starter's email when their update's delivery paused (the circuit breaker): to their
own address, nothing to unsubscribe from, why it paused with the count in the language's
plural, that nothing is lost, and what happens next; in both parts."""

from __future__ import annotations

import email
import email.policy

import pytest

from tests.email_examples import STARTER, Sent

CRLF = b"\r\n"
#: (name, subject, why, what happens) as the starter reads them.
EXPECTED = [
    (
        "paused-complaints-en",
        b"Subject: Your update is paused: Nous avons 10 000 signatures",
        "3 people who received it reported it as spam.",
        "none is lost, and none will go out twice.",
    ),
    (
        "paused-bounces-en",
        b"Subject: Your update is paused: Nous avons 10 000 signatures",
        "3 addresses it was sent to do not exist or refused it for good.",
        "Our team will look at it, then send the rest or stop it",
    ),
    (
        "paused-complaints-fr",
        b"Subject: Votre nouvelle est en pause : Nous avons 10 000 signatures",
        "3 personnes qui l’ont reçue l’ont signalée comme spam.",
        "aucun n’est perdu, aucun ne partira deux fois.",
    ),
    (
        "paused-bounces-fr",
        b"Subject: Votre nouvelle est en pause : Nous avons 10 000 signatures",
        "3 adresses auxquelles elle a été envoyée n’existent pas",
        "Notre équipe va l’examiner, puis envoyer la suite ou l’arrêter",
    ),
]


@pytest.mark.parametrize(("name", "subject", "why", "next_step"), EXPECTED)
def test_the_starter_reads_why_their_update_paused_and_that_nothing_is_lost(
    name: str, subject: bytes, why: str, next_step: str, every_email: dict[str, Sent]
) -> None:
    # Given the email as SES receives it
    raw = every_email[name].raw
    head = raw.partition(CRLF + CRLF)[0] + CRLF

    # Then it goes to the starter, its subject says it paused, with no unsubscribe
    assert f"To: {STARTER}".encode() + CRLF in head
    assert subject + CRLF in head
    assert b"List-Unsubscribe" not in head
    # and both parts, as a reader sees them, say why and what happens next
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    for part in message.iter_parts():
        text = " ".join(part.get_content().split())
        assert why in text
        assert next_step in text
