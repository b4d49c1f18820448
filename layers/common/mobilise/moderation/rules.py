"""The rule that holds an update for an operator's review: one function, pure, easy to change.

An update is held when one of its links goes to a domain none of its petition's published
updates linked to (a petition's own site is always known), when a link goes through a URL
shortener (its target cannot be seen), or when it comes from a starter's first day (the
petition was created less than a day ago: the only time the service stores of a starter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from mobilise.table.models import Petition, Update

FIRST_DAY = timedelta(hours=24)
#: Hosts of URL shorteners: a link through one hides where it leads.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "tiny.cc",
        "rb.gy",
        "t.ly",
        "s.id",
        "bl.ink",
        "lnkd.in",
        "bit.do",
        "shorte.st",
        "adf.ly",
        "tiny.one",
        "qrco.de",
    }
)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
#: An address written without its scheme, as mail clients make links of them: a host (not
#: an email address's), and what follows it.
_BARE = re.compile(
    r"(?<![\w@.:/-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})(?![\w-])(/?)",
    re.IGNORECASE,
)


def hold_reasons(
    petition: Petition,
    update: Update,
    history: Iterable[Update],
    now: datetime,
    own: Iterable[str] = (),
) -> list[str]:
    """Why ``update`` must wait for a review (none: it may go out). ``history``: the
    petition's published updates; ``own``: the service's own hosts (always known)."""
    reasons: list[str] = []
    hosts = sorted(links_hosts(update))
    shortened = [host for host in hosts if _domain(host) in SHORTENERS]
    if shortened:
        reasons.append("url_shortener: " + ", ".join(shortened))
    known = {_domain(host) for earlier in history for host in links_hosts(earlier)}
    known |= {_domain(host) for host in own}
    new = [host for host in hosts if host not in shortened and not _known(_domain(host), known)]
    if new:
        reasons.append("new_domain: " + ", ".join(new))
    if now - petition.created_at < FIRST_DAY:
        reasons.append("first_day")
    return reasons


def links_hosts(update: Update) -> set[str]:
    """The hosts an update's email links to: its link, its type's URL fields, and every
    address written in its title or body."""
    texts: list[str] = [update.title, update.body, update.link or ""]
    texts += _strings(update.fields or {})
    return {
        host
        for text in texts
        for url in _URL.findall(text)
        if (host := (urlsplit(url).hostname or "").lower().rstrip("."))
    } | {host for text in texts for host in _bare_hosts(_URL.sub(" ", text))}


def _bare_hosts(text: str) -> set[str]:
    """Hosts written without a scheme that a mail client links: ``www.`` ones, those followed
    by a path (``bit.ly/3xYz``), and shorteners; not a file name (``report.pdf``)."""
    found = set()
    for match in _BARE.finditer(text):
        host, path = match.group(1).lower(), match.group(2)
        if host.startswith("www.") or path or _domain(host) in SHORTENERS:
            found.add(host)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _domain(host: str) -> str:
    return host.removeprefix("www.")


def _known(domain: str, known: set[str]) -> bool:
    """A domain used before, or a subdomain of one (news.example.org after example.org)."""
    return any(domain == seen or domain.endswith("." + seen) for seen in known)
