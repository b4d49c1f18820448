"""From a token to emails in the outbox, over HTTP only, as a client would."""

from __future__ import annotations

from tests.e2e.conftest import Client

PETITION = {
    "title": "Un passage piéton devant l'école Jules-Ferry",
    "description": "Les enfants traversent une route à 50 km/h.",
    "language": "fr",
    "decision_maker": {"name": "Mme la Maire", "x_handle": "@mairie"},
}


def test_publish_reach_signers_unsubscribe_and_publish_again(stack: Client) -> None:
    # Given two starters and a petition of Alice's signed by 30 people, one without consent
    alice, bob = stack.token("alice"), stack.token("bob")
    petition_id = stack.create_petition(PETITION, token=alice)
    stack.sign_and_confirm(
        petition_id,
        [
            {
                "email": f"signer{index}@example.org",
                "name": f"Signer {index}",
                "wants_updates": index != 0,
            }
            for index in range(30)
        ],
    )
    assert stack.call("GET", f"/petitions/{petition_id}").json()["signer_count"] == 30

    # When Alice publishes an update
    first = {"title": "Réunion avec la mairie jeudi", "body": "Nous serons reçus à 18 h."}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", first, token=alice)
    assert published.status == 201, published.body
    stack.drain()

    # Then the 29 who agreed get one email each, with one-click unsubscribe and the update
    emails = [e for e in stack.outbox() if e["subject"] == "Réunion avec la mairie jeudi"]
    assert len(emails) == 29
    assert len({address for email in emails for address in email["to"]}) == 29
    assert not any("signer0@" in email["to"][0] for email in emails)
    for email in emails:
        assert email["headers"]["List-Unsubscribe"].startswith(f"<{stack.base}/unsubscribe/")
        assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Réunion avec la mairie jeudi" in email["html"]
        assert email["subject"] == "Réunion avec la mairie jeudi"

    # And a second update the same day is refused with when to come back
    again = stack.call("POST", f"/petitions/{petition_id}/updates", first, token=alice)
    assert again.status == 429
    assert 86_000 < int(again.headers["Retry-After"]) <= 86_400
    assert again.json()["next_update_allowed_at"].endswith("Z")

    # When a day passes and one signer unsubscribes with the one-click POST
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 86_400}).status == 200
    leaving = next(email for email in emails if "signer7@" in email["to"][0])
    unsubscribe_url = leaving["headers"]["List-Unsubscribe"].strip("<>")
    unsubscribed = stack.call("POST", unsubscribe_url, form="List-Unsubscribe=One-Click")
    assert unsubscribed.status == 200
    assert "Location" not in unsubscribed.headers

    # Then the next update reaches the 28 others
    second = {"title": "Nous avons été reçus", "body": "Compte rendu dans la semaine."}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", second, token=alice)
    assert published.status == 201, published.body
    stack.drain()
    new = [email for email in stack.outbox() if email["subject"] == "Nous avons été reçus"]
    assert len(new) == 28
    assert not any("signer7@" in email["to"][0] for email in new)

    # And Bob cannot publish on Alice's petition, nor can anyone without a token
    forbidden = stack.call("POST", f"/petitions/{petition_id}/updates", second, token=bob)
    assert forbidden.status == 403
    assert forbidden.json()["error"]["code"] == "forbidden"
    anonymous = stack.call("POST", f"/petitions/{petition_id}/updates", second)
    assert anonymous.status == 401


def test_a_forged_token_is_refused_by_the_authorizer(stack: Client) -> None:
    token = stack.token("carol")
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"

    answer = stack.call("POST", "/petitions", PETITION, token=forged)

    assert answer.status == 401
    assert answer.json()["error"]["code"] == "unauthorized"


def test_an_email_can_be_read_as_a_page(stack: Client) -> None:
    token = stack.token("dora")
    petition_id = stack.call("POST", "/petitions", PETITION, token=token).json()["petition_id"]
    stack.sign_and_confirm(
        petition_id, [{"email": "reader@example.org", "name": "Reader", "wants_updates": True}]
    )
    stack.call(
        "POST",
        f"/petitions/{petition_id}/updates",
        {"title": "Une page lisible", "body": "Bonjour."},
        token=token,
    )
    stack.drain()
    (email,) = [e for e in stack.outbox() if e["subject"] == "Une page lisible"]

    page = stack.call("GET", f"/_local/outbox/{email['message_id']}")

    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert b"Une page lisible" in page.body
