"""Issue 15's proof: a person who signed three petitions whose starters publish within one hour
gets one email then, and one digest of the other two when their day has passed; a fourth
petition's update the day after comes alone; nobody else is delayed. Through the whole system
(publish, fan-out, deliver, the every-minute schedule), on moto and DynamoDB Local, with the
delivery faults injected: duplicate messages, throttling, a crash after SES accepted an email.
"""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from botocore.exceptions import ClientError

from mobilise.core import clock, config
from mobilise.delivery import queues, records, ses
from mobilise.digests import store
from mobilise_local import outbox
from tests.integration.harness import Mobilise, event
from tests.integration.mails import sections_of

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ZOE = "zoe@example.org"
#: Each petition's own signer besides Zoé: they must not wait for anyone.
OTHERS = {
    "A": "ana@example.org",
    "B": "ben@example.org",
    "C": "cyd@example.org",
    "D": "dan@example.org",
}
DIGEST_LINK = "/unsubscribe-digest/"
_Sent = TypeVar("_Sent")


class _Died(BaseException):
    """The deliver function's process ends (out of memory, its host lost): nothing after runs,
    and its SQS message comes back once its visibility ends (here at once)."""


@contextmanager
def _faults(kind: str) -> Iterator[list[list[tuple[str, str]]]]:
    """The delivery faults of ``kind``; yields, for each death, the (address, subject) of the
    emails SES accepted before it that no record holds (design.md's "one duplicate window":
    every email of the dying invocation's record accepted since it was claimed, or the one
    email of a digest or confirmation): those may come twice."""
    died: list[list[tuple[str, str]]] = []
    original_send, original_bulk, original_queue = ses.send_ready, ses.send_bulk, queues.send
    original_claim = records.claim
    unrecorded: list[tuple[str, str]] | None = None  # accepted under the record held now
    sends = 0

    def claim(*args: Any) -> records.Claim | None:
        nonlocal unrecorded
        unrecorded = None  # until a record is held (not when it is settled, or busy)
        held = original_claim(*args)
        if held is not None:
            unrecorded = []
        return held

    def recorded(original: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any) -> Any:
            nonlocal unrecorded
            unrecorded = None  # what was sent under the record is in it now
            return original(*args)

        return record

    def refused_every_other() -> None:
        nonlocal sends
        sends += 1
        if sends % 2:  # every other request: SES's rate exceeded
            error = {"Error": {"Code": "Throttling"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            raise ClientError(error, "SendEmail")  # type: ignore[arg-type]

    def throttled(email: ses.Ready) -> str:
        refused_every_other()
        return original_send(email)

    def throttled_bulk(*args: Any) -> list[ses.Accepted]:
        refused_every_other()
        return original_bulk(*args)

    def dying(email: ses.Ready) -> str:
        return died_after(original_send(email), [(email.to, _subject(email.raw))])

    def dying_bulk(
        template: Any, data: str, to: list[ses.Destination], tags: Any
    ) -> list[ses.Accepted]:
        sent = original_bulk(template, data, to, tags)
        subject = template.subject.replace("{{lb}}", "{").replace("{{bs}}", "\\")
        return died_after(sent, [(each.to, subject) for each in to])

    def died_after(sent: _Sent, accepted: list[tuple[str, str]]) -> _Sent:
        nonlocal sends, unrecorded
        sends += 1
        if unrecorded is not None:
            unrecorded.extend(accepted)
        if sends % 4 == 1:  # the first request, then every fourth: the process dies just after
            died.append(unrecorded or accepted)
            unrecorded = None  # the record's lease runs out; its retry claims it again
            raise _Died
        return sent

    def twice(queue_url: str, messages: Any) -> int:
        listed = list(messages)
        return original_queue(queue_url, listed + listed)  # SQS hands each message in twice

    with pytest.MonkeyPatch.context() as patch:
        if kind == "throttling":
            patch.setattr(ses, "send_ready", throttled)
            patch.setattr(ses, "send_bulk", throttled_bulk)
        elif kind.startswith("crash"):
            patch.setattr(ses, "send_ready", dying)
            patch.setattr(ses, "send_bulk", dying_bulk)
            patch.setattr(records, "claim", claim)
            patch.setattr(records, "settle", recorded(records.settle))
            patch.setattr(records, "progress", recorded(records.progress))
        elif kind == "duplicates":
            patch.setattr(queues, "send", twice)
        yield died


def _subject(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return str(message["Subject"])


def _deliver(mobilise: Mobilise) -> None:
    """Run the queues until they are empty; after a death, the message is retried once the
    dead invocation's lease has run out (SQS's visibility, here without waiting)."""
    while True:
        try:
            mobilise.run_queues(visibility_timeout=0)
        except _Died:
            clock.advance(max(records.LEASE_SECONDS, store.LEASE_SECONDS) + 1)
            continue
        return


def _at(mobilise: Mobilise, moment: datetime, step: Callable[[], object]) -> None:
    clock.freeze(moment)
    step()
    _deliver(mobilise)


def _received(mobilise: Mobilise) -> list[tuple[str, str, bytes]]:
    """(address, subject, raw MIME) of every email SES accepted, in order."""
    found = []
    for sent in mobilise.outbox():
        raw = outbox.raw("eu-west-1", sent["message_id"])
        assert raw is not None
        (to,) = sent["to"]
        found.append((to, str(sent["subject"]), raw))
    return found


@pytest.mark.slow  # each case about 15 to 60 s: the whole system, four petitions, two days
@pytest.mark.parametrize(
    "faults", ["none", "duplicates", "throttling", "crash", "crash-in-one-message"]
)
def test_three_updates_within_the_hour_reach_a_person_as_one_email_then_one_digest(
    on_both: Mobilise, faults: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if faults == "crash-in-one-message":  # each update's two signers in one message: a death
        monkeypatch.setenv("SIGNATURE_SHARDS", "1")  # after its second email may repeat both
        config.get_settings.cache_clear()
    # Given Zoé signed petitions A, B, C and D, and each has one other signer
    mobilise = on_both
    clock.freeze(T0 - timedelta(hours=1))
    petitions = {}
    for name, other in OTHERS.items():
        petitions[name] = mobilise.create_petition(
            owner=f"starter-{name}", title=f"Petition {name}"
        )
        for address in (ZOE, other):
            assert mobilise.sign(petitions[name], address).status == 201

    def publish(name: str) -> Callable[[], object]:
        def step() -> None:
            published = mobilise.publish(
                petitions[name], owner=f"starter-{name}", title=f"Update {name}"
            )
            assert published.status == 201, published.text

        return step

    def schedule() -> None:
        mobilise.invoke("ScheduledPublishFunction", event("scheduled_publish.json"))

    with _faults(faults) as died:
        # When A, B and C publish within the hour
        _at(mobilise, T0, publish("A"))
        _at(mobilise, T0 + timedelta(minutes=20), publish("B"))
        _at(mobilise, T0 + timedelta(minutes=40), publish("C"))
        first_hour = _received(mobilise)
        # And the schedule runs around the end of Zoé's day (later by the leases of the deaths
        # before her first email, when the crash is injected)
        for minute in (-1, 1, 2, 30):
            _at(mobilise, T0 + timedelta(hours=24, minutes=minute), schedule)
        # And D publishes two days later
        _at(mobilise, T0 + timedelta(hours=49), publish("D"))
        _at(mobilise, T0 + timedelta(hours=49, minutes=1), schedule)
    received = _received(mobilise)

    # Then in the first hour Zoé got A's email only, and each other signer their update at once
    assert {subject for to, subject, _ in first_hour if to == ZOE} == {"Update A"}
    for name in ("A", "B", "C"):
        assert (OTHERS[name], f"Update {name}") in [(to, s) for to, s, _ in first_hour]
    # And a day later one digest with B and C, and D's email alone two days later
    zoe = [(subject, raw) for to, subject, raw in received if to == ZOE]
    digests = [raw for _, raw in zoe if DIGEST_LINK.encode() in raw]
    assert {_subject(raw) for raw in digests} == {"2 updates from petitions you signed"}
    assert all(sections_of(raw) == ["Petition B", "Petition C"] for raw in digests)
    assert [subject for subject, raw in zoe if DIGEST_LINK.encode() not in raw].count("Update D")
    # And each (update, person) came once: never none, never two, but for an email SES accepted
    # just before the function died (the documented window), which may come twice
    counts = Counter((to, subject) for to, subject, _ in received)
    expected = {(ZOE, "Update A"), (ZOE, "2 updates from petitions you signed"), (ZOE, "Update D")}
    expected |= {(other, f"Update {name}") for name, other in OTHERS.items()}
    assert set(counts) == expected
    for sent, count in counts.items():
        assert count in ({1, 2} if any(sent in window for window in died) else {1}), (
            sent,
            count,
            faults,
        )
    if faults.startswith("crash"):
        assert died  # the fault did happen
    if faults == "crash-in-one-message":
        assert max(map(len, died)) == 2  # and once after a message's second email
    # And B's and C's statistics count Zoé once, digested, their other signer sent
    for name in ("B", "C"):
        update_id = _update_id(mobilise, petitions[name], f"starter-{name}")
        stats = mobilise.request(
            "GET", f"/petitions/{petitions[name]}/updates/{update_id}/stats", user=f"starter-{name}"
        ).json()
        assert (stats["recipients"], stats["sent"], stats["digested"]) == (2, 1, 1), stats


def _update_id(mobilise: Mobilise, petition_id: str, owner: str) -> str:
    reply = mobilise.request("GET", f"/petitions/{petition_id}/updates", user=owner)
    (update,) = reply.json()["updates"]
    return str(update["update_id"])
