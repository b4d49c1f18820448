"""Mail scanners (Outlook Safe Links, Mimecast, ...) fetch every link of every email, with GET
and HEAD, moments after it arrives: no link of any kind of email may change anything when it
is fetched, and a scanner's fetches of the buttons are not counted as people's clicks.

Every email here is read back from what SES received (the raw MIME), every link of its HTML
part, its text part and its ``List-Unsubscribe`` header is fetched with GET and with HEAD, and
the table is compared before and after: only the click counters of ``/r/`` may move (they
count the scanner, as a machine).
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from mobilise.core import clock, crypto
from mobilise.table.models import Rsvp, bound
from tests.email_examples import DECISION_MAKER, EXAMPLES, MEETING_OBTAINED
from tests.integration.harness import PUBLIC_URL, Mobilise, event, running_on_moto

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SIGNER = "lea@example.org"
STARTER = "alice@example.test"
#: Items a fetch may change: the counters of the counted redirect (a scanner's are machine
#: clicks, see mobilise.engagement.clicks.judge).
COUNTERS = ("CLK#",)
_URL = re.compile(r"https?://[^\s<>\"')]+")


class _Hrefs(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.fixture
def opt_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        yield system


def _raw_emails() -> list[EmailMessage]:
    """What SES received, parsed from its raw bytes (not from the outbox's summary)."""
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
    parsed: list[EmailMessage] = []
    for message in sent:
        raw = message.raw_data
        data = raw.encode() if isinstance(raw, str) else raw
        parsed.append(email.message_from_bytes(data, policy=default))
    return parsed


def _links(message: EmailMessage) -> set[str]:
    """Every URL of the service's own an email carries: HTML, text part, List-Unsubscribe."""
    found: set[str] = set(re.findall(r"<([^>]+)>", str(message.get("List-Unsubscribe", ""))))
    for part in message.walk():
        if part.get_content_type() == "text/html":
            found.update(_Hrefs(part.get_content()).found)
        elif part.get_content_type() == "text/plain":
            found.update(_URL.findall(part.get_content()))
    return {url for url in found if url.startswith(f"{PUBLIC_URL}/")}


def _state(mobilise: Mobilise) -> list[dict[str, Any]]:
    items = [item for item in mobilise.items() if not str(item["sk"]).startswith(COUNTERS)]
    return sorted(items, key=lambda item: (str(item["pk"]), str(item["sk"])))


def _scan(mobilise: Mobilise, emails_seen: int) -> tuple[int, set[str]]:
    """Fetch every link of the emails SES received since ``emails_seen`` with HEAD and GET,
    as a scanner does; assert nothing changed. (emails now seen, the links fetched)"""
    messages = _raw_emails()
    fetched: set[str] = set()
    before, outbox_before = _state(mobilise), len(messages)
    for message in messages[emails_seen:]:
        for url in sorted(_links(message)):
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            for method in ("HEAD", "GET"):
                reply = mobilise.request(method, path, headers={"Accept": "text/html"})
                assert reply.status < 500, (method, url, reply.text)
            fetched.add(parts.path.split("/")[1])
    assert _state(mobilise) == before, "a fetched link changed the table"
    mobilise.run_queues()
    assert len(_raw_emails()) == outbox_before, "a fetched link sent an email"
    return len(messages), fetched


def _run(mobilise: Mobilise, job: str) -> None:
    mobilise.invoke("RemindersFunction", event("scheduled_reminders.json", job=job))


def _publish(mobilise: Mobilise, body: dict[str, Any], signer: str = SIGNER) -> tuple[str, str]:
    """A petition with one confirmed signer, and ``body`` published on it and delivered."""
    petition_id = mobilise.create_petition(language="fr", decision_maker=DECISION_MAKER)
    assert mobilise.sign(petition_id, signer).status == 201
    mobilise.run_queues()
    [confirmation] = [m for m in _raw_emails() if m["To"] == signer][-1:]
    confirm = next(url for url in _links(confirmation) if "/signatures/confirm/" in url)
    assert mobilise.request("POST", urlsplit(confirm).path).status == 200
    reply = mobilise.request("POST", f"/petitions/{petition_id}/updates", body, user="alice")
    assert reply.status == 201, reply.text
    mobilise.run_queues()
    return petition_id, reply.json()["update_id"]


@pytest.mark.slow  # every link of every kind of email, fetched twice
def test_no_link_of_any_email_changes_anything_when_a_scanner_fetches_it(
    opt_in: Mobilise,
) -> None:
    mobilise = opt_in
    clock.freeze(NOW)

    # Given a signature waiting for its confirmation, then the same address signing again
    petition_id = mobilise.create_petition()
    assert mobilise.sign(petition_id, SIGNER).status == 201
    mobilise.run_queues()
    seen, fetched = _scan(mobilise, 0)  # the confirmation email
    assert "signatures" in fetched
    key = f"EMAIL#{crypto.email_hash(SIGNER)}"
    (signature,) = [item for item in mobilise.items() if item["sk"] == key]
    assert "confirmed_at" not in signature  # the scanner confirmed nothing

    # And an update of every type, each on its own petition, delivered to a confirmed signer
    published = {
        kind: _publish(mobilise, body, f"{kind}@example.org") for kind, body in EXAMPLES.items()
    }
    clock.advance(1)  # a scanner, a second after the emails arrived

    # When a scanner fetches every link of every email / Then nothing changes
    seen, fetched = _scan(mobilise, seen)
    assert {"r", "unsubscribe"} <= fetched
    # and none of its fetches of the buttons is counted as a person's click
    for kind, (petition, update) in published.items():
        stats = mobilise.request(
            "GET", f"/petitions/{petition}/updates/{update}/stats", user="alice"
        ).json()
        assert not any(stats["clicks"].values()), (kind, stats["clicks"])
        # (each button fetched once with GET, once with HEAD: one machine click)
        assert set(stats["machine_clicks"].values()) <= {1}, (kind, stats["machine_clicks"])
        assert set(stats["machine_clicks"]) == set(stats["clicks"]), kind

    # And the starter's test send, the signer's "already signed" email
    news_petition, _ = published["news"]
    test_send = mobilise.request(
        "POST", f"/petitions/{news_petition}/updates/test", EXAMPLES["news"], user="alice"
    )
    assert test_send.status == 202, test_send.text
    assert mobilise.sign(news_petition, "news@example.org").status == 201
    mobilise.run_queues()
    subjects = [str(message["Subject"]) for message in _raw_emails()[seen:]]
    assert any(subject.startswith("[Test]") for subject in subjects), subjects
    assert any(subject.startswith("Vous aviez déjà signé") for subject in subjects), subjects
    seen, _ = _scan(mobilise, seen)

    # And the reminders: an event's, to a signer who said yes; the meeting follow-up; the nudge
    event_petition, event_update = published["event"]
    bound()
    email_hash = crypto.email_hash("event@example.org")
    Rsvp(
        *Rsvp.key(event_petition, event_update, email_hash),
        petition_id=event_petition,
        update_id=event_update,
        answer="yes",
        email_key=email_hash,
        answered_at=clock.now(),
    ).save()
    meeting_at = NOW + timedelta(days=2)
    meeting = {**MEETING_OBTAINED, "meeting_at": meeting_at.isoformat()}
    _publish(mobilise, meeting, "meeting@example.org")
    seen, _ = _scan(mobilise, seen)
    clock.freeze(meeting_at + timedelta(hours=3))
    _run(mobilise, "meeting_followups")
    clock.freeze(NOW + timedelta(days=7, hours=1))
    _run(mobilise, "nudges")
    clock.freeze(datetime(2026, 12, 11, 14, 0, tzinfo=UTC))  # a day before the event
    _run(mobilise, "event_reminders")
    subjects = [str(message["Subject"]) for message in _raw_emails()[seen:]]
    assert any(subject.startswith("Demain") for subject in subjects), subjects
    assert any("7 jours" in subject for subject in subjects), subjects
    seen, fetched = _scan(mobilise, seen)
    assert "nudges" in fetched
