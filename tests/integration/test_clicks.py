"""GET /r/{token}: the buttons of an update's email count clicks and redirect (issue 4, item 5),
and cannot be made to redirect anywhere else (issue 6: open redirect)."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from mobilise.core import clock, config, crypto, links
from mobilise.core.errors import InvalidLink
from mobilise.core.links import ActionRef, SignerRef
from mobilise.engagement import clicks
from mobilise.engagement import store as engagement_store
from mobilise.publishing import actions
from mobilise.table import items
from mobilise.table.models import Update, connection
from tests.integration.harness import PUBLIC_URL, Mobilise, Reply, running_on_moto

OWNER = "alice"
DECISION_MAKER = {
    "name": "The Mayor",
    "email": "mayor@example.org",
    "x_handle": "@MayorOfParis",
    "phone": "+33 (1) 42-76-40-40",
    "facebook_url": "https://www.facebook.com/mayorofparis",
}
MESSAGE = "Dear Mayor,\nplease keep the woods open.\nThank you."
UNKNOWN_ID = "01JZZZZZZZZZZZZZZZZZZZZZZZ"


def _in_a_week() -> str:
    return clock.isoformat(clock.now() + timedelta(days=7))


#: A valid update of every type, with every button its type can have.
EXAMPLES: dict[str, dict[str, Any]] = {
    "news": {"type": "news", "link": "https://news.example.org/story?id=1"},
    "press": {
        "type": "press",
        "article_url": "https://press.example.org/2026/11/woods",
        "outlet": "Le Quotidien",
        "headline": "The woods will stay open, says the council",
    },
    "event": {
        "type": "event",
        "kind": "online",
        "time_zone": "Europe/Paris",
        "online_url": "https://meet.example.org/woods",
    },
    "decision_maker_meeting": {
        "type": "decision_maker_meeting",
        "meeting_status": "requested",
        "link": "https://news.example.org/meeting",
    },
    "call_to_action": {
        "type": "call_to_action",
        "channels": ["email", "tweet", "phone", "facebook"],
        "message": MESSAGE,
        "subject": "Keep the woods open",
        "tweet_text": "Keep the woods open!",
    },
    "ask_advice": {"type": "ask_advice", "question": "Who should we talk to?"},
    "ask_testimony": {"type": "ask_testimony", "prompt": "What do the woods mean to you?"},
    "start_petition": {"type": "start_petition", "theme": "Parks in my town"},
    "victory": {"type": "victory"},
}


def _petition(mobilise: Mobilise, owner: str = OWNER) -> str:
    return mobilise.create_petition(owner=owner, decision_maker=DECISION_MAKER)


def _publish(mobilise: Mobilise, petition_id: str, owner: str = OWNER, **fields: Any) -> str:
    """Publish, then let a minute pass: people open their email later than scanners do."""
    if fields.get("type") == "event":
        fields = {"starts_at": _in_a_week(), **fields}
    reply = mobilise.publish(petition_id, owner=owner, **fields)
    assert reply.status == 201, reply.text
    update_id: str = reply.json()["update_id"]
    _later()
    return update_id


def _later() -> None:
    """Past the scanner window (of the publication, or of the signer tokens made so far)."""
    clock.advance(clicks.SCANNER_WINDOW.total_seconds() + 30)


def _token(petition_id: str, update_id: str, action: str) -> str:
    url = links.redirect_url(ActionRef(petition_id, update_id, action))
    assert url.startswith(f"{PUBLIC_URL}/r/"), url
    return url.removeprefix(f"{PUBLIC_URL}/r/")


def _click(mobilise: Mobilise, token: str, query: str = "", method: str = "GET") -> Reply:
    return mobilise.request(method, f"/r/{token}{query}", headers={"Accept": "text/html"})


def _stats(mobilise: Mobilise, petition_id: str, update_id: str) -> dict[str, Any]:
    reply = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user=OWNER
    )
    assert reply.status == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def _target(petition_id: str, update_id: str, action: str) -> str:
    return actions.target(
        items.get_petition(petition_id), items.get_update(petition_id, update_id), action
    )


def _with_claims(token: str, **changes: Any) -> str:
    """The token with its payload rewritten and its MAC kept."""
    payload, mac = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    encoded = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return f"{base64.urlsafe_b64encode(encoded).rstrip(b'=').decode()}.{mac}"


def _counters(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [item for item in mobilise.items() if item["sk"].startswith("CLK#")]


# Counting -------------------------------------------------------------------------------------


def test_three_clicks_on_the_mailto_button_and_one_on_the_tweet_button_count_3_and_1(
    mobilise: Mobilise,
) -> None:
    # Given a call to action by email and tweet, to a decision-maker with an address and a handle
    petition_id = _petition(mobilise)
    update_id = _publish(
        mobilise,
        petition_id,
        type="call_to_action",
        channels=["email", "tweet"],
        message=MESSAGE,
        subject="Keep the woods open",
        tweet_text="Keep the woods open!",
    )
    mailto, tweet = (
        _token(petition_id, update_id, "mailto"),
        _token(petition_id, update_id, "tweet"),
    )

    # When the mailto button is followed three times and the tweet button once
    mails = [_click(mobilise, mailto) for _ in range(3)]
    tweeted = _click(mobilise, tweet)

    # Then the owner's statistics count 3 and 1
    assert _stats(mobilise, petition_id, update_id)["clicks"] == {"mailto": 3, "tweet": 1}
    # And each answer is a 302 that nobody caches, to the decision-maker's address...
    for reply in [*mails, tweeted]:
        assert reply.status == 302, reply.text
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
    location = urlsplit(mails[0].headers["Location"])
    assert (location.scheme, location.path) == ("mailto", "mayor@example.org")
    query = parse_qs(location.query)
    assert query["subject"] == ["Keep the woods open"]
    assert query["body"] == [MESSAGE.replace("\n", "\r\n")]
    # ...and to X's intent to post, addressed to the decision-maker's handle
    intent = urlsplit(tweeted.headers["Location"])
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "x.com", "/intent/post")
    assert parse_qs(intent.query)["text"] == ["@MayorOfParis Keep the woods open!"]
    assert tweeted.headers["Location"] == _target(petition_id, update_id, "tweet")


def test_an_update_nobody_clicked_has_no_clicks_and_a_non_event_no_rsvp(
    mobilise: Mobilise,
) -> None:
    # Given a published news update nobody clicked
    petition_id = _petition(mobilise)
    update_id = _publish(mobilise, petition_id, link="https://news.example.org/a")

    # When the owner reads its statistics
    stats = _stats(mobilise, petition_id, update_id)

    # Then there are no clicks, and no RSVP counts (it is not an event)
    assert stats["clicks"] == {}
    assert stats["rsvp"] is None


def test_the_clicks_of_one_update_are_not_counted_on_another(mobilise: Mobilise) -> None:
    # Given two petitions' updates with the same button
    a, b = _petition(mobilise), _petition(mobilise, owner="bob")
    a_update = _publish(mobilise, a, link="https://news.example.org/a")
    b_update = _publish(mobilise, b, owner="bob", link="https://news.example.org/b")

    # When A's button is followed twice and B's once
    for _ in range(2):
        assert _click(mobilise, _token(a, a_update, "link")).status == 302
    assert _click(mobilise, _token(b, b_update, "link")).status == 302

    # Then each owner sees only their own
    assert _stats(mobilise, a, a_update)["clicks"] == {"link": 2}
    reply = mobilise.request("GET", f"/petitions/{b}/updates/{b_update}/stats", user="bob")
    assert reply.json()["clicks"] == {"link": 1}


def test_an_events_statistics_count_its_rsvp_answers(mobilise: Mobilise) -> None:
    # Given an event that three signers said yes to and one said no (the RSVP counters)
    petition_id = _petition(mobilise)
    update_id = _publish(mobilise, petition_id, **EXAMPLES["event"])
    Update(*Update.key(petition_id, update_id)).update(
        actions=[Update.rsvp_yes.add(3), Update.rsvp_no.add(1)]
    )

    # When the owner reads its statistics
    stats = _stats(mobilise, petition_id, update_id)

    # Then they show the answers
    assert stats["rsvp"] == {"yes": 3, "no": 1}


def test_an_event_nobody_answered_shows_zero_rsvp(mobilise: Mobilise) -> None:
    # Given an event nobody answered yet
    petition_id = _petition(mobilise)
    update_id = _publish(mobilise, petition_id, **EXAMPLES["event"])

    # When the owner reads its statistics / Then its RSVP counts are zero, not missing
    assert _stats(mobilise, petition_id, update_id)["rsvp"] == {"yes": 0, "no": 0}


# Where a button may lead ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", EXAMPLES)
def test_every_button_of_every_type_leads_to_its_target_and_only_https_mailto_or_tel(
    mobilise: Mobilise, kind: str
) -> None:
    # Given a published update of the type, with every button its type can have
    petition_id = _petition(mobilise)
    update_id = _publish(mobilise, petition_id, **EXAMPLES[kind])
    buttons = actions.for_update(
        items.get_petition(petition_id), items.get_update(petition_id, update_id)
    )
    if kind not in ("ask_advice", "ask_testimony"):  # their buttons are per signer (responses)
        assert buttons, kind

    # When each button's redirect is followed
    for button in buttons:
        reply = _click(mobilise, _token(petition_id, update_id, button.name))

        # Then it leads where actions.target says, through https:, mailto: or tel: only
        assert reply.status == 302, (button.name, reply.text)
        location = reply.headers["Location"]
        assert location == _target(petition_id, update_id, button.name) == button.url
        assert urlsplit(location).scheme in ("https", "mailto", "tel"), location
    # And each is counted once
    assert _stats(mobilise, petition_id, update_id)["clicks"] == {
        button.name: 1 for button in buttons
    }


def test_a_call_to_action_leads_to_tel_without_punctuation_and_to_the_facebook_page(
    mobilise: Mobilise,
) -> None:
    # Given a call to action on every channel
    petition_id = _petition(mobilise)
    update_id = _publish(mobilise, petition_id, **EXAMPLES["call_to_action"])

    # When the phone and Facebook buttons are followed
    phone = _click(mobilise, _token(petition_id, update_id, "tel"))
    facebook = _click(mobilise, _token(petition_id, update_id, "facebook"))

    # Then they lead to the number, dialable, and to the page
    assert phone.headers["Location"] == "tel:+33142764040"
    assert facebook.headers["Location"] == "https://www.facebook.com/mayorofparis"


@pytest.fixture
def clicked(mobilise: Mobilise) -> dict[str, str]:
    return _clicked(mobilise)


def _clicked(mobilise: Mobilise) -> dict[str, str]:
    """A news update with a link on alice's petition, and bob's petition with one of its own."""
    a, b = _petition(mobilise), _petition(mobilise, owner="bob")
    a_update = _publish(mobilise, a, link="https://news.example.org/a")
    b_update = _publish(mobilise, b, owner="bob", link="https://news.example.org/b")
    return {"a": a, "a_update": a_update, "b": b, "b_update": b_update}


def _refused(mobilise: Mobilise, token: str) -> None:
    """``token`` gets the one page of a bad link, and counts nothing."""
    nobody = _click(mobilise, "not-a-token")
    before = _counters(mobilise)
    reply = _click(mobilise, token)
    assert reply.status == 404, reply.text
    assert "Location" not in reply.headers
    assert (reply.text, reply.headers) == (nobody.text, nobody.headers)
    assert reply.headers["Cache-Control"] == "no-store"
    assert _counters(mobilise) == before


def test_a_genuine_token_for_an_action_the_update_does_not_have_is_a_404(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given genuine tokens naming buttons a news update's email does not have
    # When they are followed / Then each is the page of a bad link, and nothing is counted
    for action in ("mailto", "tweet", "article", "start_petition", "calendar", "evil"):
        _refused(mobilise, _token(clicked["a"], clicked["a_update"], action))


def test_a_genuine_token_for_an_update_that_does_not_exist_is_a_404(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given genuine tokens for an unknown update, an unknown petition, and B's update under A
    _refused(mobilise, _token(clicked["a"], UNKNOWN_ID, "link"))
    _refused(mobilise, _token(UNKNOWN_ID, clicked["a_update"], "link"))
    _refused(mobilise, _token(clicked["a"], clicked["b_update"], "link"))


def test_a_token_signed_for_another_purpose_is_a_404(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given a genuine unsubscribe link and a genuine signer token, carrying the same ids
    signer = SignerRef(clicked["a"], crypto.email_hash("sam@example.org"), clicked["a_update"])
    unsubscribe = links.unsubscribe_url(signer).rsplit("/", 1)[1]
    same_claims = crypto.sign(
        links.UNSUBSCRIBE, {"p": clicked["a"], "u": clicked["a_update"], "a": "link"}
    )

    # When they are followed as redirects / Then each is the page of a bad link
    _refused(mobilise, unsubscribe)
    _refused(mobilise, same_claims)
    _refused(mobilise, links.signer_token(signer))


def test_a_token_with_a_changed_claim_is_a_404(mobilise: Mobilise, clicked: dict[str, str]) -> None:
    # Given a genuine token of A's update's link button
    genuine = _token(clicked["a"], clicked["a_update"], "link")
    assert _click(mobilise, genuine).status == 302

    # When its claims are changed, its MAC kept: the action, the update, the petition
    changed = [
        _with_claims(genuine, a="mailto"),
        _with_claims(genuine, u=clicked["b_update"]),
        _with_claims(genuine, p=clicked["b"], u=clicked["b_update"]),
        _with_claims(genuine, url="https://evil.example"),
    ]

    # Then each is the page of a bad link, and counts nothing
    for token in changed:
        _refused(mobilise, token)
    assert _stats(mobilise, clicked["a"], clicked["a_update"])["clicks"] == {"link": 1}


def test_a_forged_token_is_a_404(mobilise: Mobilise, clicked: dict[str, str]) -> None:
    # Given tokens not made with our key: another key's MAC, no MAC, an empty one, garbage
    claims = {"p": clicked["a"], "u": clicked["a_update"], "a": "link"}
    payload = base64.urlsafe_b64encode(
        json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    ).rstrip(b"=")
    forged = [
        f"{payload.decode()}.{base64.urlsafe_b64encode(b'0' * 16).rstrip(b'=').decode()}",
        payload.decode(),
        f"{payload.decode()}.",
        ".",
        "https%3A%2F%2Fevil.example",
    ]

    # When they are followed / Then each is the page of a bad link
    for token in forged:
        _refused(mobilise, token)


@pytest.mark.parametrize(
    "query",
    [
        "?url=https://evil.example",
        "?next=https://evil.example&redirect=https://evil.example",
        "?target=javascript:alert(1)&to=//evil.example&Location=https://evil.example",
        "?s=https://evil.example",
        "?a=mailto&u=01JZZZZZZZZZZZZZZZZZZZZZZZ&p=x",
        "?url=https%3A%2F%2Fevil.example%0D%0ALocation:%20https://evil.example",
    ],
)
def test_query_parameters_never_change_where_a_button_leads(
    mobilise: Mobilise, clicked: dict[str, str], query: str
) -> None:
    # Given a genuine token of a button
    token = _token(clicked["a"], clicked["a_update"], "link")

    # When it is followed with parameters that try to choose the target
    reply = _click(mobilise, token, query)

    # Then it leads where the update links to, and nowhere else
    assert reply.status == 302, reply.text
    assert reply.headers["Location"] == "https://news.example.org/a"
    assert "evil" not in json.dumps(reply.headers)


@pytest.mark.parametrize("status", ["scheduled", "cancelled"])
def test_a_button_of_an_update_that_was_not_sent_is_a_404(
    mobilise: Mobilise, clicked: dict[str, str], status: str
) -> None:
    # Given an update that is scheduled, or was cancelled: its email did not go out
    Update(*Update.key(clicked["a"], clicked["a_update"])).update(
        actions=[Update.status.set(status)]
    )

    # When its button's redirect is followed / Then it is the page of a bad link, counting nothing
    _refused(mobilise, _token(clicked["a"], clicked["a_update"], "link"))


def test_a_button_still_works_a_year_later(mobilise: Mobilise, clicked: dict[str, str]) -> None:
    # Given a genuine token of a button (emails are read late)
    token = _token(clicked["a"], clicked["a_update"], "link")

    # When it is followed a year later / Then it still leads to its target
    clock.advance(timedelta(days=365).total_seconds())
    assert _click(mobilise, token).headers["Location"] == "https://news.example.org/a"


# Nobody's name on a click ---------------------------------------------------------------------


def _signer_query(petition_id: str, update_id: str, address: str) -> str:
    signer = SignerRef(petition_id, crypto.email_hash(address), update_id)
    return f"?s={links.signer_token(signer)}"


def test_clicks_are_counted_without_anything_per_person_by_default(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given the default settings, and links that carry their recipient's signer token
    assert config.get_settings().per_person_clicks is False
    token = _token(clicked["a"], clicked["a_update"], "link")
    before = {(item["pk"], item["sk"]) for item in mobilise.items()}

    # When two signers follow the button, one of them twice, a minute after their emails
    queries = [
        _signer_query(clicked["a"], clicked["a_update"], address)
        for address in ("sam@example.org", "kim@example.org", "kim@example.org")
    ]
    _later()
    for query in queries:
        assert _click(mobilise, token, query).status == 302

    # Then the only new item is the counter of the button: no hash, no address, no IP
    new = [item for item in mobilise.items() if (item["pk"], item["sk"]) not in before]
    assert new == [
        {"pk": f"PET#{clicked['a']}", "sk": f"CLK#{clicked['a_update']}#link", "clicks": 3}
    ]
    assert not [item for item in mobilise.items() if item["sk"].startswith("CLICKER#")]


@pytest.fixture
def per_person(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    """The system deployed with the template's ``PerPersonClicks`` on."""
    with running_on_moto(parameters={"PerPersonClicks": "true"}) as system:
        assert config.get_settings().per_person_clicks is True
        yield system


@pytest.fixture
def clicked_by_person(per_person: Mobilise) -> dict[str, str]:
    return _clicked(per_person)


def test_with_per_person_clicks_on_each_clicker_is_recorded_by_hash(
    per_person: Mobilise, clicked_by_person: dict[str, str]
) -> None:
    clicked = clicked_by_person
    # Given per-person clicks on, and the button's link as sam's and kim's emails carry it
    token = _token(clicked["a"], clicked["a_update"], "link")
    sam, kim = crypto.email_hash("sam@example.org"), crypto.email_hash("kim@example.org")

    # When, a minute after their emails went out, sam follows it once and kim twice, and
    # someone follows it without a signer token
    sam_query = _signer_query(clicked["a"], clicked["a_update"], "sam@example.org")
    kim_query = _signer_query(clicked["a"], clicked["a_update"], "kim@example.org")
    _later()
    _click(per_person, token, sam_query)
    for _ in range(2):
        _click(per_person, token, kim_query)
    _click(per_person, token)

    # Then the counter has the four clicks, and one item per clicker carries their hash
    assert _stats(per_person, clicked["a"], clicked["a_update"])["clicks"] == {"link": 4}
    clickers = {
        item["email_hash"]: int(item["clicks"])
        for item in per_person.items()
        if item["sk"].startswith("CLICKER#")
    }
    assert clickers == {sam: 1, kim: 2}
    # And erasure finds them through the by_email index
    table = boto3.resource("dynamodb").Table(per_person.stack.refs["Table"])
    found = table.query(
        IndexName="by_email",
        KeyConditionExpression="email_hash = :hash",
        ExpressionAttributeValues={":hash": kim},
    )["Items"]
    assert [item["sk"] for item in found] == [f"CLICKER#{clicked['a_update']}#link#{kim}"]


def test_a_signer_token_of_another_update_or_a_bad_one_records_nobody(
    per_person: Mobilise, clicked_by_person: dict[str, str]
) -> None:
    clicked = clicked_by_person
    # Given per-person clicks on, and signer tokens that do not belong with this button
    token = _token(clicked["a"], clicked["a_update"], "link")
    wrong = [
        _signer_query(clicked["b"], clicked["b_update"], "sam@example.org"),
        "?s=not-a-token",
        "?s=" + links.unsubscribe_url(SignerRef(clicked["a"], "f" * 64)).rsplit("/", 1)[1],
    ]

    # When the button is followed with each, a minute later
    _later()
    for query in wrong:
        assert _click(per_person, token, query).status == 302

    # Then the clicks are counted, and nobody is recorded
    assert _stats(per_person, clicked["a"], clicked["a_update"])["clicks"] == {"link": 3}
    assert not [item for item in per_person.items() if item["sk"].startswith("CLICKER#")]


def test_the_count_itself_is_refused_for_an_update_that_did_not_go_out(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given an update cancelled after its redirect read it (the write's own condition decides)
    Update(*Update.key(clicked["a"], clicked["a_update"])).update(
        actions=[Update.status.set("cancelled")]
    )

    # When its click is counted / Then the one write is refused, and counts nothing
    with pytest.raises(InvalidLink):
        engagement_store.count_click(clicked["a"], clicked["a_update"], "link")
    with pytest.raises(InvalidLink):
        engagement_store.count_click(clicked["a"], UNKNOWN_ID, "link")
    assert _counters(mobilise) == []


def test_a_click_that_meets_a_delivery_writing_its_update_is_counted_all_the_same(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given a click's transaction that DynamoDB cancels once for a conflict on the update item
    # (a delivery message counting its sends writes that item in a transaction of its own)
    conflicts: list[str] = []

    def conflict_once(**_: Any) -> tuple[Any, dict[str, Any]] | None:
        if conflicts:
            return None
        conflicts.append("TransactionConflict")
        error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
        reasons = [{"Code": "TransactionConflict"}, {"Code": "None"}]
        return SimpleNamespace(status_code=400), {
            "Error": error,
            "CancellationReasons": reasons,
        }

    events: Any = connection().client.meta.events  # a before-call handler answers in its place
    events.register("before-call.dynamodb.TransactWriteItems", conflict_once)
    _later()

    # When a person follows the button
    try:
        reply = _click(mobilise, _token(clicked["a"], clicked["a_update"], "link"))
    finally:
        events.unregister("before-call.dynamodb.TransactWriteItems", conflict_once)

    # Then they reach the target, and the click is counted once
    assert conflicts == ["TransactionConflict"]
    assert reply.status == 302, reply.text
    assert _stats(mobilise, clicked["a"], clicked["a_update"])["clicks"] == {"link": 1}


@pytest.mark.parametrize(
    "unsafe",
    [
        "javascript:alert(1)",
        "http://news.example.org/a",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example",
        "https:///no-host",
        "https://news.example.org/a\r\nSet-Cookie: x=1",
    ],
)
def test_the_redirect_checks_the_target_again_whatever_actions_says(
    mobilise: Mobilise,
    clicked: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    unsafe: str,
) -> None:
    # Given a bug that makes actions.target answer an unsafe address
    monkeypatch.setattr(actions, "target", lambda petition, update, name: unsafe)

    # When a genuine button is followed / Then it is the page of a bad link, counting nothing
    _refused(mobilise, _token(clicked["a"], clicked["a_update"], "link"))


# The service's own pages, on the local stack's http origin ------------------------------------

LOCAL_URL = "http://127.0.0.1:3000"  # the local stack's PublicBaseUrl and SiteUrl (make run)


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    """The system deployed as the local stack is: its public address is plain http."""
    with running_on_moto(parameters={"PublicBaseUrl": LOCAL_URL, "SiteUrl": LOCAL_URL}) as system:
        yield system


def _local_token(petition_id: str, update_id: str, action: str) -> str:
    url = links.redirect_url(ActionRef(petition_id, update_id, action))
    assert url.startswith(f"{LOCAL_URL}/r/"), url
    return url.removeprefix(f"{LOCAL_URL}/r/")


@pytest.mark.parametrize(
    ("kind", "action", "target"),
    [
        ("event", "calendar", LOCAL_URL + "/petitions/{petition_id}/updates/{update_id}/event.ics"),
        ("start_petition", "start_petition", LOCAL_URL + "/start?theme=Parks%20in%20my%20town"),
    ],
)
def test_a_button_to_the_services_own_pages_redirects_on_the_local_http_origin(
    local: Mobilise, kind: str, action: str, target: str
) -> None:
    # Given the local stack (http://127.0.0.1:3000), and an update whose button leads to its pages
    petition_id = _petition(local)
    update_id = _publish(local, petition_id, **EXAMPLES[kind])

    # When the button is followed
    reply = _click(local, _local_token(petition_id, update_id, action))

    # Then it is a 302 to the service's own page, over http
    assert reply.status == 302, reply.text
    assert reply.headers["Location"] == target.format(petition_id=petition_id, update_id=update_id)


@pytest.mark.parametrize(
    "foreign",
    [
        "http://news.example.org/a",
        "http://127.0.0.1:3001/petitions",
        "http://localhost:3000/petitions",
        "http://127.0.0.1:3000@evil.example/",
    ],
)
def test_any_other_http_target_is_still_refused_on_the_local_stack(
    local: Mobilise, foreign: str
) -> None:
    # Given the local stack, and an update whose stored link is http elsewhere (an old item)
    petition_id = _petition(local)
    update_id = _publish(local, petition_id, link="https://news.example.org/a")
    Update(*Update.key(petition_id, update_id)).update(actions=[Update.link.set(foreign)])
    before = _counters(local)

    # When its button is followed / Then it is the page of a bad link, counting nothing
    reply = _click(local, _local_token(petition_id, update_id, "link"))
    assert reply.status == 404, reply.text
    assert "Location" not in reply.headers
    assert _counters(local) == before


# What is not a person: HEAD, and mail scanners ----------------------------------------------


def test_a_head_request_gets_the_same_302_and_counts_nothing(
    mobilise: Mobilise, clicked: dict[str, str]
) -> None:
    # Given a genuine button, followed once by a person
    token = _token(clicked["a"], clicked["a_update"], "link")
    person = _click(mobilise, token)
    before = mobilise.items()

    # When a scanner asks HEAD of it, at once and a day later
    heads = [_click(mobilise, token, method="HEAD")]
    clock.advance(timedelta(days=1).total_seconds())
    heads.append(_click(mobilise, token, method="HEAD"))

    # Then each is the GET's 302 to the target, without a body, and nothing is written
    for head in heads:
        assert head.status == 302, head.text
        assert head.headers == person.headers
        assert head.headers["Location"] == "https://news.example.org/a"
        assert head.text == ""
    assert mobilise.items() == before
    stats = _stats(mobilise, clicked["a"], clicked["a_update"])
    assert (stats["clicks"], stats["machine_clicks"]) == ({"link": 1}, {"link": 0})


def test_a_head_request_for_a_bad_link_is_the_page_of_a_bad_link(mobilise: Mobilise) -> None:
    reply = _click(mobilise, "not-a-token", method="HEAD")
    assert reply.status == 404
    assert "Location" not in reply.headers


def _counted_links(mobilise: Mobilise, address: str) -> list[str]:
    """The counted links (``/r/...``, with their query) of the email sent to ``address``."""
    (message,) = [m for m in mobilise.outbox() if address in json.dumps(m["to"])]
    hrefs = re.findall(r'href="https://mobilise\.test(/r/[^"]+)"', message["html"])
    return [html.unescape(href) for href in hrefs]


def _scanned_then_read(mobilise: Mobilise) -> tuple[str, str, list[Reply], Reply]:
    """A call to action on every channel delivered to sam; every counted link of sam's email
    fetched as it is delivered, then one followed by sam a minute later."""
    petition_id = _petition(mobilise)
    assert mobilise.sign(petition_id, "sam@example.org").status == 201
    reply = mobilise.publish(petition_id, owner=OWNER, **EXAMPLES["call_to_action"])
    assert reply.status == 201, reply.text
    update_id = reply.json()["update_id"]
    mobilise.run_queues()
    counted = _counted_links(mobilise, "sam@example.org")
    assert len(counted) == 4, counted  # mailto, tweet, tel, facebook
    scanned = [mobilise.request("GET", href) for href in counted]
    _later()
    read = mobilise.request("GET", counted[0])
    return petition_id, update_id, scanned, read


def test_a_scanner_fetching_every_link_on_delivery_is_redirected_and_counted_apart(
    mobilise: Mobilise,
) -> None:
    # Given a delivered email whose four buttons a scanner fetched as it arrived, and whose
    # first button sam followed a minute later
    petition_id, update_id, scanned, read = _scanned_then_read(mobilise)

    # Then every request was redirected to its button's target
    for reply in [*scanned, read]:
        assert reply.status == 302, reply.text
    assert read.headers["Location"].startswith("mailto:mayor@example.org?")

    # And the starter sees one person's click, and four machine clicks, by button
    stats = _stats(mobilise, petition_id, update_id)
    assert stats["clicks"] == {"mailto": 1, "tweet": 0, "tel": 0, "facebook": 0}
    assert stats["machine_clicks"] == {"mailto": 1, "tweet": 1, "tel": 1, "facebook": 1}


def test_with_per_person_clicks_the_scanner_window_starts_at_the_recipients_own_email(
    per_person: Mobilise,
) -> None:
    # Given an update published an hour ago, and kim's email of it sent only now (a long
    # fan-out, a retry): the link of kim's email names kim, with its own time
    petition_id = _petition(per_person)
    update_id = _publish(per_person, petition_id, link="https://news.example.org/a")
    clock.advance(timedelta(hours=1).total_seconds())
    token = _token(petition_id, update_id, "link")
    kim = _signer_query(petition_id, update_id, "kim@example.org")

    # When kim's scanner follows it 5 seconds later, and an anonymous link is followed then too
    clock.advance(5)
    assert _click(per_person, token, kim).status == 302
    assert _click(per_person, token).status == 302

    # Then kim's is a machine's (5 s after kim's email), the anonymous one a person's (an hour
    # after the update was published)
    stats = _stats(per_person, petition_id, update_id)
    assert (stats["clicks"], stats["machine_clicks"]) == ({"link": 1}, {"link": 1})


def test_with_per_person_clicks_a_burst_over_several_buttons_is_a_machines(
    per_person: Mobilise,
) -> None:
    # Given a press update's three buttons in sam's and kim's emails, sent a while ago
    petition_id = _petition(per_person)
    update_id = _publish(per_person, petition_id, **EXAMPLES["press"])
    sam = _signer_query(petition_id, update_id, "sam@example.org")
    kim = _signer_query(petition_id, update_id, "kim@example.org")
    _later()
    article, share_x, share_facebook = (
        _token(petition_id, update_id, action)
        for action in ("article", "share_x", "share_facebook")
    )

    # When sam's scanner walks the three buttons in one second, hours after the sending...
    _click(per_person, article, sam)
    _click(per_person, share_x, sam)
    clock.advance(1)
    _click(per_person, share_facebook, sam)
    # ...and kim reads the article, then shares it on X a minute later
    _click(per_person, article, kim)
    clock.advance(60)
    _click(per_person, share_x, kim)

    # Then the burst's first click counts as a person's, the two that followed as a machine's;
    # kim's two clicks are a person's
    stats = _stats(per_person, petition_id, update_id)
    assert stats["clicks"] == {"article": 2, "share_x": 1, "share_facebook": 0}
    assert stats["machine_clicks"] == {"article": 0, "share_x": 1, "share_facebook": 1}
