"""/unsubscribe/{token}: a page that asks, and RFC 8058 one-click."""

from __future__ import annotations

from mobilise.core import links
from mobilise.core.links import SignerRef
from tests.integration.harness import Mobilise


def _subscribed(mobilise: Mobilise) -> tuple[str, str]:
    from mobilise.core import crypto

    petition_id = mobilise.create_petition(title="Save the pool")
    mobilise.sign(petition_id, "sam@example.org")
    url = links.unsubscribe_url(SignerRef(petition_id, crypto.email_hash("sam@example.org")))
    return petition_id, url.removeprefix("https://mobilise.test")


def test_the_page_asks_before_unsubscribing(mobilise: Mobilise) -> None:
    _, path = _subscribed(mobilise)
    before = mobilise.items()

    page = mobilise.request("GET", path)

    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<form method="post">' in page.text
    assert "Save the pool" in page.text
    assert mobilise.items() == before


def test_one_click_needs_no_cookie_no_auth_and_answers_the_same_twice(mobilise: Mobilise) -> None:
    _, path = _subscribed(mobilise)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    first = mobilise.request("POST", path, raw="List-Unsubscribe=One-Click", headers=form)
    after_first = mobilise.items()
    second = mobilise.request("POST", path, raw="List-Unsubscribe=One-Click", headers=form)

    assert first.status == second.status == 200
    assert first.json() == second.json()
    assert "Set-Cookie" not in first.headers
    assert mobilise.items() == after_first
    (signature,) = [i for i in after_first if str(i["sk"]).startswith("EMAIL#")]
    assert signature["unsubscribed_at"]


def test_a_browser_gets_a_page_after_the_button(mobilise: Mobilise) -> None:
    _, path = _subscribed(mobilise)

    done = mobilise.request(
        "POST",
        path,
        raw="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
    )

    assert done.status == 200
    assert "Save the pool" in done.text
    assert "not receive any more updates" in done.text


def test_a_tampered_token_gets_the_same_answer_as_an_unknown_one(mobilise: Mobilise) -> None:
    from mobilise.core import crypto

    petition_id, path = _subscribed(mobilise)
    payload, mac = path.removeprefix("/unsubscribe/").split(".")
    # The MAC's first character carries six bits of it; "...AA" at the end would leave one MAC
    # in 256 as it was (the last of 22 characters carries only two bits).
    tampered = f"/unsubscribe/{payload}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}"
    unknown = links.unsubscribe_url(
        SignerRef(petition_id, crypto.email_hash("nobody@example.org"))
    ).removeprefix("https://mobilise.test")
    garbage = "/unsubscribe/not-a-token"
    before = mobilise.items()

    answers = [mobilise.request("POST", p, raw="") for p in (tampered, unknown, garbage)]
    pages = [mobilise.request("GET", p) for p in (tampered, unknown, garbage)]

    assert {(a.status, a.text) for a in answers} == {(404, answers[0].text)}
    assert answers[0].json()["error"]["code"] == "invalid_link"
    assert {(p.status, p.text) for p in pages} == {(404, pages[0].text)}
    assert mobilise.items() == before


def test_a_token_for_another_purpose_is_refused(mobilise: Mobilise) -> None:
    from mobilise.core import crypto

    petition_id, _ = _subscribed(mobilise)
    claims = {"p": petition_id, "h": crypto.email_hash("sam@example.org")}
    other = crypto.sign("confirm", claims)

    reply = mobilise.request("POST", f"/unsubscribe/{other}", raw="")

    assert reply.status == 404
