"""One update email a day per person, across petitions: the window, the digest entries, the
digest's sending under the faults of SQS and SES, its unsubscribe link, erasure and export
(mobilise.digests), on moto and DynamoDB Local."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from mobilise.core import clock, config, crypto
from mobilise.delivery import pausing, ses
from mobilise.delivery import sending as delivery_sending
from mobilise.delivery.messages import DeliveryMessage, DigestMessage
from mobilise.digests import admission, due, sending, store, unsubscribing
from mobilise.table.models import Signature, Update
from mobilise_local import outbox
from tests.integration.harness import Mobilise, at_once
from tests.integration.mails import sections_of
from tests.integration.write_units import billed_writes

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ZOE = "zoe@example.org"


def _zoe() -> str:
    """Zoé's address's hash (the signing key is the stack's: asked once it runs)."""
    return crypto.email_hash(ZOE)


def _petitions(mobilise: Mobilise, count: int, language: str = "en") -> list[tuple[str, str]]:
    """``count`` petitions of different starters, each signed by Zoé, each with one update
    (written straight to the table: the send path is the tests' own here)."""
    clock.freeze(T0 - timedelta(hours=1))
    found = []
    for index in range(count):
        clock.advance(60)  # its update is newer than the one before (ULIDs sort by time)
        petition_id = mobilise.create_petition(
            owner=f"starter{index}", title=f"Petition {index}", language=language
        )
        mobilise.seed_signatures(petition_id, [ZOE])
        update_id = mobilise.seed_update(petition_id, "news", {})
        found.append((petition_id, update_id))
    clock.freeze(T0)
    return found


def _queued_digests(mobilise: Mobilise) -> list[DigestMessage]:
    """The digest messages the schedule put on the delivery queue (taken off it)."""
    sqs, url = boto3.client("sqs"), mobilise.stack.refs["DeliveryQueue"]
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(DigestMessage.from_json(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _schedule() -> dict[str, int]:
    return due.enqueue(lambda: 60_000)


def _digests(mobilise: Mobilise) -> list[bytes]:
    """The raw MIME of every digest SES accepted for Zoé, as it was sent."""
    found = []
    for sent in mobilise.outbox():
        if ZOE in sent["to"] and "/unsubscribe-digest/" in sent["headers"].get(
            "List-Unsubscribe", ""
        ):
            raw = outbox.raw("eu-west-1", sent["message_id"])
            assert raw is not None
            found.append(raw)
    return found


def _entries(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [i for i in mobilise.items() if str(i["sk"]).startswith("DIGEST#")]


def _window(mobilise: Mobilise) -> dict[str, Any] | None:
    found = [i for i in mobilise.items() if i["pk"] == f"PERSON#{_zoe()}" and i["sk"] == "WINDOW"]
    return found[0] if found else None


def test_the_first_update_of_the_day_takes_the_window_and_the_others_wait_for_it(
    on_both: Mobilise,
) -> None:
    # Given Zoé signed three petitions, each with an update
    (p1, u1), (p2, u2), (p3, u3) = _petitions(on_both, 3)

    # When the three are sent to her within the hour, and the first again (a retry)
    first = admission.admit(p1, u1, _zoe())
    clock.advance(1200)
    second = admission.admit(p2, u2, _zoe())
    clock.advance(1200)
    third = admission.admit(p3, u3, _zoe())
    retried = admission.admit(p1, u1, _zoe())

    # Then the first goes now (and again for its retry), the two others wait for her window,
    # due when it reopens, 24 hours after the first
    assert (first, second, third, retried) == (True, False, False, True)
    entries = _entries(on_both)
    assert sorted(e["update_id"] for e in entries) == sorted([u2, u3])
    reopens = (T0 + timedelta(hours=24)).isoformat()
    assert {e["outbox_pk"] for e in entries} == {"DIGEST"}
    assert {e["outbox_sk"] for e in entries} == {reopens}
    # And an entry written again (a retried message) is the same entry
    assert admission.admit(p2, u2, _zoe()) is False
    assert len(_entries(on_both)) == 2


def test_updates_racing_for_one_persons_window_send_one_and_the_others_wait(
    on_both: Mobilise,
) -> None:
    # Given Zoé's three petitions' updates, sent to her at the same moment
    updates = _petitions(on_both, 3)

    # When three invocations admit them together
    results = at_once(3, lambda index: admission.admit(*updates[index], _zoe()))

    # Then exactly one is sent now, and the two others wait in her digest
    assert sorted(results) == [False, False, True]
    assert len(_entries(on_both)) == 2


def test_with_the_cap_off_every_update_goes_at_once_and_nothing_is_written(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNER_DAILY_CAP", "false")
    config.get_settings.cache_clear()
    updates = _petitions(mobilise, 3)
    before = mobilise.items()

    assert [admission.admit(*update, _zoe()) for update in updates] == [True, True, True]
    assert mobilise.items() == before


def _waiting(mobilise: Mobilise, count: int) -> list[tuple[str, str]]:
    """Zoé's ``count`` + 1 petitions: the first update sent to her, the others waiting."""
    updates = _petitions(mobilise, count + 1)
    assert admission.admit(*updates[0], _zoe())
    for update in updates[1:]:
        assert not admission.admit(*update, _zoe())
    return updates


def test_the_digest_goes_once_when_the_window_reopens_with_each_waiting_update(
    on_both: Mobilise,
) -> None:
    # Given two updates waiting in Zoé's digest
    mobilise = on_both
    _waiting(mobilise, 2)

    # When the schedule runs before her window reopens: nothing is due
    clock.freeze(T0 + timedelta(hours=23, minutes=59))
    assert _schedule()["digests"] == 0

    # And when it runs once it has reopened, twice (and SQS hands the message in twice)
    clock.freeze(T0 + timedelta(hours=24, minutes=1))
    assert _schedule()["digests"] == 1
    assert _schedule()["digests"] == 0  # queued already: not every minute
    (message,) = _queued_digests(mobilise)
    sending.deliver_digest(message)
    sending.deliver_digest(message)

    # Then she received one digest, with a section for each of the two petitions
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 1", "Petition 2"]
    assert _entries(mobilise) == []
    # And her window is the digest's for the next 24 hours
    window = _window(mobilise)
    assert window is not None
    assert window["holder"] == "DIGEST"
    assert "lease" not in window


def test_a_digest_message_lost_is_queued_again_and_never_twice_a_minute(
    mobilise: Mobilise,
) -> None:
    _waiting(mobilise, 1)
    clock.freeze(T0 + timedelta(hours=24))
    assert _schedule()["digests"] == 1
    _queued_digests(mobilise)  # lost

    clock.advance(store.REQUEUE.total_seconds() - 60)
    assert _schedule()["digests"] == 0
    clock.advance(60)
    assert _schedule()["digests"] == 1
    (message,) = _queued_digests(mobilise)
    sending.deliver_digest(message)
    assert len(_digests(mobilise)) == 1


@contextmanager
def _ses_refusing(code: str, *, after: int = 0) -> Iterator[None]:
    """SES accepts ``after`` emails, then refuses with ``code``."""
    original, accepted = ses.send_ready, 0

    def send(email: ses.Ready) -> str:
        nonlocal accepted
        if accepted == after:
            error = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            raise ClientError(error, "SendEmail")  # type: ignore[arg-type]
        accepted += 1
        return original(email)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ses, "send_ready", send)
        yield


def test_a_throttled_digest_gives_its_window_back_and_its_retry_sends_it_once(
    on_both: Mobilise,
) -> None:
    # Given two updates due in Zoé's digest
    mobilise = on_both
    _waiting(mobilise, 2)
    clock.freeze(T0 + timedelta(hours=24))
    message = DigestMessage(email_hash=_zoe())

    # When SES throttles the digest
    with _ses_refusing("Throttling"), pytest.raises(ses.SesUnavailable):
        sending.deliver_digest(message)

    # Then nothing was sent, the entries wait, her window is free (an update could go)
    assert _digests(mobilise) == []
    assert len(_entries(mobilise)) == 2
    assert _window(mobilise) is None
    # And the retry sends the digest once
    clock.advance(30)
    sending.deliver_digest(message)
    sending.deliver_digest(message)
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 1", "Petition 2"]


class _Died(BaseException):
    """The function's process ends (out of memory, its host lost): nothing after runs."""


def test_a_crash_after_sending_a_digest_is_the_one_window(on_both: Mobilise) -> None:
    # Given a digest due for Zoé
    mobilise = on_both
    _waiting(mobilise, 2)
    clock.freeze(T0 + timedelta(hours=24))
    message = DigestMessage(email_hash=_zoe())
    original = ses.send_ready

    def dies_after_sending(email: ses.Ready) -> str:
        original(email)
        raise _Died

    # When the function dies after SES accepted the digest, before its entries were deleted
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ses, "send_ready", dies_after_sending)
        with pytest.raises(_Died):
            sending.deliver_digest(message)
    assert len(_digests(mobilise)) == 1

    # Then a retry while its lease runs is refused (its SQS record is tried again later)
    with pytest.raises(store.DigestBusy):
        sending.deliver_digest(message)
    # And once the lease has run out, the retry sends it a second time (the documented
    # window, as for an update's email), and never again
    clock.advance(store.LEASE_SECONDS + 1)
    sending.deliver_digest(message)
    sending.deliver_digest(message)
    assert len(_digests(mobilise)) == 2
    assert _entries(mobilise) == []


def test_a_digest_holds_at_most_six_sections_and_the_rest_waits_for_the_next_day(
    mobilise: Mobilise,
) -> None:
    # Given eight updates waiting in Zoé's digest
    _waiting(mobilise, 8)

    # When her digest is sent, then the next day's
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))
    clock.advance(3600)
    assert _schedule()["digests"] == 0  # the rest is not due before her next window
    clock.freeze(T0 + timedelta(hours=48, minutes=1))
    assert _schedule()["digests"] == 1
    for message in _queued_digests(mobilise):
        sending.deliver_digest(message)

    # Then the first held six, the second the two others, each update once
    first, second = _digests(mobilise)
    assert sections_of(first) == [f"Petition {index}" for index in range(1, 7)]
    assert sections_of(second) == ["Petition 7", "Petition 8"]


def test_an_update_that_took_the_window_first_makes_the_digest_wait_a_day(
    mobilise: Mobilise,
) -> None:
    # Given an update waiting in Zoé's digest, and a new update that reaches her first when
    # her window reopens
    _waiting(mobilise, 1)
    (p_new, u_new), *_ = _petitions(mobilise, 1)
    clock.freeze(T0 + timedelta(hours=24, seconds=30))
    assert admission.admit(p_new, u_new, _zoe())

    # When the digest comes
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then it is not sent now, but a day after that update
    assert _digests(mobilise) == []
    (entry,) = _entries(mobilise)
    assert entry["outbox_sk"] == (T0 + timedelta(hours=48, seconds=30)).isoformat()


def test_a_section_the_person_left_or_whose_update_was_stopped_is_dropped(
    mobilise: Mobilise,
) -> None:
    # Given three updates waiting in Zoé's digest; she leaves the first petition, the second
    # update's starter stops it
    _, (p1, _), (p2, u2), _ = _waiting(mobilise, 3)
    Signature(*Signature.key(p1, _zoe())).update(
        actions=[Signature.unsubscribed_at.set(clock.now())]
    )
    stopped = mobilise.request("POST", f"/petitions/{p2}/updates/{u2}/stop", user="starter2")
    assert stopped.status == 200, stopped.text

    # When her digest is sent
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then it holds the third only, and nothing waits any more
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 3"]
    assert _entries(mobilise) == []


def test_a_suppressed_person_gets_no_digest_and_keeps_their_window(mobilise: Mobilise) -> None:
    from mobilise.delivery import store as delivery_store

    _waiting(mobilise, 2)
    delivery_store.suppress(_zoe(), "complaint")
    clock.freeze(T0 + timedelta(hours=24))

    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    assert _digests(mobilise) == []
    assert _entries(mobilise) == []
    window = _window(mobilise)
    assert window is not None
    assert window["holder"].startswith("UPD#")


def _leave_all_link(raw: bytes) -> str:
    found = re.search(rb"List-Unsubscribe: <(https://[^>]+)>\r\n", raw)
    assert found, "no one-click link"
    return found.group(1).decode()


def test_the_digests_one_click_link_leaves_every_petition_it_held(mobilise: Mobilise) -> None:
    # Given Zoé's digest of two petitions' updates
    _, (p1, _), (p2, _) = _waiting(mobilise, 2)
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))
    (raw,) = _digests(mobilise)
    path = _leave_all_link(raw).removeprefix("https://mobilise.test")
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw

    # When her mail client opens it, then posts it (RFC 8058), twice
    page = mobilise.request("GET", path, headers={"accept": "text/html"})
    assert page.status == 200
    assert "Petition 1" in page.text
    assert "Petition 2" in page.text
    assert all(s["unsubscribed_at"] is None for s in _zoe_signatures(mobilise))
    for _ in range(2):
        posted = mobilise.request(
            "POST",
            path,
            raw="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert posted.status == 200, posted.text

    # Then she left both petitions, not the one whose email she had before
    left = {s["petition_id"] for s in _zoe_signatures(mobilise) if s["unsubscribed_at"]}
    assert left == {p1, p2}


def test_a_forged_or_altered_digest_link_is_refused_and_changes_nothing(
    mobilise: Mobilise,
) -> None:
    _waiting(mobilise, 1)
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))
    (raw,) = _digests(mobilise)
    path = _leave_all_link(raw).removeprefix("https://mobilise.test")
    altered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    before = mobilise.items()

    page = mobilise.request("GET", altered, headers={"accept": "text/html"})
    posted = mobilise.request("POST", altered)

    assert (page.status, posted.status) == (404, 404)
    assert mobilise.items() == before


def _zoe_signatures(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [
        {"petition_id": i["petition_id"], "unsubscribed_at": i.get("unsubscribed_at")}
        for i in mobilise.items()
        if i.get("email_hash") == _zoe() and str(i["sk"]).startswith("EMAIL#")
    ]


def test_export_shows_the_window_and_waiting_updates_and_erasure_deletes_them(
    mobilise: Mobilise,
) -> None:
    # Given two updates waiting in Zoé's digest
    _, (p1, u1), (p2, u2) = _waiting(mobilise, 2)

    # When an operator exports, then erases, her personal data
    exported = mobilise.invoke("PrivacyFunction", {"action": "export", "email": ZOE})
    erased = mobilise.invoke("PrivacyFunction", {"action": "erase", "email": ZOE})

    # Then the export held her window and what waited, the erasure deleted them
    reopens = clock.isoformat(T0 + timedelta(hours=24))
    assert exported["digest"] == {
        "window_taken_at": clock.isoformat(T0),
        "petitions_followed": None,  # her signatures were written straight to the table
        "ever_waited": False,
        "waiting": [
            {"petition_id": p1, "update_id": u1, "due_at": reopens},
            {"petition_id": p2, "update_id": u2, "due_at": reopens},
        ],
    }
    assert erased["digest_entries_erased"] == 2
    assert [i for i in mobilise.items() if i["pk"] == f"PERSON#{_zoe()}"] == []
    assert Counter(str(i["pk"]).split("#")[0] for i in mobilise.items())["PERSON"] == 0


def test_with_the_cap_on_a_full_message_costs_one_window_write_an_email_more(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update for 100 signers in one shard, fanned out into one delivery message
    mobilise = on_both
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()
    addresses = [f"signer{index}@example.org" for index in range(100)]
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, addresses)
    published = mobilise.publish(petition_id, title="Capped")
    assert published.status == 201, published.text
    for queue in ("PublishQueue", "DeliveryQueue"):
        boto3.client("sqs").purge_queue(QueueUrl=mobilise.stack.refs[queue])
    hashes = sorted(crypto.email_hash(address) for address in addresses)
    message = DeliveryMessage(
        petition_id=petition_id, update_id=published.json()["update_id"], recipients=hashes
    )

    # When the deliver function sends it, its writes billed by item size
    with billed_writes() as billed:
        delivery_sending.deliver(message)

    # Then each of the 100 emails took its person's window (one write of a small item each)
    # besides the message's bookkeeping: 105 write units, 1.05 an email
    assert billed.units == {"UpdateItem": 101, "TransactWriteItems": 4}
    assert billed.total == 105
    windows = [i for i in mobilise.items() if i["sk"] == "WINDOW"]
    assert len(windows) == 100


def test_a_section_whose_update_is_paused_waits_and_goes_in_a_later_digest(
    on_both: Mobilise,
) -> None:
    # Given three updates waiting in Zoé's digest, the second paused by its circuit breaker
    mobilise = on_both
    _, _, (p2, u2), _ = _waiting(mobilise, 3)
    Update(*Update.key(p2, u2)).update(actions=[Update.status.set("paused")])

    # When her digest is sent
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then it holds the other two, and the paused one still waits (not dropped)
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 1", "Petition 3"]
    assert [e["update_id"] for e in _entries(mobilise)] == [u2]

    # And once an operator resumed it, it goes in her next digest, the day after
    Update(*Update.key(p2, u2)).update(actions=[Update.status.set("sending")])
    clock.freeze(T0 + timedelta(hours=48, minutes=1))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))
    assert [sections_of(raw) for raw in _digests(mobilise)] == [
        ["Petition 1", "Petition 3"],
        ["Petition 2"],
    ]
    assert _entries(mobilise) == []


@pytest.mark.parametrize("code", ["AccountSendingPausedException", "SendingPausedException"])
def test_ses_pausing_the_account_keeps_the_digest_until_an_operator_resumes(
    mobilise: Mobilise, code: str
) -> None:
    # Given two updates due in Zoé's digest
    _waiting(mobilise, 2)
    clock.freeze(T0 + timedelta(hours=24))
    message = DigestMessage(email_hash=_zoe())

    # When SES refuses the account's sending: the message is consumed (no retry to the DLQ)
    with _ses_refusing(code):
        sending.deliver_digest(message)

    # Then nothing was sent or lost, her window is free, and the account is paused
    assert _digests(mobilise) == []
    assert len(_entries(mobilise)) == 2
    assert _window(mobilise) is None
    assert pausing.account_paused()
    # And while it is paused, her digest waits, even though SES would now take it
    clock.advance(60)
    sending.deliver_digest(message)
    assert _digests(mobilise) == []

    # When an operator resumes the account, her digest goes, once
    pausing.resume_account()
    clock.advance(60)
    sending.deliver_digest(message)
    sending.deliver_digest(message)
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 1", "Petition 2"]


def test_an_update_that_waits_in_a_digest_is_not_sent_again_by_another_message_naming_her(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Zoé had A's update, then B's update waited in her digest, which was sent (every
    # signer in one shard, as a petition's busiest are)
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.get_settings.cache_clear()
    mobilise = on_both
    (p1, u1), (p2, u2) = _petitions(mobilise, 2)
    one = DeliveryMessage(petition_id=p1, update_id=u1, recipients=[_zoe()])
    two = DeliveryMessage(petition_id=p2, update_id=u2, recipients=[_zoe()])
    delivery_sending.deliver(one)
    delivery_sending.deliver(two)
    clock.freeze(T0 + timedelta(hours=24, minutes=1))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))
    assert [sections_of(raw) for raw in _digests(mobilise)] == [["Petition 1"]]

    # When another message of B's update names her again, with a signer who joined after
    # her (fan-out read a page twice: another message, another record), and later her next
    # digest would be due
    joined = next(  # however high her hash under this run's key (100 tries fell short once)
        address
        for address in (f"joined{n}@example.org" for n in itertools.count())
        if crypto.email_hash(address) > _zoe()
    )
    mobilise.seed_signatures(p2, [joined])
    again = [_zoe(), crypto.email_hash(joined)]
    delivery_sending.deliver(DeliveryMessage(petition_id=p2, update_id=u2, recipients=again))
    clock.freeze(T0 + timedelta(hours=48, minutes=2))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then B reached her once: in the one digest; nothing waits
    assert [sections_of(raw) for raw in _digests(mobilise)] == [["Petition 1"]]
    assert [sent["to"] for sent in mobilise.outbox() if ZOE in sent["to"]] == [[ZOE], [ZOE]]
    assert _entries(mobilise) == []


def test_a_digest_that_fails_for_a_reason_other_than_its_address_is_kept_and_tried_again(
    mobilise: Mobilise,
) -> None:
    # Given two updates due in Zoé's digest
    _waiting(mobilise, 2)
    clock.freeze(T0 + timedelta(hours=24))
    message = DigestMessage(email_hash=_zoe())

    # When building it fails for everyone's reason (the signing key could not be read)
    def unavailable(*args: Any, **kwargs: Any) -> str:
        error: Any = {"Error": {"Code": "ThrottlingException"}}
        raise ClientError(error, "GetSecretValue")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(unsubscribing, "unsubscribe_all_url", unavailable)
        with pytest.raises(ClientError):
            sending.deliver_digest(message)

    # Then nothing was sent or dropped, her window is free, and the retry sends it once
    assert _digests(mobilise) == []
    assert len(_entries(mobilise)) == 2
    assert _window(mobilise) is None
    sending.deliver_digest(message)
    (raw,) = _digests(mobilise)
    assert sections_of(raw) == ["Petition 1", "Petition 2"]


def test_a_digest_to_an_address_that_cannot_be_written_is_dropped_not_retried(
    mobilise: Mobilise,
) -> None:
    # Given two updates due in the digest of a person whose stored address SES cannot take
    # (a non-ASCII local part, from before signing refused them)
    updates = _waiting(mobilise, 2)
    for petition_id, _ in updates:
        Signature(*Signature.key(petition_id, _zoe())).update(
            actions=[Signature.email.set("josé@example.org")]
        )
    clock.freeze(T0 + timedelta(hours=24))

    # When her digest is due: the message is consumed (no retry to the dead-letter queue)
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then nothing was sent, its entries are gone, and her window is free
    assert [sent for sent in mobilise.outbox() if "josé@example.org" in sent["to"]] == []
    assert _entries(mobilise) == []
    assert _window(mobilise) is None


def test_an_entry_that_waits_longer_keeps_its_thirty_days_from_when_it_is_due(
    mobilise: Mobilise,
) -> None:
    # Given seven updates waiting in Zoé's digest: the first digest takes six
    _waiting(mobilise, 7)
    clock.freeze(T0 + timedelta(hours=24))
    sending.deliver_digest(DigestMessage(email_hash=_zoe()))

    # Then the seventh waits for the next day, and expires 30 days after that, not before
    (entry,) = _entries(mobilise)
    due_at = datetime.fromisoformat(entry["outbox_sk"])
    assert due_at == T0 + timedelta(hours=48)
    assert int(entry["expires_at"]) >= (due_at + timedelta(days=store.ENTRY_DAYS)).timestamp()
