"""The buttons of an update's email and where each leads (mobilise.publishing.actions),
without AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from mobilise.core import config
from mobilise.core.errors import NotFound
from mobilise.publishing import actions
from mobilise.table.models import Petition, Update

PETITION_ID = "01HZZZZZZZZZZZZZZZZZZZZZZZ"
UPDATE_ID = "01J0000000000000000000000A"
API = "https://api.mobilise.example"
SITE = "https://petitions.example.org"
EVERY_CHANNEL = ["email", "tweet", "phone", "facebook"]


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "TABLE_NAME": "mobilise",
        "PUBLISH_QUEUE_URL": "https://sqs.example/publish",
        "DELIVERY_QUEUE_URL": "https://sqs.example/delivery",
        "SIGNING_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:links",
        "SENDER_ADDRESS": "Mobilise <updates@mobilise.example>",
        "SES_CONFIGURATION_SET": "mobilise",
        "PUBLIC_BASE_URL": API,
        "SITE_URL": SITE,
        "IDEMPOTENCY_TABLE_NAME": "idempotency",
    }.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def _petition(**decision_maker: str) -> Petition:
    return Petition(
        *Petition.key(PETITION_ID),
        petition_id=PETITION_ID,
        title="Save the woods",
        decision_maker={"name": "The Mayor", **decision_maker},
    )


def _update(kind: str, link: str | None = None, **fields: Any) -> Update:
    return Update(
        *Update.key(PETITION_ID, UPDATE_ID),
        update_id=UPDATE_ID,
        petition_id=PETITION_ID,
        type=kind,
        title="Write to the mayor",
        body="Body",
        link=link,
        fields=fields,
        status="published",
    )


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# mailto: ------------------------------------------------------------------------------------


def test_a_mailto_body_has_crlf_line_breaks_whatever_the_starter_typed() -> None:
    # Given a message with LF, CRLF and a blank line
    # When it becomes a mailto: link
    url = actions.mailto("mayor@example.org", "Subject", "one\ntwo\r\nthree\n\nfour")

    # Then every line break is CRLF, percent-encoded (RFC 6068), and nothing is left raw
    assert "%0D%0A" in url
    assert _query(url)["body"] == ["one\r\ntwo\r\nthree\r\n\r\nfour"]
    assert not any(char in url for char in "\r\n ")


def test_a_mailto_link_carries_non_ascii_text_as_utf8_percent_encoding() -> None:
    # Given a subject and body in French, with an emoji and a right-to-left mark
    subject = "Sauvez le bois — « maintenant »"
    body = "Madame la maire,\nÉcoutez-nous 🌳 \u200f!"

    # When they become a mailto: link
    url = actions.mailto("mayor@example.org", subject, body)

    # Then the link is ASCII only, and decodes back to the same text
    assert url.isascii()
    assert url.startswith("mailto:mayor@example.org?")
    assert _query(url) == {"subject": [subject], "body": [body.replace("\n", "\r\n")]}
    assert "%C3%89" in url  # É as UTF-8


def test_text_cannot_add_headers_or_recipients_to_a_mailto_link() -> None:
    # Given a subject and body that try to add recipients and headers
    subject = "Hi&cc=evil@example.org&bcc=evil@example.org"
    body = "x\r\nBcc: evil@example.org&to=evil@example.org?body=y"

    # When they become a mailto: link
    url = actions.mailto("mayor@example.org", subject, body)

    # Then they stay text in the subject and body: the only fields are the subject and body
    assert set(_query(url)) == {"subject", "body"}
    assert _query(url)["subject"] == [subject]
    assert unquote(urlsplit(url).path) == "mayor@example.org"


def test_a_mailto_address_is_encoded_too() -> None:
    # Given an address with characters that mean something in a URL
    url = actions.mailto("campaign+mayor@example.org", "s", "b")

    # Then they are encoded; the @ is kept
    assert url.startswith("mailto:campaign%2Bmayor@example.org?")


def test_spaces_are_percent_encoded_never_plus() -> None:
    # Given words separated by spaces / When they become a mailto: link
    url = actions.mailto("mayor@example.org", "two words", "three more words")

    # Then a space is %20: mail clients read + as a plus sign (RFC 6068)
    assert "%20" in url
    assert "+" not in url


# tel: ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "dialled"),
    [
        ("+33 (1) 42-76-40-40", "tel:+33142764040"),
        ("01.42.76.40.40", "tel:0142764040"),
        ("+1 202 456 1111", "tel:+12024561111"),
        ("+44\t20 7925 0918", "tel:+442079250918"),
    ],
)
def test_a_phone_number_is_dialled_without_its_punctuation(typed: str, dialled: str) -> None:
    assert actions.tel(typed) == dialled


# X intent -----------------------------------------------------------------------------------


@pytest.mark.parametrize("handle", ["MayorOfParis", "@MayorOfParis"])
def test_a_tweet_button_addresses_the_decision_makers_handle_once(handle: str) -> None:
    # Given a call to action by tweet, with or without the @ in the handle
    petition = _petition(x_handle=handle)
    update = _update("call_to_action", channels=["tweet"], message="Keep the woods open")

    # When its buttons are made
    (button,) = actions.for_update(petition, update)

    # Then it is X's intent to post, starting with the handle and one @
    parts = urlsplit(button.url)
    assert (button.name, parts.scheme, parts.netloc, parts.path) == (
        "tweet",
        "https",
        "x.com",
        "/intent/post",
    )
    assert _query(button.url) == {"text": ["@MayorOfParis Keep the woods open"]}


def test_a_tweet_uses_the_tweet_text_when_there_is_one_and_encodes_it() -> None:
    # Given a long message and a short tweet text with # and &
    petition = _petition(x_handle="mayor")
    update = _update(
        "call_to_action",
        channels=["tweet"],
        message="A long letter\nover several lines",
        tweet_text="#SaveTheWoods & now",
    )

    # When its buttons are made
    (button,) = actions.for_update(petition, update)

    # Then the tweet is the tweet text, encoded so that # and & stay in it
    assert _query(button.url) == {"text": ["@mayor #SaveTheWoods & now"]}
    assert "#" not in button.url
    assert " " not in button.url


def test_sharing_a_press_article_names_it_on_x_and_facebook() -> None:
    # Given a press update
    article = "https://press.example.org/2026/woods?ref=a&b=c"
    update = _update("press", article_url=article, outlet="Le Monde", headline="Woods saved")

    # When its buttons are made
    buttons = {button.name: button.url for button in actions.for_update(_petition(), update)}

    # Then they are the article, and shares on X and Facebook that carry its address
    assert buttons["article"] == article
    assert _query(buttons["share_x"]) == {"text": ["Woods saved"], "url": [article]}
    assert buttons["share_facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert _query(buttons["share_facebook"]) == {"u": [article]}


# Channels the decision-maker cannot be reached on -------------------------------------------


def test_missing_channels_are_those_the_decision_maker_has_no_contact_for() -> None:
    decision_maker = {"name": "The Mayor", "email": "mayor@example.org", "phone": ""}
    assert actions.missing_channels(decision_maker, EVERY_CHANNEL) == [
        "tweet",
        "phone",
        "facebook",
    ]
    assert actions.missing_channels(decision_maker, ["email"]) == []


def test_a_call_to_action_has_a_button_only_for_the_channels_that_reach_someone() -> None:
    # Given a call to action on every channel, to a decision-maker with an address only
    petition = _petition(email="mayor@example.org")
    update = _update("call_to_action", channels=EVERY_CHANNEL, message="Please")

    # When its buttons are made / Then there is only the mailto: one
    assert [button.name for button in actions.for_update(petition, update)] == ["mailto"]
    with pytest.raises(NotFound):
        actions.target(petition, update, "tweet")


def test_a_call_to_action_on_every_channel_has_its_four_buttons_in_order() -> None:
    petition = _petition(
        email="mayor@example.org",
        x_handle="mayor",
        phone="+33 1 42 76 40 40",
        facebook_url="https://www.facebook.com/mayor",
    )
    update = _update(
        "call_to_action", channels=["phone", "email", "facebook", "tweet"], message="Please"
    )
    buttons = actions.for_update(petition, update)
    assert [button.name for button in buttons] == ["tel", "mailto", "facebook", "tweet"]
    assert buttons[0].url == "tel:+33142764040"
    assert buttons[2].url == "https://www.facebook.com/mayor"
    # The subject of the email is the update's title when the starter gave none
    assert _query(buttons[1].url)["subject"] == ["Write to the mayor"]


# Other types, and what a target may be ------------------------------------------------------


def test_an_event_offers_its_online_link_and_its_calendar_on_the_api() -> None:
    update = _update("event", online_url="https://meet.example.org/woods")
    buttons = actions.for_update(_petition(), update)
    assert [(button.name, button.url) for button in buttons] == [
        ("online", "https://meet.example.org/woods"),
        ("calendar", f"{API}/petitions/{PETITION_ID}/updates/{UPDATE_ID}/event.ics"),
    ]


def test_start_a_petition_and_victory_lead_to_the_site() -> None:
    (start,) = actions.for_update(_petition(), _update("start_petition", theme="Parks & trees"))
    assert start.url.startswith(f"{SITE}/start?")
    assert _query(start.url) == {"theme": ["Parks & trees"]}
    victory = {b.name: b.url for b in actions.for_update(_petition(), _update("victory"))}
    assert _query(victory["share_x"]) == {
        "text": ["Save the woods"],
        "url": [f"{SITE}/p/{PETITION_ID}"],
    }


def test_news_has_a_button_only_for_its_link() -> None:
    assert actions.for_update(_petition(), _update("news")) == []
    (link,) = actions.for_update(_petition(), _update("news", link="https://example.org/a"))
    assert (link.name, link.url) == ("link", "https://example.org/a")


@pytest.mark.parametrize(
    "stored",
    ["javascript:alert(1)", "http://example.org/plain", "data:text/html,hi", "//evil.example"],
)
def test_a_target_that_is_not_https_mailto_or_tel_leads_nowhere(stored: str) -> None:
    # Given an update whose stored link is not one the API accepts (a bug, an old item)
    update = _update("news", link=stored)

    # When its target is asked for / Then there is none
    with pytest.raises(NotFound):
        actions.target(_petition(), update, "link")


def test_an_action_the_update_does_not_have_leads_nowhere() -> None:
    update = _update("news", link="https://example.org/a")
    assert actions.target(_petition(), update, "link") == "https://example.org/a"
    for name in ("mailto", "article", "Link", "link ", ""):
        with pytest.raises(NotFound):
            actions.target(_petition(), update, name)


# What /r/{token} may answer in Location ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/a?b=c#d",
        "HTTPS://news.example.org/",
        "mailto:mayor@example.org?subject=Hi&body=a%0D%0Ab",
        "tel:+33142764040",
    ],
)
def test_https_with_a_host_mailto_and_tel_are_safe(url: str) -> None:
    assert actions.is_safe_target(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "http://news.example.org/a",
        "data:text/html,hi",
        "//evil.example/a",
        "/relative/path",
        "https:///no-host",
        "https:evil.example",
        "ftp://files.example.org/a",
        "https://news.example.org/a\r\nSet-Cookie: x=1",
        "https://news.example.org/a\nb",
        "https://news.example.org/\x00",
        "https://[::1",
        "",
    ],
)
def test_anything_else_is_not(url: str) -> None:
    assert not actions.is_safe_target(url)


# The service's own pages over plain http: the local stack ---------------------------------


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings as the local stack has them: the API and the site on http://127.0.0.1:3000."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:3000")
    monkeypatch.delenv("SITE_URL")
    config.get_settings.cache_clear()


@pytest.mark.usefixtures("local")
def test_the_calendar_and_start_a_petition_lead_to_the_local_stacks_own_http_pages() -> None:
    calendar = actions.target(_petition(), _update("event"), "calendar")
    start = actions.target(_petition(), _update("start_petition", theme="Parks"), "start_petition")
    assert (
        calendar == f"http://127.0.0.1:3000/petitions/{PETITION_ID}/updates/{UPDATE_ID}/event.ics"
    )
    assert start == "http://127.0.0.1:3000/start?theme=Parks"


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3000/petitions/x",
        "HTTP://127.0.0.1:3000/start?theme=a",
        "http://127.0.0.1:3000",
        "https://news.example.org/a",
        "mailto:mayor@example.org",
        "tel:+33142764040",
    ],
)
def test_the_services_own_http_origin_is_a_safe_target_locally(url: str) -> None:
    assert actions.is_safe_target(url)


@pytest.mark.usefixtures("local")
@pytest.mark.parametrize(
    "url",
    [
        "http://news.example.org/a",
        "http://127.0.0.1/petitions/x",  # another port
        "http://127.0.0.1:3001/petitions/x",
        "http://localhost:3000/petitions/x",  # another host, whatever it resolves to
        "http://127.0.0.1:3000@evil.example/",  # the origin as userinfo
        "http://evil.example/?http://127.0.0.1:3000",
        "http://127.0.0.1:3000.evil.example/",
        "http://user@127.0.0.1:3000/",
        "http://127.0.0.1:3000/a\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
    ],
)
def test_any_other_http_target_is_refused_even_locally(url: str) -> None:
    assert not actions.is_safe_target(url)


def test_a_deployed_service_takes_no_http_target_at_all() -> None:
    # Given the API and the site on https / Then http on their hosts is refused
    assert not actions.is_safe_target(f"{API.replace('https', 'http')}/petitions/x")
    assert not actions.is_safe_target(f"{SITE.replace('https', 'http')}/start")
    with pytest.raises(NotFound):
        actions.target(_petition(), _update("news", link=f"http://{SITE[8:]}/a"), "link")


# Sharing: one action per channel, each only to its network's own share page -----------------


def test_every_update_and_the_petition_share_on_every_channel_in_order() -> None:
    # Given a petition and a news update (which shares its own page)
    petition, news = _petition(), _update("news")

    # When their share actions are made
    on_petition = actions.for_petition(petition)
    on_update = actions.for_sharing(petition, news)

    # Then each has one per channel, in order; the petition's share its page, the news its own
    names = [f"share_{channel}" for channel in actions.SHARE_CHANNELS]
    assert [action.name for action in on_petition] == names
    assert [action.name for action in on_update] == names
    assert on_petition[-1].url == f"{SITE}/p/{PETITION_ID}"
    assert on_update[-1].url == f"{SITE}/p/{PETITION_ID}/updates/{UPDATE_ID}"
    # and the news update's page finds its share targets though its email has no share button
    assert actions.target(petition, news, "share_copy") == on_update[-1].url
    assert actions.target(petition, None, "share_whatsapp") == on_petition[3].url
    with pytest.raises(NotFound):
        actions.target(petition, None, "article")


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("share_x", "https://evil.example/intent/post?text=a"),
        ("share_x", "https://x.com.evil.example/intent/post"),
        ("share_facebook", "http://www.facebook.com/sharer/sharer.php?u=a"),
        ("share_whatsapp", "https://t.me/?text=a"),
        ("share_telegram", "https://user@t.me/share/url"),
        ("share_bluesky", "https://bsky.app:8443/intent/compose"),
        ("share_mastodon", "https://mastodon.social/share?text=a"),
        ("share_email", "mailto:someone@example.org?subject=a"),
        ("share_email", "https://example.org"),
        ("share_copy", "javascript:alert(1)"),
    ],
)
def test_a_share_action_leads_only_to_its_own_networks_page(name: str, url: str) -> None:
    assert not actions.is_share_target(name, url)


def test_the_share_targets_as_built_are_each_their_networks() -> None:
    for action in actions.shares('A "quoted" & 🌳 title', "https://example.org/p?a=1&b=2"):
        assert actions.is_safe_target(action.url), action
        assert actions.is_share_target(action.name, action.url), action
    # and other actions are not held to a network's host
    assert actions.is_share_target("article", "https://press.example.org/a")
