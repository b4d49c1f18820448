"""The decision-maker's answer over HTTP (the template's gateway, the api function, moto):
the petition emailed to its decision-maker, their page, their answer published on the
petition's page and sent to the signers as a ``decision_maker_response`` update outside the
starter's 24-hour window, the starter told; edits, the weekly rule, the rate limit, and
the one 404 page of every bad link."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default
from urllib.parse import urlencode

import pytest

from mobilise.answers import flow
from mobilise.core import clock, config
from tests.integration.harness import Mobilise, Reply, at_once, running_on_moto
from tests.integration.ses_faults import refusing_ses, silent_ses
from tests.integration.test_breaker import alarmed, subscribe_operators
from tests.integration.test_signatures import _raw_to, _text

MORNING = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
DECISION_MAKER = "mayor@example.org"
STARTER = "alice@example.test"  # the local authorizer's verified address of alice
ANSWER = {
    "stance": "disagree",
    "text": "We <b>cannot</b> keep it open.\n\nThe budget & the law forbid it.",
    "name": "Anne <Hidalgo>",
    "role": "Mayor of Paris",
}
SITE = "https://mobilise.bench"  # SiteUrl: where the pages are (the distribution's origin)
LINK = re.compile(re.escape(SITE) + r"(/p/\w+/answer/[\w.-]+)")


@pytest.fixture
def mobilise() -> Iterator[Mobilise]:
    """The answer is an update: a signer who had the starter's update that day would find it
    in their next digest (one update email a day per person, tests/integration/
    test_daily_cap.py). These tests follow each email as it is sent: the cap is off."""
    with running_on_moto(parameters={"SignerDailyCap": "false"}) as system:
        yield system


@pytest.fixture(autouse=True)
def _morning() -> None:
    clock.freeze(MORNING)


def _send(mobilise: Mobilise, petition_id: str, owner: str = "alice") -> Reply:
    return mobilise.request("POST", f"/petitions/{petition_id}/decision-maker/requests", user=owner)


def _post(mobilise: Mobilise, path: str, fields: dict[str, str]) -> Reply:
    return mobilise.request("POST", path, raw=urlencode(fields), headers=FORM)


def _header(raw: bytes, name: bytes) -> bytes:
    """A header's value as its bytes say, unfolded (RFC 5322: CRLF + space is a space)."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    found = re.search(rb"^" + name + rb": *(.*)$", head, re.M)
    assert found, head
    return found.group(1).rstrip(b"\r")


def _html(raw: bytes) -> str:
    part = email.message_from_bytes(raw, policy=default).get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _petition_with_signers(mobilise: Mobilise, *signers: str) -> str:
    petition_id = mobilise.create_petition()
    for address in signers:
        assert mobilise.sign(petition_id, address).status == 201
    return petition_id


def _sent_link(mobilise: Mobilise, petition_id: str) -> str:
    """Send the petition to its decision-maker; the path of the link their email carries."""
    reply = _send(mobilise, petition_id)
    assert reply.status == 202, reply.text
    (raw,) = _raw_to(DECISION_MAKER)[-1:]
    found = LINK.search(_text(raw))
    assert found, _text(raw)
    return found.group(1)


def _page_answer(page: str) -> str:
    found = re.search(r'<section class="answer".*?</section>', page, re.S)
    assert found, page
    return found.group(0)


# End to end ------------------------------------------------------------------------------------


def test_the_answer_goes_from_the_decision_makers_email_to_the_signers_and_the_petition_page(
    mobilise: Mobilise,
) -> None:
    # Given a petition with two signers whose starter published an update an hour ago (the
    # window taken)
    clock.freeze(MORNING - timedelta(hours=1))
    petition_id = _petition_with_signers(mobilise, "ann@example.org", "bob@example.org")
    published = mobilise.publish(petition_id, title="The council meets on Monday")
    assert published.status == 201, published.text
    mobilise.run_queues()
    clock.freeze(MORNING)
    window = mobilise.request("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
    assert window is not None

    # When the starter sends the petition to its decision-maker
    reply = _send(mobilise, petition_id)

    # Then the answer says where it went and when the next sending is allowed
    assert reply.status == 202, reply.text
    sent = reply.json()
    assert sent["sent_to"] == DECISION_MAKER
    assert sent["next_sending_allowed_at"] == "2026-12-11T09:00:00Z"
    assert sent["link_expires_at"] == "2027-01-03T09:00:00Z"
    assert sent["answered_at"] is None
    # And the decision-maker got one email, as SES received it: to them alone, no unsubscribe
    (raw,) = _raw_to(DECISION_MAKER)
    assert b"\r\nTo: mayor@example.org\r\n" in raw
    assert b"List-Unsubscribe" not in raw
    assert (
        _header(raw, b"Subject")
        == b"A petition of 2 signers asks for your answer: Save the Bois de Vincennes"
    )
    text = _text(raw)
    assert "The Mayor: 2 people signed this petition addressed to you." in text
    assert "> Keep the woods open to everyone." in text
    update_page = f"{SITE}/p/{petition_id}/updates/{published.json()['update_id']}"
    assert f"- The council meets on Monday (Friday 4 December 2026): {update_page}" in text
    link = LINK.search(text)
    assert link
    assert f'href="{SITE}{link.group(1)}"' in _html(raw)

    # When the decision-maker follows the link
    path = link.group(1)
    page = mobilise.request("GET", path)

    # Then the page shows the petition and the form, kept by no cache
    assert page.status == 200, page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "<h1>Save the Bois de Vincennes</h1>" in page.text
    assert '<form method="post"' in page.text
    assert mobilise.request("GET", path).text == page.text  # showing it changed nothing

    # When they answer
    answered = _post(mobilise, path, ANSWER)

    # Then the page thanks them and shows their answer, escaped
    assert answered.status == 200, answered.text
    assert "Thank you for your answer" in answered.text
    assert "We &lt;b&gt;cannot&lt;/b&gt; keep it open." in answered.text
    assert "— Anne &lt;Hidalgo&gt;, Mayor of Paris" in answered.text
    assert "until Friday 18 December 2026" in answered.text
    # And the petition's page shows it
    petition_page = mobilise.request("GET", f"/p/{petition_id}").text
    block = _page_answer(petition_page)
    assert "Disagrees with the petition" in block
    assert "<blockquote><p>We &lt;b&gt;cannot&lt;/b&gt; keep it open.</p>" in block
    assert "<p>The budget &amp; the law forbid it.</p></blockquote>" in block
    assert "<b>" not in block
    # And the starter's window is untouched (the answer went out all the same)
    after = mobilise.request("GET", f"/petitions/{petition_id}").json()
    assert after["next_update_allowed_at"] == window
    listed = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    response = listed[0]
    assert response["type"] == "decision_maker_response"
    assert response["title"] == "Anne <Hidalgo> answered the petition"
    assert response["details"]["stance"] == "disagree"

    # When the delivery runs
    mobilise.run_queues()

    # Then each signer gets the answer in its update's email, quoted and escaped
    for address in ("ann@example.org", "bob@example.org"):
        raws = _raw_to(address)
        assert len(raws) == 2  # the starter's update, then the answer
        answer_email = raws[-1]
        assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in answer_email
        signer_text = _text(answer_email)
        assert "== The decision-maker’s answer ==" in signer_text
        assert "Disagrees with the petition" in signer_text
        quoted = "> We <b>cannot</b> keep it open.\r\n>\r\n> The budget & the law forbid it.\r\n"
        assert quoted + "— Anne <Hidalgo>, Mayor of Paris\r\n\r\n" in signer_text
        signer_html = _html(answer_email)
        assert "We &lt;b&gt;cannot&lt;/b&gt; keep it open." in signer_html
        assert "<b>cannot" not in signer_html
    # And the starter is told, once
    (told,) = _raw_to(STARTER)
    assert (
        _header(told, b"Subject")
        == b"Anne <Hidalgo> answered your petition: Save the Bois de Vincennes"
    )
    starter_text = _text(told)
    assert "> We <b>cannot</b> keep it open." in starter_text
    assert f"{SITE}/p/{petition_id}/updates/{response['update_id']}" in (starter_text)
    # And the statistics of the answer's update add up
    stats = mobilise.request(
        "GET", f"/petitions/{petition_id}/updates/{response['update_id']}/stats", user="alice"
    ).json()
    assert (stats["state"], stats["recipients"], stats["sent"]) == ("sent", 2, 2)
    # And the starter sees it answered
    seen = mobilise.request(
        "GET", f"/petitions/{petition_id}/decision-maker/requests", user="alice"
    ).json()
    assert seen["decision_maker_email"] == DECISION_MAKER
    assert seen["next_sending_allowed_at"] == "2026-12-11T09:00:00Z"
    (sending,) = seen["sendings"]
    assert sending["answered_at"] == "2026-12-04T09:00:00Z"
    assert sending["update_id"] == response["update_id"]
    assert sending["editable_until"] == "2026-12-18T09:00:00Z"


def test_an_answer_leaves_the_starters_24_hours_free(mobilise: Mobilise) -> None:
    # Given a petition with a signer and no update yet, whose decision-maker answered
    petition_id = _petition_with_signers(mobilise, "ann@example.org")
    path = _sent_link(mobilise, petition_id)
    assert _post(mobilise, path, ANSWER).status == 200

    # When the starter publishes an update right after
    reply = mobilise.publish(petition_id)

    # Then it is published: the answer did not take the window
    assert reply.status == 201, reply.text
    mobilise.run_queues()
    assert len(_raw_to("ann@example.org")) == 2


# Edits -----------------------------------------------------------------------------------------


def test_a_change_within_14_days_changes_the_pages_and_sends_nothing(mobilise: Mobilise) -> None:
    # Given an answer, delivered
    petition_id = _petition_with_signers(mobilise, "ann@example.org")
    path = _sent_link(mobilise, petition_id)
    assert _post(mobilise, path, ANSWER).status == 200
    mobilise.run_queues()
    emails_before = len(mobilise.outbox())
    update_id = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"][0][
        "update_id"
    ]

    # When the decision-maker changes it 13 days later through the same link
    clock.advance(timedelta(days=13).total_seconds())
    form = mobilise.request("GET", path).text
    assert "Change your answer" in form
    assert 'value="disagree" required checked>' in form
    changed = _post(mobilise, path, {**ANSWER, "stance": "agree", "text": "On reflection, yes."})

    # Then both pages show the change, and no email is sent
    assert changed.status == 200, changed.text
    block = _page_answer(mobilise.request("GET", f"/p/{petition_id}").text)
    assert "Agrees with the petition" in block
    assert "On reflection, yes." in block
    assert "cannot" not in block
    update_page = mobilise.request("GET", f"/p/{petition_id}/updates/{update_id}").text
    assert "On reflection, yes." in update_page
    assert "Agrees with the petition" in update_page
    mobilise.run_queues()
    assert len(mobilise.outbox()) == emails_before


def test_after_14_days_the_answer_is_shown_and_can_no_longer_change(mobilise: Mobilise) -> None:
    # Given an answer given 14 days ago
    petition_id = _petition_with_signers(mobilise, "ann@example.org")
    path = _sent_link(mobilise, petition_id)
    assert _post(mobilise, path, ANSWER).status == 200
    clock.advance(timedelta(days=14).total_seconds())
    before = mobilise.items()

    # When the link is opened, and posted to
    page = mobilise.request("GET", path)
    refused = _post(mobilise, path, {**ANSWER, "stance": "agree"})

    # Then the answer is shown without a form, the post is a 409, and nothing changes
    assert page.status == 200
    assert "This answer can no longer be changed." in page.text
    assert "<form" not in page.text
    assert refused.status == 409
    assert "This answer can no longer be changed." in refused.text
    assert mobilise.items() == before


# The rules -------------------------------------------------------------------------------------


def test_the_petition_is_sent_once_a_week_and_a_second_sending_says_when(
    mobilise: Mobilise,
) -> None:
    # Given a petition sent to its decision-maker
    petition_id = mobilise.create_petition()
    assert _send(mobilise, petition_id).status == 202

    # When it is sent again a second before the week is over
    clock.advance(timedelta(days=7).total_seconds() - 1)
    before = mobilise.items()
    refused = _send(mobilise, petition_id)

    # Then it is a 429 that says when, and nothing is sent or written
    assert refused.status == 429, refused.text
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["next_sending_allowed_at"] == "2026-12-11T09:00:00Z"
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert mobilise.items() == before
    assert len(_raw_to(DECISION_MAKER)) == 1
    # And a week to the second after, it is sent
    clock.advance(1)
    assert _send(mobilise, petition_id).status == 202
    assert len(_raw_to(DECISION_MAKER)) == 2


def test_a_petition_without_the_decision_makers_email_cannot_be_sent(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition(decision_maker={"name": "The Mayor"})
    before = mobilise.items()
    reply = _send(mobilise, petition_id)
    assert reply.status == 422, reply.text
    assert reply.json()["fields"] == [
        {
            "field": "decision_maker.email",
            "message": "the petition names no email address for its decision-maker",
        }
    ]
    assert mobilise.items() == before
    assert mobilise.outbox() == []


def test_a_closed_petition_is_not_sent(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200
    reply = _send(mobilise, petition_id)
    assert reply.status == 409, reply.text
    assert mobilise.outbox() == []


def test_posts_through_one_link_are_limited_to_10_an_hour(mobilise: Mobilise) -> None:
    # Given a link answered and changed 9 times in an hour (10 posts)
    petition_id = mobilise.create_petition()
    path = _sent_link(mobilise, petition_id)
    for index in range(flow.POSTS_PER_HOUR):
        assert _post(mobilise, path, {**ANSWER, "text": f"Version {index}"}).status == 200
    before = mobilise.items()

    # When it is posted an 11th time within the hour
    refused = _post(mobilise, path, {**ANSWER, "text": "Version 10"})

    # Then the form comes back with a 429 saying when to try again, and nothing changes
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "3600"
    assert "try again in an hour" in refused.text
    assert mobilise.items() == before
    # And the next hour it is taken
    clock.advance(3600)
    assert _post(mobilise, path, {**ANSWER, "text": "Version 10"}).status == 200


def test_a_form_with_problems_comes_back_refilled_each_problem_by_its_field(
    mobilise: Mobilise,
) -> None:
    # Given a link
    petition_id = mobilise.create_petition()
    path = _sent_link(mobilise, petition_id)
    before = mobilise.items()

    # When the form is posted with no stance, a text too long, no name and a role on two lines
    reply = _post(mobilise, path, {"text": "x" * 5001, "name": " ", "role": "Mayor\nof Paris"})

    # Then it comes back (422), refilled, each problem next to its field, and nothing is stored
    assert reply.status == 422
    page = reply.text
    for field in ("stance", "text", "name", "role"):
        assert f'aria-describedby="{field}-error"' in page, field
        assert f'<p class="error" id="{field}-error">' in page, field
    assert "x" * 5001 + "</textarea>" in page
    assert mobilise.items() == before
    # And "other" needs words, where agreeing does not
    other = _post(mobilise, path, {"stance": "other", "name": "A", "role": "B"})
    assert other.status == 422
    assert '<p class="error" id="text-error">' in other.text
    assert '<p class="error" id="stance-error">' not in other.text
    assert _post(mobilise, path, {"stance": "agree", "name": "A", "role": "B"}).status == 200


def test_the_form_takes_a_form_only(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    path = _sent_link(mobilise, petition_id)
    reply = mobilise.request("POST", path, ANSWER)
    assert reply.status == 415
    assert reply.json()["error"]["code"] == "unsupported_media_type"


# Bad links -------------------------------------------------------------------------------------


def _answer(reply: Reply) -> tuple[int, dict[str, str], str]:
    headers = {k: v for k, v in reply.headers.items() if k.lower() != "x-amzn-requestid"}
    return reply.status, headers, reply.text


def test_a_tampered_unknown_or_expired_link_gets_one_404_page_and_changes_nothing(
    mobilise: Mobilise,
) -> None:
    # Given a genuine link, the link of another petition, and a well-signed one of no sending
    petition_id = mobilise.create_petition()
    path = _sent_link(mobilise, petition_id)
    other_id = mobilise.create_petition(owner="bob")
    other = _sent_link_of(mobilise, other_id, "bob")
    token = path.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    from mobilise.answers import tokens

    unknown = tokens.answer_url(
        tokens.SendingRef(petition_id, "01JZZZZZZZZZZZZZZZZZZZZZZZ"),
        clock.now() + timedelta(days=1),
    ).removeprefix(SITE)
    bad = {
        "unknown sending": unknown,
        "not a token": f"/p/{petition_id}/answer/not-a-token",
        "mac changed": f"/p/{petition_id}/answer/{payload}.{_other(mac[0])}{mac[1:]}",
        "payload changed": f"/p/{petition_id}/answer/{payload[:-1]}{_other(payload[-1])}.{mac}",
        "mac removed": f"/p/{petition_id}/answer/{payload}",
        "another petition's path": path.replace(petition_id, other_id),
        "another petition's token": f"/p/{petition_id}/answer/{other.rsplit('/', 1)[1]}",
        "not an id": f"/p/x/answer/{token}",
    }
    before = mobilise.items()
    one = {method: _answer(_call(mobilise, method, unknown)) for method in ("GET", "POST")}
    assert one["GET"][0] == one["POST"][0] == 404
    assert "This link is not valid or has expired." in one["GET"][2]

    # When each is followed and posted to / Then each gets the one page, writing nothing
    for name, bad_path in bad.items():
        for method in ("GET", "POST"):
            assert _answer(_call(mobilise, method, bad_path)) == one[method], (name, method)
    # And the genuine link, 30 days and a second later, gets it too
    assert _call(mobilise, "GET", path).status == 200
    clock.advance(timedelta(days=30).total_seconds() + 1)
    for method in ("GET", "POST"):
        assert _answer(_call(mobilise, method, path)) == one[method], method
    assert mobilise.items() == before


def _other(char: str) -> str:
    return "B" if char == "A" else "A"


def _sent_link_of(mobilise: Mobilise, petition_id: str, owner: str) -> str:
    assert _send(mobilise, petition_id, owner).status == 202
    found = LINK.search(_text(_raw_to(DECISION_MAKER)[-1]))
    assert found
    return found.group(1)


def _call(mobilise: Mobilise, method: str, path: str) -> Reply:
    if method == "POST":
        return _post(mobilise, path, ANSWER)
    return mobilise.request("GET", path, headers={"Accept": "text/html"})


# SES's refusals, and races ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("MessageRejected", 422),
        ("TooManyRequestsException", 503),
        ("AccessDeniedException", 503),  # ours to fix, not the address's
        ("MailFromDomainNotVerifiedException", 500),  # the operator's, not the address's
        ("unreachable", 503),  # no connection to SES: nothing left
    ],
)
def test_an_email_ses_refuses_takes_the_sending_back(
    mobilise: Mobilise, code: str, status: int
) -> None:
    # Given a petition
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    # When SES refuses the decision-maker's email (for good, or for now)
    with refusing_ses(code):
        reply = _send(mobilise, petition_id)

    # Then the starter is told (a refusal for good names the address), and nothing is kept:
    # the week is given back
    assert reply.status == status, reply.text
    if status == 422:
        assert reply.json()["fields"][0]["field"] == "decision_maker.email"
    elif status == 503:  # for now: when to try again, not our failure
        assert reply.json()["error"]["code"] == "email_unavailable"
        assert int(reply.headers["Retry-After"]) > 0
    assert mobilise.items() == before
    assert _send(mobilise, petition_id).status == 202


def test_a_sending_while_ses_pauses_the_account_is_given_back_and_pauses_deliveries(
    mobilise: Mobilise,
) -> None:
    # Given a petition, and the operators listening
    petition_id = mobilise.create_petition()
    subscribe_operators(mobilise)

    # When SES refuses the decision-maker's email because it paused the account's sending
    with refusing_ses("AccountSendingPausedException"):
        reply = _send(mobilise, petition_id)

    # Then the starter is told to come back in an hour, the week is given back, and the
    # account's pause is set (deliveries park) with the operators alerted
    assert (reply.status, reply.json()["error"]["code"]) == (503, "email_paused")
    assert reply.headers["Retry-After"] == "3600"
    assert alarmed(mobilise) == [
        {"event": "account sending paused", "code": "AccountSendingPausedException"}
    ]
    assert _send(mobilise, petition_id).status == 202


def test_an_email_ses_does_not_answer_in_time_counts_as_this_weeks_sending(
    mobilise: Mobilise,
) -> None:
    # Given a petition
    petition_id = mobilise.create_petition()

    # When SES takes the decision-maker's email and does not answer
    with silent_ses() as received:
        reply = _send(mobilise, petition_id)

    # Then the request reached SES, the starter is told it may have left (not a 500, and in
    # time), and it counts: a second sending that week is refused rather than sent twice
    assert len(received) == 1
    assert received[0].startswith(b"POST /v2/email/outbound-emails ")
    assert reply.status == 504, reply.text
    assert reply.json()["error"]["code"] == "email_unconfirmed"
    assert _send(mobilise, petition_id).status == 429


def test_two_sendings_at_once_send_one_email(on_both: Mobilise) -> None:
    # Given a petition
    petition_id = on_both.create_petition()

    # When its starter sends it twice at the same moment
    replies = at_once(2, lambda _: _send(on_both, petition_id))

    # Then one is sent, the other refused by the weekly rule
    assert sorted(reply.status for reply in replies) == [202, 429]
    assert len(_raw_to(DECISION_MAKER)) == 1


def test_two_first_answers_at_once_publish_one_update(on_both: Mobilise) -> None:
    # Given a link not answered yet, of a petition with a signer
    petition_id = _petition_with_signers(on_both, "ann@example.org")
    path = _sent_link(on_both, petition_id)

    # When two answers are posted at the same moment
    replies = at_once(2, lambda index: _post(on_both, path, {**ANSWER, "text": f"Take {index}"}))

    # Then one is the answer (the other changes it, or is told to try again), one update is
    # published, and the signer gets it once
    statuses = sorted(reply.status for reply in replies)
    assert statuses in ([200, 200], [200, 409]), [reply.text for reply in replies]
    kinds = [item.get("type") for item in on_both.items() if str(item["sk"]).startswith("UPD#")]
    assert kinds == ["decision_maker_response"]
    assert len([item for item in on_both.items() if str(item["sk"]).startswith("JOB#")]) == 1
    on_both.run_queues()
    assert len(_raw_to("ann@example.org")) == 1


def test_the_starter_cannot_correct_the_decision_makers_words(mobilise: Mobilise) -> None:
    # Given an answer published as an update
    petition_id = mobilise.create_petition()
    assert _post(mobilise, _sent_link(mobilise, petition_id), ANSWER).status == 200
    (update,) = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    before = mobilise.items()

    # When the starter tries to correct it as one of their own updates
    reply = mobilise.request(
        "PATCH",
        f"/petitions/{petition_id}/updates/{update['update_id']}",
        {"body": "They agreed, really."},
        user="alice",
    )

    # Then it is refused, naming the type, and nothing changes
    assert reply.status == 422, reply.text
    assert reply.json()["fields"][0]["field"] == "type"
    assert mobilise.items() == before


def test_a_domain_in_an_answer_is_not_known_to_moderation_afterwards(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moderation on, and an answer (whose address its starter could have given) that
    # links to a domain the petition never used
    monkeypatch.setenv("MODERATION_ENABLED", "true")
    config.get_settings.cache_clear()
    petition_id = _petition_with_signers(mobilise, "ann@example.org")
    path = _sent_link(mobilise, petition_id)
    linked = {**ANSWER, "text": "Details at https://new-domain.example/login"}
    assert _post(mobilise, path, linked).status == 200
    clock.freeze(MORNING + timedelta(days=2))  # past the petition's first day

    # When the starter links the same domain
    reply = mobilise.publish(petition_id, body="See https://new-domain.example/login")

    # Then the update is held all the same: the answer made no domain known
    assert reply.status == 201, reply.text
    assert reply.json()["status"] == "in_review"
