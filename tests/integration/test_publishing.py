"""Publishing every type of update; preview and test send before it; corrections after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.core import clock, crypto
from mobilise.core.errors import Conflict
from mobilise.delivery import store as delivery_store
from mobilise.publishing import updates
from mobilise.publishing.schemas import UPDATE_TYPES, update_in
from mobilise.table.models import Petition, bound
from tests.integration.harness import Mobilise
from tests.integration.ses_faults import refusing_ses, silent_ses
from tests.integration.test_breaker import alarmed, operators, subscribe_operators

T0 = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
REACHABLE = {
    "name": "The Mayor",
    "email": "mayor@example.org",
    "x_handle": "@mayor",
    "phone": "+33 1 23 45 67 89",
    "facebook_url": "https://www.facebook.com/mayor",
}

#: A valid body of each type (the clock is frozen at T0).
EXAMPLES: dict[str, dict[str, Any]] = {
    "news": {},
    "press": {
        "article_url": "https://news.example.org/woods",
        "outlet": "Le Parisien",
        "headline": "The woods stay open",
    },
    "event": {
        "kind": "demonstration",
        "starts_at": "2026-11-28T14:00:00Z",
        "ends_at": "2026-11-28T16:00:00Z",
        "time_zone": "Europe/Paris",
        "place": "Place de la Mairie",
    },
    "decision_maker_meeting": {
        "meeting_status": "obtained",
        "meeting_at": "2026-12-01T10:00:00Z",
        "time_zone": "Europe/Paris",
    },
    "call_to_action": {
        "channels": ["email", "tweet", "phone", "facebook"],
        "message": "Please keep the woods open.",
        "subject": "The woods",
    },
    "ask_advice": {"question": "Who knows a lawyer?"},
    "ask_testimony": {"prompt": "What do the woods mean to you?"},
    "start_petition": {"theme": "Save your local park"},
    "victory": {},
}


def _body(update_type: str, /, **changes: Any) -> dict[str, Any]:
    body = {
        "type": update_type,
        "title": f"A {update_type} update",
        "body": "Some words.",
        **EXAMPLES[update_type],
    }
    for name, value in changes.items():
        if value is _DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


_DROP = object()


def _petition(mobilise: Mobilise, **overrides: Any) -> str:
    return mobilise.create_petition(decision_maker=REACHABLE, **overrides)


def _item(mobilise: Mobilise, pk: str, sk: str) -> dict[str, Any]:
    (found,) = [item for item in mobilise.items() if item["pk"] == pk and item["sk"] == sk]
    return found


def _kinds(mobilise: Mobilise, prefix: str) -> list[dict[str, Any]]:
    return [item for item in mobilise.items() if str(item["sk"]).startswith(prefix)]


def test_the_examples_cover_every_type() -> None:
    assert sorted(EXAMPLES) == sorted(UPDATE_TYPES)


# Typed publish ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", UPDATE_TYPES)
def test_every_type_publishes_with_its_fields(mobilise: Mobilise, kind: str) -> None:
    # Given a petition whose decision-maker is reachable on every channel
    clock.freeze(T0)
    petition_id = _petition(mobilise)

    # When its starter publishes a valid update of this type
    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates", _body(kind), user="alice")

    # Then it is published, with its type's fields shown as details
    assert reply.status == 201, reply.text
    shown = reply.json()
    assert (shown["type"], shown["status"]) == (kind, "published")
    assert shown["published_at"] == "2026-11-24T09:00:00Z"
    expected = {name: value for name, value in EXAMPLES[kind].items()}
    assert shown["details"] == expected
    # And the public page of the update says the same
    page = mobilise.request("GET", f"/petitions/{petition_id}/updates/{shown['update_id']}")
    assert page.json()["details"] == expected
    assert len(_kinds(mobilise, "JOB#")) == 1


#: (type, change to the valid body, the field the 422 must name)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("news", {"title": "x" * 151}, "title"),
    ("news", {"title": _DROP}, "title"),
    ("news", {"body": "   "}, "body"),
    ("news", {"link": "javascript:alert(1)"}, "link"),
    ("news", {"link": "http://example.org/page"}, "link"),
    ("news", {"publish_at": "2026-11-24T08:00:00Z"}, "publish_at"),
    ("news", {"owner_id": "mallory"}, "owner_id"),
    ("news", {"type": "poll"}, "type"),
    ("press", {"article_url": _DROP}, "article_url"),
    ("press", {"article_url": "http://news.example.org/woods"}, "article_url"),
    ("press", {"article_url": "https://192.0.2.7/woods"}, "article_url"),
    ("press", {"article_url": "https://[2001:db8::1]/woods"}, "article_url"),
    ("press", {"article_url": "https://user:secret@news.example.org/"}, "article_url"),
    ("press", {"outlet": "x" * 101}, "outlet"),
    ("press", {"headline": "Two\nlines"}, "headline"),
    ("press", {"paywall": True}, "paywall"),
    ("event", {"kind": "party"}, "kind"),
    ("event", {"starts_at": "2026-11-23T14:00:00Z"}, "starts_at"),
    ("event", {"starts_at": "2026-11-28T14:00:00"}, "starts_at"),
    ("event", {"ends_at": "2026-11-28T13:00:00Z"}, "ends_at"),
    ("event", {"time_zone": "Mars/Olympus"}, "time_zone"),
    ("event", {"place": _DROP}, "place"),
    ("event", {"kind": "online", "place": _DROP}, "online_url"),
    ("event", {"online_url": "https://10.0.0.1/call"}, "online_url"),
    ("event", {"dress_code": "green"}, "dress_code"),
    ("decision_maker_meeting", {"meeting_status": "cancelled"}, "meeting_status"),
    ("decision_maker_meeting", {"meeting_at": _DROP}, "meeting_at"),
    ("decision_maker_meeting", {"time_zone": _DROP}, "time_zone"),
    ("decision_maker_meeting", {"outcome": "She said yes."}, "outcome"),
    ("call_to_action", {"channels": ["fax"]}, "channels"),
    ("call_to_action", {"channels": []}, "channels"),
    ("call_to_action", {"channels": ["email", "email"]}, "channels"),
    ("call_to_action", {"message": _DROP}, "message"),
    ("call_to_action", {"message": "x" * 2001}, "message"),
    ("call_to_action", {"message": "word " * 60}, "tweet_text"),
    ("ask_advice", {"question": _DROP}, "question"),
    ("ask_advice", {"question": "x" * 2001}, "question"),
    ("ask_testimony", {"prompt": _DROP}, "prompt"),
    ("start_petition", {"theme": _DROP}, "theme"),
    ("start_petition", {"theme": "x" * 201}, "theme"),
    ("victory", {"trophy": "cup"}, "trophy"),
]


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    INVALID,
    ids=[f"{kind}-{field}-{index}" for index, (kind, _, field) in enumerate(INVALID)],
)
def test_each_kind_of_invalid_field_is_refused_naming_the_field(
    mobilise: Mobilise, kind: str, change: dict[str, Any], field: str
) -> None:
    # Given a petition, and a valid body of the type with one field made wrong
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    before = mobilise.items()

    # When it is published
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body(kind, **change), user="alice"
    )

    # Then it is a 422 whose message names the field, and nothing is written
    assert reply.status == 422, reply.text
    assert field in reply.json()["error"]["message"], reply.text
    assert mobilise.items() == before


def test_a_call_to_action_on_a_channel_the_decision_maker_lacks_is_refused(
    mobilise: Mobilise,
) -> None:
    # Given a petition whose decision-maker has an email address only
    clock.freeze(T0)
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    # When its starter calls signers to tweet and phone them
    body = _body("call_to_action", channels=["email", "tweet", "phone"])
    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates", body, user="alice")

    # Then it is a 422 naming channels and the missing ones, and nothing is stored
    assert reply.status == 422, reply.text
    error = reply.json()
    assert error["fields"] == [
        {"field": "channels", "message": error["fields"][0]["message"]},
    ]
    assert "tweet, phone" in error["error"]["message"]
    assert mobilise.items() == before
    # And the email channel alone is accepted
    body = _body("call_to_action", channels=["email"])
    accepted = mobilise.request("POST", f"/petitions/{petition_id}/updates", body, user="alice")
    assert accepted.status == 201, accepted.text


def test_a_victory_sets_the_petitions_status_and_closes_signing(mobilise: Mobilise) -> None:
    # Given an open petition with a signer
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    assert mobilise.sign(petition_id, "early@example.org").status == 201

    # When its starter publishes a victory
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("victory"), user="alice"
    )

    # Then the petition shows the victory
    assert reply.status == 201, reply.text
    shown = mobilise.request("GET", f"/petitions/{petition_id}").json()
    assert shown["status"] == "victory"
    # And the signers hear of it
    mobilise.run_queues()
    assert [message["to"] for message in mobilise.outbox()] == [["early@example.org"]]
    # And nobody signs a won petition any more
    assert mobilise.sign(petition_id, "late@example.org").status == 404


def test_a_victory_refused_by_the_24_hour_rule_leaves_the_petition_open(
    mobilise: Mobilise,
) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    assert mobilise.publish(petition_id).status == 201

    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("victory"), user="alice"
    )

    assert reply.status == 429, reply.text
    assert mobilise.request("GET", f"/petitions/{petition_id}").json()["status"] == "open"


def test_publishing_sets_the_next_nudge_and_an_events_reminder(mobilise: Mobilise) -> None:
    # Given a petition
    clock.freeze(T0)
    petition_id = _petition(mobilise)

    # When an event is published
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("event"), user="alice"
    )
    update_id = reply.json()["update_id"]

    # Then its reminder is due 24 hours before it starts
    update = _item(mobilise, f"PET#{petition_id}", f"UPD#{update_id}")
    assert (update["outbox_pk"], update["outbox_sk"]) == ("EVENT", "2026-11-27T14:00:00+00:00")
    # And the starter's next nudge is due 7 days after this update
    petition = _item(mobilise, f"PET#{petition_id}", "PETITION")
    assert (petition["outbox_pk"], petition["outbox_sk"]) == (
        "NUDGE",
        "2026-12-01T09:00:00+00:00",
    )


def test_a_meeting_sets_its_follow_up_and_news_sets_nothing_to_follow(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)

    meeting = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("decision_maker_meeting"), user="alice"
    ).json()["update_id"]
    clock.freeze(T0 + timedelta(days=1))
    news = mobilise.publish(petition_id).json()["update_id"]

    stored = _item(mobilise, f"PET#{petition_id}", f"UPD#{meeting}")
    assert (stored["outbox_pk"], stored["outbox_sk"]) == ("MEETING", "2026-12-01T10:00:00+00:00")
    assert "outbox_pk" not in _item(mobilise, f"PET#{petition_id}", f"UPD#{news}")


def test_the_publish_answer_counts_the_signers_who_will_receive_it(mobilise: Mobilise) -> None:
    # Given 5 signers: 3 want updates, 1 does not, 1 unsubscribed since
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    for index in range(3):
        assert mobilise.sign(petition_id, f"yes{index}@example.org").status == 201
    assert mobilise.sign(petition_id, "no@example.org", wants_updates=False).status == 201
    mobilise.seed_signatures(petition_id, ["gone@example.org"])
    assert mobilise.request("GET", f"/petitions/{petition_id}").status == 200
    delivery_store.unsubscribe(petition_id, crypto.email_hash("gone@example.org"))

    # When the starter publishes
    reply = mobilise.publish(petition_id)

    # Then the answer says 3 will receive it, as the delivery then counts
    assert reply.json()["recipients"] == 3
    mobilise.run_queues()
    assert len(mobilise.outbox()) == 3


# Preview and test send --------------------------------------------------------------------------


def test_a_preview_renders_the_email_and_sends_stores_and_spends_nothing(
    mobilise: Mobilise,
) -> None:
    # Given a petition with two signers
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    for address in ("a@example.org", "b@example.org"):
        assert mobilise.sign(petition_id, address).status == 201
    before = mobilise.items()

    # When its starter previews a press update
    body = _body("press", title="Le Parisien writes about us", body="Read & share <it>.")
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/preview", body, user="alice"
    )

    # Then the email is shown, escaped, with the number it would reach
    assert reply.status == 200, reply.text
    preview = reply.json()
    assert preview["subject"] == "Le Parisien writes about us"
    assert "Read &amp; share &lt;it&gt;." in preview["html"]
    assert "Read & share <it>." in preview["text"]
    assert preview["recipients"] == 2
    assert "mobilise-unsubscribe-url-slot" not in preview["html"] + preview["text"]
    assert "/unsubscribe/" not in preview["html"]
    # And nothing is stored, queued or sent, and the window stays open
    assert mobilise.items() == before
    mobilise.run_queues()
    assert mobilise.outbox() == []
    assert (
        mobilise.request("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
        is None
    )
    assert mobilise.publish(petition_id).status == 201


def test_a_preview_is_validated_as_a_publish_is(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = mobilise.create_petition()

    wrong = _body("press", article_url="http://news.example.org/")
    unreachable = _body("call_to_action", channels=["phone"])
    for body, field in ((wrong, "article_url"), (unreachable, "channels")):
        reply = mobilise.request(
            "POST", f"/petitions/{petition_id}/updates/preview", body, user="alice"
        )
        assert reply.status == 422, reply.text
        assert field in reply.json()["error"]["message"]


def test_a_preview_is_for_the_starter_only(mobilise: Mobilise) -> None:
    petition_id = _petition(mobilise)
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/preview", _body("news"), user="mallory"
    )
    assert reply.status == 403, reply.text


def test_a_test_send_reaches_the_starter_only_and_the_next_publish_still_goes_out(
    mobilise: Mobilise,
) -> None:
    # Given a petition with a signer
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    assert mobilise.sign(petition_id, "signer@example.org").status == 201

    # When its starter sends a test of an update
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/test", _body("ask_advice"), user="alice"
    )
    mobilise.run_queues()

    # Then one email went to the starter's own address, and none to the signer
    assert reply.status == 202, reply.text
    assert reply.json() == {"sent_to": "alice@example.test"}
    (sent,) = mobilise.outbox()
    assert sent["to"] == ["alice@example.test"]
    assert sent["subject"] == "[Test] A ask_advice update"
    # And it is no update: nothing listed, no job, the window open
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"] == []
    assert _kinds(mobilise, "JOB#") == []
    assert _kinds(mobilise, "UPD#") == []
    # And the real publish goes out at once, to the signer
    assert mobilise.publish(petition_id).status == 201
    mobilise.run_queues()
    assert [message["to"] for message in mobilise.outbox()[1:]] == [["signer@example.org"]]


@pytest.mark.parametrize(
    ("code", "status", "answer"),
    [
        ("MessageRejected", 409, "email_refused"),
        ("TooManyRequestsException", 503, "email_unavailable"),
        ("AccessDeniedException", 503, "email_unavailable"),  # ours to fix, not the address's
        ("MailFromDomainNotVerifiedException", 500, "internal_error"),  # the operator's
        ("unreachable", 503, "email_unavailable"),  # no connection to SES: nothing left
    ],
)
def test_a_test_send_ses_refuses_tells_the_starter_why_and_keeps_nothing(
    mobilise: Mobilise, code: str, status: int, answer: str
) -> None:
    # Given a petition
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    path = f"/petitions/{petition_id}/updates/test"
    before = mobilise.items()

    # When SES refuses its test send (for good, or for now), or cannot be reached
    with refusing_ses(code):
        reply = mobilise.request("POST", path, _body("news"), user="alice")

    # Then the starter is told what happened, in words, and when to try again if it may pass
    assert (reply.status, reply.json()["error"]["code"]) == (status, answer), reply.text
    assert "Retry-After" in reply.headers if status == 503 else "Retry-After" not in reply.headers
    # And nothing is sent or kept: the test does not count against the hour's ten
    assert mobilise.outbox() == []
    assert mobilise.items() == before
    assert mobilise.request("POST", path, _body("news"), user="alice").status == 202


@pytest.mark.parametrize("code", ["AccountSendingPausedException", "SendingPausedException"])
def test_a_test_send_while_ses_pauses_the_account_says_so_and_pauses_deliveries(
    mobilise: Mobilise, code: str
) -> None:
    # Given a petition, and the operators listening
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    subscribe_operators(mobilise)

    # When SES refuses its test send because it paused the whole account's sending
    path = f"/petitions/{petition_id}/updates/test"
    with refusing_ses(code):
        reply = mobilise.request("POST", path, _body("news"), user="alice")

    # Then the starter is told, and to come back in an hour (the pause lasts until an
    # operator lifts it), not in a minute; nothing was sent
    assert (reply.status, reply.json()["error"]["code"]) == (503, "email_paused"), reply.text
    assert reply.headers["Retry-After"] == "3600"
    assert mobilise.outbox() == []
    # And, as when a delivery meets it: the account's pause is set (deliveries park rather
    # than fail), and the operators are alerted once
    assert operators(mobilise, "paused")["account"]["code"] == code
    assert alarmed(mobilise) == [{"event": "account sending paused", "code": code}]
    with refusing_ses(code):
        assert mobilise.request("POST", path, _body("news"), user="alice").status == 503
    assert alarmed(mobilise) == []


def test_a_refused_test_send_between_others_does_not_count_against_the_hour(
    mobilise: Mobilise,
) -> None:
    # Given a petition whose starter sent one test, then one SES refused
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    path = f"/petitions/{petition_id}/updates/test"
    assert mobilise.request("POST", path, _body("news"), user="alice").status == 202
    with refusing_ses("TooManyRequestsException"):
        assert mobilise.request("POST", path, _body("news"), user="alice").status == 503

    # When the starter goes on sending tests, then the hour still allows ten that were sent
    assert _ten_more_tests(mobilise, path) == [202] * 9 + [429]
    assert len(mobilise.outbox()) == 10


def _ten_more_tests(mobilise: Mobilise, path: str) -> list[int]:
    """The statuses of ten more test sends."""
    return [mobilise.request("POST", path, _body("news"), user="alice").status for _ in range(10)]


def test_a_test_send_ses_does_not_answer_in_time_counts_against_the_hour(
    mobilise: Mobilise,
) -> None:
    # Given a petition whose starter sends a test that SES takes and does not answer
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    path = f"/petitions/{petition_id}/updates/test"
    with silent_ses() as received:
        reply = mobilise.request("POST", path, _body("news"), user="alice")

    # Then the request reached SES, and the starter is told in time that it may have left
    assert [request.split(b" ", 2)[:2] for request in received] == [
        [b"POST", b"/v2/email/outbound-emails"]
    ]
    assert (reply.status, reply.json()["error"]["code"]) == (504, "email_unconfirmed")
    assert "Retry-After" not in reply.headers
    # And it counts as one of the hour's ten
    assert _ten_more_tests(mobilise, path) == [202] * 9 + [429]


def test_the_ses_client_gives_up_on_a_connection_in_3_s_and_an_answer_in_10_s() -> None:
    """What the SES client's HTTP session is made with (botocore waits 60 s for each)."""
    from mobilise.core import aws

    client: Any = aws.sesv2()
    timeout = client._endpoint.http_session._timeout  # urllib3's, for every request
    assert (timeout.connect_timeout, timeout.read_timeout) == (3, 10)


def test_test_sends_are_limited_to_ten_an_hour_per_petition(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    path = f"/petitions/{petition_id}/updates/test"

    statuses = [
        mobilise.request("POST", path, _body("news"), user="alice").status for _ in range(11)
    ]

    assert statuses == [202] * 10 + [429]
    assert len(mobilise.outbox()) == 10
    clock.freeze(T0 + timedelta(hours=1))
    assert mobilise.request("POST", path, _body("news"), user="alice").status == 202


def test_someone_elses_test_send_sends_nothing(mobilise: Mobilise) -> None:
    petition_id = _petition(mobilise)

    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates/test", _body("news"), user="mallory"
    )

    assert reply.status == 403, reply.text
    assert mobilise.outbox() == []


def test_a_test_send_without_a_verified_address_is_refused(mobilise: Mobilise) -> None:
    # Given a petition whose starter's address is not known (an access token, no email)
    petition_id = _petition(mobilise)
    bound()
    Petition(*Petition.key(petition_id)).update(actions=[Petition.owner_email.remove()])

    # When a test send is asked without a verified address in the token
    with pytest.raises(Conflict) as refused:
        updates.send_test("alice", petition_id, update_in.validate_python(_body("news")), None)

    # Then it is refused, and nothing is sent
    assert refused.value.code == "no_verified_address"
    assert mobilise.outbox() == []


# Corrections ------------------------------------------------------------------------------------


def test_editing_a_published_update_changes_its_page_and_sends_nothing(
    mobilise: Mobilise,
) -> None:
    # Given a published update, delivered to its one signer
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    assert mobilise.sign(petition_id, "signer@example.org").status == 201
    update_id = mobilise.publish(petition_id, title="Hearing on Monday").json()["update_id"]
    mobilise.run_queues()
    petition_before = _item(mobilise, f"PET#{petition_id}", "PETITION")
    jobs_before = _kinds(mobilise, "JOB#")

    # When its starter corrects the title and the text an hour later
    clock.freeze(T0 + timedelta(hours=1))
    reply = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update_id}",
        {"title": "Hearing on Tuesday", "body": "Not Monday: Tuesday, 10 am."},
        user="alice",
    )

    # Then the page shows the correction and when it was made
    assert reply.status == 200, reply.text
    page = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").json()
    assert (page["title"], page["body"]) == ("Hearing on Tuesday", "Not Monday: Tuesday, 10 am.")
    assert page["edited_at"] == "2026-11-24T10:00:00Z"
    assert page["published_at"] == "2026-11-24T09:00:00Z"
    # And no email is sent, no job made, and the petition (its window) is untouched
    mobilise.run_queues()
    assert len(mobilise.outbox()) == 1
    assert _kinds(mobilise, "JOB#") == jobs_before
    assert _item(mobilise, f"PET#{petition_id}", "PETITION") == petition_before


def test_editing_a_type_field_is_validated_as_the_type_is(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    update_id = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("press"), user="alice"
    ).json()["update_id"]
    path = f"/petitions/{petition_id}/updates/{update_id}"

    fixed = mobilise.request("PATCH", path, {"outlet": "Libération"}, user="alice")
    wrong = mobilise.request("PATCH", path, {"article_url": "http://x.example/"}, user="alice")
    moved = mobilise.request(
        "PATCH", path, {"article_url": "https://elsewhere.example/"}, user="alice"
    )

    assert fixed.status == 200, fixed.text
    assert fixed.json()["details"]["outlet"] == "Libération"
    assert fixed.json()["details"]["headline"] == "The woods stay open"
    assert wrong.status == 422
    assert "article_url" in wrong.json()["error"]["message"]
    # The email went out: its buttons (through /r/{token}) keep leading where it said
    assert moved.status == 422, moved.text
    assert "article_url" in moved.json()["error"]["message"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"type": "victory"}, "type"),
        ({"owner_id": "mallory"}, "owner_id"),
        ({"published_at": "2020-01-01T00:00:00Z"}, "published_at"),
        ({"publish_at": "2026-11-30T09:00:00Z"}, "publish_at"),
        ({"title": "x" * 151}, "title"),
        ({"status": "published"}, "status"),
        ({"link": "https://elsewhere.example/"}, "link"),  # the email's button leads there
        ({"photo": {"photo_id": "01JZZZZZZZZZZZZZZZZZZZZZZZ", "alt": "A tree"}}, "photo"),
    ],
)
def test_a_wrong_edit_of_a_published_update_is_refused_naming_the_field(
    mobilise: Mobilise, patch: dict[str, Any], field: str
) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    update_id = mobilise.publish(petition_id).json()["update_id"]
    before = mobilise.items()

    reply = mobilise.request(
        "PATCH", f"/petitions/{petition_id}/updates/{update_id}", patch, user="alice"
    )

    assert reply.status == 422, reply.text
    assert field in reply.json()["error"]["message"]
    assert mobilise.items() == before


def test_a_published_update_cannot_be_cancelled(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    update_id = mobilise.publish(petition_id).json()["update_id"]

    reply = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update_id}",
        {"status": "cancelled"},
        user="alice",
    )

    assert reply.status == 409, reply.text
    assert mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}").status == 200


def test_only_the_starter_edits(mobilise: Mobilise) -> None:
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    update_id = mobilise.publish(petition_id).json()["update_id"]
    before = mobilise.items()

    reply = mobilise.request(
        "PATCH", f"/petitions/{petition_id}/updates/{update_id}", {"title": "Mine"}, user="bob"
    )

    assert reply.status == 403, reply.text
    assert mobilise.items() == before


def test_editing_keeps_the_delivery_counts_and_moves_an_events_reminder(
    mobilise: Mobilise,
) -> None:
    # Given an event delivered to its one signer
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    assert mobilise.sign(petition_id, "signer@example.org").status == 201
    update_id = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("event"), user="alice"
    ).json()["update_id"]
    mobilise.run_queues()
    path = f"/petitions/{petition_id}/updates/{update_id}"

    # When the event is moved a day later
    moved = mobilise.request(
        "PATCH",
        path,
        {"starts_at": "2026-11-29T14:00:00Z", "ends_at": "2026-11-29T16:00:00Z"},
        user="alice",
    )

    # Then its reminder follows it, and the delivery counts are kept
    assert moved.status == 200, moved.text
    stored = _item(mobilise, f"PET#{petition_id}", f"UPD#{update_id}")
    assert (stored["outbox_pk"], stored["outbox_sk"]) == ("EVENT", "2026-11-28T14:00:00+00:00")
    stats = mobilise.request("GET", f"{path}/stats", user="alice").json()
    assert (stats["recipients"], stats["sent"]) == (1, 1)
    assert len(mobilise.outbox()) == 1


def test_an_event_that_has_started_can_still_be_corrected_but_not_moved_into_the_past(
    mobilise: Mobilise,
) -> None:
    # Given an event published before it started, and the clock after its start
    clock.freeze(T0)
    petition_id = _petition(mobilise)
    update_id = mobilise.request(
        "POST", f"/petitions/{petition_id}/updates", _body("event"), user="alice"
    ).json()["update_id"]
    clock.freeze(datetime(2026, 11, 28, 15, 0, tzinfo=UTC))
    path = f"/petitions/{petition_id}/updates/{update_id}"

    # When its title is corrected, then its start is set to a past time
    corrected = mobilise.request("PATCH", path, {"title": "We were 2,000"}, user="alice")
    moved = mobilise.request("PATCH", path, {"starts_at": "2026-11-27T14:00:00Z"}, user="alice")

    # Then the correction is taken (its stored start is not checked again), the move is not
    assert corrected.status == 200, corrected.text
    assert corrected.json()["details"]["starts_at"] == "2026-11-28T14:00:00Z"
    assert moved.status == 422, moved.text
    assert "starts_at" in moved.json()["error"]["message"]
