"""The moderation rule, as a table: each reason holds what it should and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.moderation.rules import hold_reasons
from mobilise.table.models import Petition, Update

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=30)
OWN = ("petitions.example.net",)


def _petition(created_at: datetime = OLD) -> Petition:
    return Petition(
        "PET#p",
        "PETITION",
        petition_id="p",
        owner_id="alice",
        title="Save the woods",
        description="Keep them open.",
        language="en",
        decision_maker={"name": "The Mayor"},
        created_at=created_at,
    )


def _update(
    title: str = "News", body: str = "Read on.", link: str | None = None, **fields: Any
) -> Update:
    return Update(
        "PET#p",
        "UPD#u",
        update_id="u",
        petition_id="p",
        type="news",
        title=title,
        body=body,
        link=link,
        fields=fields,
        status="draft",
        created_at=NOW,
    )


#: Links the petition's earlier updates used.
HISTORY = [
    _update(link="https://www.council.example.org/agenda"),
    _update(body="See https://news.example.com/story and thank you."),
]

CASES = [
    # (what, petition created, update, reasons)
    ("no link, an old petition", OLD, _update(), []),
    ("a domain used before", OLD, _update(link="https://council.example.org/vote"), []),
    ("www. is the same domain", OLD, _update(link="https://www.news.example.com/b"), []),
    ("a subdomain of a used one", OLD, _update(link="https://live.council.example.org/"), []),
    ("the service's own site", OLD, _update(body="https://petitions.example.net/p/1"), []),
    (
        "a new domain in the link",
        OLD,
        _update(link="https://login-secure.example.net/"),
        ["new_domain: login-secure.example.net"],
    ),
    (
        "a new domain in the body",
        OLD,
        _update(body="Sign in at http://paypa1.example/login now"),
        ["new_domain: paypa1.example"],
    ),
    (
        "a new domain in a type's field",
        OLD,
        _update(article_url="https://press.example.io/article"),
        ["new_domain: press.example.io"],
    ),
    (
        "a new domain in the title",
        OLD,
        _update(title="Read https://elsewhere.example/ today"),
        ["new_domain: elsewhere.example"],
    ),
    (
        "a parent of a used domain is new",
        OLD,
        _update(link="https://example.org/"),
        ["new_domain: example.org"],
    ),
    (
        "a URL shortener (and only that reason)",
        OLD,
        _update(link="https://bit.ly/3xYz"),
        ["url_shortener: bit.ly"],
    ),
    (
        "a shortener with www.",
        OLD,
        _update(body="https://www.tinyurl.com/a"),
        ["url_shortener: www.tinyurl.com"],
    ),
    (
        "a domain ending like a shortener",
        OLD,
        _update(link="https://notbit.ly.example.org/"),
        ["new_domain: notbit.ly.example.org"],
    ),
    (
        "a shortener written without its scheme",
        OLD,
        _update(body="Go to bit.ly/3xYz now"),
        ["url_shortener: bit.ly"],
    ),
    (
        "a www. address without its scheme",
        OLD,
        _update(body="Vote at www.phish.example/login"),
        ["new_domain: www.phish.example"],
    ),
    (
        "a host and path without a scheme",
        OLD,
        _update(title="Sign in: secure-login.example.net/account"),
        ["new_domain: secure-login.example.net"],
    ),
    (
        "file names, an email address, abbreviations: no address",
        OLD,
        _update(body="See report.pdf, e.g. plan.txt; write to team@new.example. Thanks.Bye"),
        [],
    ),
    ("the starter's first day", NOW - timedelta(hours=23, minutes=59), _update(), ["first_day"]),
    ("a day and a minute old", NOW - timedelta(hours=24, minutes=1), _update(), []),
    (
        "every reason at once",
        NOW - timedelta(hours=1),
        _update(link="https://t.co/x", body="and https://new.example/"),
        ["url_shortener: t.co", "new_domain: new.example", "first_day"],
    ),
]


@pytest.mark.parametrize(
    ("created", "update", "reasons"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_rule_holds_what_it_should_and_nothing_else(
    created: datetime, update: Update, reasons: list[str]
) -> None:
    assert hold_reasons(_petition(created), update, HISTORY, NOW, OWN) == reasons


def test_a_petition_without_history_holds_every_link_as_new() -> None:
    update = _update(link="https://council.example.org/vote")
    assert hold_reasons(_petition(), update, [], NOW, OWN) == ["new_domain: council.example.org"]
