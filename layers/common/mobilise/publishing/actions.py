"""What an update's email asks signers to do: its actions and where each one leads.

The email renders one button per action, through ``/r/{token}`` (see
:mod:`mobilise.core.links`); the redirect asks this module for the target again,
from the stored petition and update. Targets are built here only, so the email
and the redirect cannot disagree, and every target is ``https:``, ``mailto:`` or
``tel:``, or the service's own pages on its own origin (checked again by :func:`target`
and by the redirect, with :func:`is_safe_target`).

Sharing is an action too: each channel of :data:`SHARE_CHANNELS` is an action
``share_{channel}``, the same on the emails that share (press, victory), on an update's page
(:func:`for_sharing`) and on the petition's page (:func:`for_petition`, no update), and its
target is a link to the network's own share page, never a script of theirs; the redirect
checks it leads to that network's page and no other (:func:`is_share_target`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.table.models import Petition, Update

#: Every target is of these schemes, or ``http:`` on the service's own origin.
SAFE_SCHEMES = frozenset({"https", "mailto", "tel"})
#: The channels a page or an email shares on, in the order their links appear: an email
#: written by the signer, the networks' share pages, and the link itself to copy.
SHARE_CHANNELS = ("email", "x", "facebook", "whatsapp", "telegram", "bluesky", "mastodon", "copy")
#: The host of each network's share page: a share action leads there and nowhere else.
#: Mastodon's is its official share page (share.joinmastodon.org), which asks the person
#: for their own server once, in their browser: a Mastodon account lives on one of
#: thousands of servers, whose own ``/share`` page a link cannot know.
SHARE_HOSTS = {
    "x": "x.com",
    "facebook": "www.facebook.com",
    "whatsapp": "wa.me",
    "telegram": "t.me",
    "bluesky": "bsky.app",
    "mastodon": "share.joinmastodon.org",
}
SHARE = "share_"
_PHONE_NOISE = re.compile(r"[\s().-]")


@dataclass(frozen=True)
class Action:
    name: str  # counted under this name
    url: str  # where the button leads


def is_safe_target(url: str) -> bool:
    """A target a button may lead to: ``https:`` with a host, ``mailto:``, ``tel:``, and
    ``http:`` on the service's own origin only (the API's or the site's, as configured).

    A deployed stack's origins are ``https:``, so there it is ``https:`` only; the local
    stack's is ``http://127.0.0.1:3000``, and its calendar and "start a petition" buttons
    lead there. Any other ``http:`` target, whatever its host or port, is refused.
    """
    if any(char in url for char in "\r\n\t\x00"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "https":
        return bool(parts.hostname)
    if scheme == "http":
        return (scheme, parts.netloc.lower()) in _own_origins()
    return scheme in SAFE_SCHEMES


def _own_origins() -> set[tuple[str, str]]:
    settings = get_settings()
    found = (urlsplit(settings.public_base_url), urlsplit(settings.site_url))
    return {(origin.scheme.lower(), origin.netloc.lower()) for origin in found}


def petition_url(petition_id: str) -> str:
    """The petition's public page."""
    return links.petition_page_url(petition_id)


def calendar_url(petition_id: str, update_id: str) -> str:
    """The event's ``.ics``, served by the API."""
    return get_settings().link(f"/petitions/{petition_id}/updates/{update_id}/event.ics")


def _x_intent(text: str, url: str | None = None) -> str:
    query = {"text": text} if url is None else {"text": text, "url": url}
    return "https://x.com/intent/post?" + urlencode(query, quote_via=quote)


def _facebook_share(url: str) -> str:
    return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}, quote_via=quote)


def _said(text: str, url: str) -> dict[str, str]:
    """The one ``text`` field of the networks that take no separate link: the text, then it."""
    return {"text": f"{text} {url}"}


def share_target(channel: str, text: str, url: str) -> str:
    """The link that shares ``url`` with ``text`` on ``channel`` (see :data:`SHARE_CHANNELS`);
    ``copy``: ``url`` itself."""
    match channel:
        case "email":
            return mailto("", text, f"{text}\n\n{url}")
        case "x":
            return _x_intent(text, url)
        case "facebook":
            return _facebook_share(url)
        case "telegram":
            return "https://t.me/share/url?" + urlencode(
                {"url": url, "text": text}, quote_via=quote
            )
        case "whatsapp" | "bluesky" | "mastodon":
            page = {"whatsapp": "/", "bluesky": "/intent/compose", "mastodon": "/"}[channel]
            query = urlencode(_said(text, url), quote_via=quote)
            return f"https://{SHARE_HOSTS[channel]}{page}?{query}"
        case "copy":
            return url
    raise ValueError(f"no share channel {channel!r}")


def shares(text: str, url: str) -> list[Action]:
    """One action per channel, each sharing ``url`` with ``text``."""
    return [Action(SHARE + channel, share_target(channel, text, url)) for channel in SHARE_CHANNELS]


def is_share_target(name: str, url: str) -> bool:
    """Whether the target of action ``name`` is one it may have: a share action's is its
    network's page (``mailto:`` for email, a safe target for copy); any other action's, any."""
    channel = name.removeprefix(SHARE)
    if not name.startswith(SHARE) or channel not in SHARE_CHANNELS:
        return True
    if channel == "email":
        return url.startswith("mailto:?")
    if channel == "copy":
        return is_safe_target(url)
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == SHARE_HOSTS[channel]


def mailto(address: str, subject: str, body: str) -> str:
    """A ``mailto:`` link (RFC 6068): line breaks as CRLF, everything percent-encoded."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = urlencode({"subject": subject, "body": body}, quote_via=quote)
    return f"mailto:{quote(address, safe='@')}?{query}"


def tel(phone: str) -> str:
    return "tel:" + _PHONE_NOISE.sub("", phone)


def _call_to_action(
    decision_maker: Mapping[str, Any], fields: Mapping[str, Any], title: str
) -> list[Action]:
    message: str = fields["message"]
    found: list[Action] = []
    for channel in fields["channels"]:
        if channel == "email" and decision_maker.get("email"):
            subject = fields.get("subject") or title
            found.append(Action("mailto", mailto(decision_maker["email"], subject, message)))
        elif channel == "tweet" and decision_maker.get("x_handle"):
            handle = "@" + str(decision_maker["x_handle"]).lstrip("@")
            found.append(
                Action("tweet", _x_intent(f"{handle} {fields.get('tweet_text') or message}"))
            )
        elif channel == "phone" and decision_maker.get("phone"):
            found.append(Action("tel", tel(decision_maker["phone"])))
        elif channel == "facebook" and decision_maker.get("facebook_url"):
            found.append(Action("facebook", decision_maker["facebook_url"]))
    return found


def missing_channels(decision_maker: Mapping[str, Any], channels: list[str]) -> list[str]:
    """The channels of a call to action that the decision-maker cannot be reached on."""
    needs = {"email": "email", "tweet": "x_handle", "phone": "phone", "facebook": "facebook_url"}
    return [channel for channel in channels if not decision_maker.get(needs[channel])]


def for_update(petition: Petition, update: Update) -> list[Action]:
    """Every button of the update's email, in the order they appear."""
    fields: Mapping[str, Any] = update.fields or {}
    found: list[Action] = []
    match update.type:
        case "press":
            found += [Action("article", fields["article_url"]), *for_sharing(petition, update)]
        case "event":
            if fields.get("online_url"):
                found.append(Action("online", fields["online_url"]))
            found.append(Action("calendar", calendar_url(update.petition_id, update.update_id)))
        case "call_to_action":
            found += _call_to_action(petition.decision_maker, fields, update.title)
        case "start_petition":
            start = get_settings().start_petition_url
            query = urlencode({"theme": fields["theme"]}, quote_via=quote)
            found.append(Action("start_petition", f"{start}?{query}"))
        case "victory":
            found += for_sharing(petition, update)
    if update.link:
        found.append(Action("link", update.link))
    return found


def shared(petition: Petition, update: Update) -> tuple[str, str]:
    """What an update asks to share, with which words: a press update its article, a victory
    the petition, any other update its own page."""
    match update.type:
        case "press":
            fields: Mapping[str, Any] = update.fields or {}
            return fields["headline"], fields["article_url"]
        case "victory":
            return petition.title, petition_url(petition.petition_id)
    return update.title, links.update_page_url(update.petition_id, update.update_id)


def for_sharing(petition: Petition, update: Update) -> list[Action]:
    """The share actions of an update, the same on its email (press, victory) and its page."""
    return shares(*shared(petition, update))


def for_petition(petition: Petition) -> list[Action]:
    """The share actions of the petition's page: its title and address."""
    return shares(petition.title, petition_url(petition.petition_id))


def target(petition: Petition, update: Update | None, name: str) -> str:
    """Where the button ``name`` of the update's email or page leads, or with no update the
    share link ``name`` of the petition's page; :class:`NotFound` if it has none."""
    found = (
        [*for_update(petition, update), *for_sharing(petition, update)]
        if update is not None
        else for_petition(petition)
    )
    for action in found:
        if action.name == name:
            if not (is_safe_target(action.url) and is_share_target(name, action.url)):
                break
            return action.url
    raise NotFound("This link leads nowhere.")
