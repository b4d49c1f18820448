"""Bad input: a 4xx a person understands, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.harness import Mobilise

PETITION = {
    "title": "Save the library",
    "description": "Our library closes in March.",
    "language": "fr",
    "decision_maker": {"name": "The council"},
}
UPDATE = {"title": "Hearing on Monday", "body": "Come and listen."}


def _without(document: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != field}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PETITION, "owner_id": "mallory"}, "owner_id"),
        ({**PETITION, "status": "victory"}, "status"),
        ({**PETITION, "signer_count": 1_000_000}, "signer_count"),
        ({**PETITION, "last_update_at": "2020-01-01T00:00:00Z"}, "last_update_at"),
        (_without(PETITION, "title"), "title"),
        (_without(PETITION, "decision_maker"), "decision_maker"),
        ({**PETITION, "title": "x" * 201}, "title"),
        ({**PETITION, "title": "   "}, "title"),
        ({**PETITION, "title": "Two\r\nlines"}, "title"),
        ({**PETITION, "language": "de"}, "language"),
        ({**PETITION, "decision_maker": {"name": "M", "email": "not-an-email"}}, "email"),
        (
            {**PETITION, "decision_maker": {"name": "M", "facebook_url": "http://fb.com/x"}},
            "facebook_url",
        ),
        ({**PETITION, "decision_maker": {"name": "M", "owner": "x"}}, "owner"),
    ],
)
def test_a_petition_with_a_bad_field_is_refused_naming_the_field(
    mobilise: Mobilise, body: dict[str, Any], field: str
) -> None:
    before = mobilise.items()

    reply = mobilise.request("POST", "/petitions", body, user="alice")

    assert reply.status == 422, reply.text
    assert reply.json()["error"]["code"] == "validation_error"
    assert field in reply.json()["error"]["message"]
    assert mobilise.items() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**UPDATE, "owner_id": "alice"}, "owner_id"),
        ({**UPDATE, "last_update_at": "2020-01-01T00:00:00Z"}, "last_update_at"),
        ({**UPDATE, "status": "sent"}, "status"),
        (_without(UPDATE, "body"), "body"),
        ({**UPDATE, "title": "t" * 151}, "title"),
        ({**UPDATE, "body": "b" * 20_001}, "body"),
        ({**UPDATE, "link": "javascript:alert(1)"}, "link"),
        ({**UPDATE, "link": "http://example.org/article"}, "link"),
        ({**UPDATE, "link": "https://user:secret@example.org/"}, "link"),
        ({**UPDATE, "type": "gossip"}, "type"),
    ],
)
def test_an_update_with_a_bad_field_is_refused_and_the_window_stays_open(
    mobilise: Mobilise, body: dict[str, Any], field: str
) -> None:
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates", body, user="alice")

    assert reply.status == 422, reply.text
    assert field in reply.json()["error"]["message"]
    assert mobilise.items() == before
    assert mobilise.publish(petition_id).status == 201


@pytest.mark.parametrize("kind", ["poem", "", "NEWS", 5, None, ["news"], {"type": "news"}])
@pytest.mark.parametrize("route", ["updates", "updates/preview", "updates/test"])
def test_an_unknown_update_type_is_a_422_that_names_type_and_not_body(
    mobilise: Mobilise, kind: Any, route: str
) -> None:
    # Given a petition, and an update whose type is not one of the typology's
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    # When it is published, previewed or sent as a test
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/{route}", {**UPDATE, "type": kind}, user="alice"
    )

    # Then the 422 names the field `type` (the update's `body` is fine), and lists the types
    assert reply.status == 422, reply.text
    error = reply.json()
    assert [field["field"] for field in error["fields"]] == ["type"], reply.text
    assert error["fields"][0]["message"].startswith("must be one of news, press, event"), reply.text
    assert error["error"]["message"].startswith("type: must be one of news, press"), reply.text
    assert mobilise.items() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "name": "N", "wants_updates": True}, "email"),
        ({"email": "a@example.org", "name": "N"}, "wants_updates"),
        ({"email": "a@example.org", "name": "N", "wants_updates": "yes"}, "wants_updates"),
        ({"email": "a@example.org", "name": "N" * 101, "wants_updates": True}, "name"),
        (
            {"email": "a@example.org", "name": "N", "wants_updates": True, "confirmed_at": "x"},
            "confirmed_at",
        ),
    ],
)
def test_a_signature_with_a_bad_field_is_refused(
    mobilise: Mobilise, body: dict[str, Any], field: str
) -> None:
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    reply = mobilise.request("POST", f"/petitions/{petition_id}/signatures", body)

    assert reply.status == 422, reply.text
    assert field in reply.json()["error"]["message"]
    assert mobilise.items() == before


def test_malformed_json_is_a_400(mobilise: Mobilise) -> None:
    before = mobilise.items()

    reply = mobilise.request("POST", "/petitions", raw='{"title": "unfinished', user="alice")

    assert reply.status == 400
    assert reply.json()["error"] == {
        "code": "invalid_json",
        "message": "The request body is not valid JSON.",
    }
    assert mobilise.items() == before


def test_a_body_that_is_not_utf8_is_a_400(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    reply = mobilise.request("POST", f"/petitions/{petition_id}/signatures", raw=b"\xd8\x01")

    assert reply.status == 400
    assert reply.json()["error"]["code"] == "invalid_json"
    assert mobilise.items() == before


def test_a_body_that_is_not_json_is_a_415(mobilise: Mobilise) -> None:
    reply = mobilise.request(
        "POST",
        "/petitions",
        raw="title=x",
        user="alice",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert reply.status == 415
    assert "application/json" in reply.json()["error"]["message"]


def test_an_oversized_body_is_a_413(mobilise: Mobilise) -> None:
    reply = mobilise.request(
        "POST", "/petitions", {**PETITION, "description": "d" * 70_000}, user="alice"
    )

    assert reply.status == 413
    assert reply.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/petitions/01JZZZZZZZZZZZZZZZZZZZZZZZ", None),
        ("GET", "/petitions/not-an-id", None),
        (
            "POST",
            "/petitions/01JZZZZZZZZZZZZZZZZZZZZZZZ/signatures",
            {"email": "a@example.org", "name": "N", "wants_updates": True},
        ),
        ("POST", "/petitions/01JZZZZZZZZZZZZZZZZZZZZZZZ/updates", UPDATE),
        ("GET", "/petitions/01JZZZZZZZZZZZZZZZZZZZZZZZ/updates", None),
    ],
)
def test_an_unknown_petition_is_a_404(
    mobilise: Mobilise, method: str, path: str, body: Any
) -> None:
    before = mobilise.items()

    reply = mobilise.request(method, path, body, user="alice")

    assert reply.status == 404
    assert reply.json()["error"]["code"] == "not_found"
    assert mobilise.items() == before


def test_an_owner_route_without_a_token_is_a_401(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    for path, body in (("/petitions", PETITION), (f"/petitions/{petition_id}/updates", UPDATE)):
        reply = mobilise.request("POST", path, body)
        assert reply.status == 401
        assert reply.json()["error"]["code"] == "unauthorized"


def test_a_route_that_does_not_exist_is_a_404_in_the_error_shape(mobilise: Mobilise) -> None:
    reply = mobilise.request("DELETE", "/petitions")

    assert reply.status == 404
    assert reply.json()["error"]["code"] == "not_found"
