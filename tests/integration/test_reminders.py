"""Scheduled reminders (issue 5): the starter's nudge and its off switch, the event reminder,
the meeting follow-up; each sent once, with the clock moved through ``mobilise.core.clock``.

This branch's publish path does not yet set the EVENT and MEETING due keys (the publishing
engineer adds them): the tests set them on the published update with the same
``due.after_publish`` the publisher will call.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.stub import Stubber

from mobilise.core import aws, clock, crypto, links
from mobilise.delivery import pausing
from mobilise.delivery.ses import SesUnavailable
from mobilise.reminders import due, jobs, outgoing
from mobilise.table.models import JobRecord, Petition, Rsvp, Signature, Update, bound
from tests.integration.harness import Mobilise, event
from tests.integration.test_breaker import alarmed, operators, subscribe_operators

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = 86_400
STARTER = "alice@example.test"


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(START)  # tests/conftest.py puts the system clock back after each test


def run(mobilise: Mobilise, job: str) -> dict[str, Any]:
    """One scheduled run, as EventBridge invokes the function with the schedule's input."""
    result: dict[str, Any] = mobilise.invoke(
        "RemindersFunction", event("scheduled_reminders.json", job=job)
    )
    return result


def to_starter(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [email for email in mobilise.outbox() if email["to"] == [STARTER]]


def signed_petition(mobilise: Mobilise, signers: int = 3, **overrides: Any) -> str:
    petition_id = mobilise.create_petition(**overrides)
    for index in range(signers):
        assert mobilise.sign(petition_id, f"signer{index}@example.org").status == 201
    return petition_id


def suggested_types(email: dict[str, Any], petition_id: str) -> list[str]:
    """The update types a nudge links to, in order: the ``type`` of each form link."""
    found = re.findall(rf"https://\S+/app/petitions/{petition_id}/compose\?type=\w+", email["text"])
    return [parse_qs(urlsplit(link).query)["type"][0] for link in found]


def petition_item(petition_id: str) -> Petition:
    bound()
    return Petition.get(*Petition.key(petition_id))


def publish(mobilise: Mobilise, petition_id: str, **body: Any) -> Update:
    """Publish, then give the update the due key the publisher will set (see the docstring)."""
    reply = mobilise.publish(petition_id, **body)
    assert reply.status == 201, reply.text
    bound()
    update = Update.get(*Update.key(petition_id, reply.json()["update_id"]))
    pending = due.after_publish(update.type, update.fields)
    if pending is not None:
        kind, at = pending
        update.update(actions=[Update.outbox_pk.set(kind), Update.outbox_sk.set(due.when(at))])
    return update


# The starter's nudge --------------------------------------------------------------------------


def test_a_quiet_petition_nudges_its_starter_at_7_days_once_then_a_week_later(
    mobilise: Mobilise,
) -> None:
    # Given an open petition with 3 signers and no update
    petition_id = signed_petition(mobilise)

    # When the daily run comes 6 days after it started / Then nothing is sent
    clock.advance(6 * DAY)
    assert run(mobilise, "nudges")["sent"] == 0
    assert to_starter(mobilise) == []

    # When it comes at 7 days / Then the starter gets one nudge, in the petition's language,
    # saying how long and how many signers wait, with ideas that open the update form
    clock.advance(DAY)
    assert run(mobilise, "nudges")["sent"] == 1
    [nudge] = to_starter(mobilise)
    assert nudge["subject"] == "3 signers have heard nothing for 7 days: Save the Bois de Vincennes"
    assert "no update for 7 days, and 3 signers" in nudge["text"]
    assert 2 <= len(suggested_types(nudge, petition_id)) <= 3
    assert "/nudges/off/" in nudge["headers"]["List-Unsubscribe"]

    # When the same day's run comes again / Then nothing more is sent
    clock.advance(3600)
    assert run(mobilise, "nudges")["sent"] == 0
    assert len(to_starter(mobilise)) == 1

    # When, still quiet, 7 more days pass / Then the next nudge comes, and only one
    clock.advance(7 * DAY - 3600)
    assert run(mobilise, "nudges")["sent"] == 1
    assert run(mobilise, "nudges")["sent"] == 0
    second = to_starter(mobilise)[-1]
    assert len(to_starter(mobilise)) == 2
    assert "for 14 days" in second["subject"]


def test_a_starter_address_no_email_can_carry_costs_no_other_starter_their_nudge(
    mobilise: Mobilise,
) -> None:
    # Given two quiet petitions, one of whose starters has an address SES cannot take (an
    # accented local part, put in the table directly)
    refused = signed_petition(mobilise, owner="bob")
    petition_item(refused).update(actions=[Petition.owner_email.set("josé@example.org")])
    signed_petition(mobilise)

    # When the daily run comes at 7 days
    clock.advance(7 * DAY)
    result = run(mobilise, "nudges")

    # Then the other starter is nudged, and the run ends (that nudge is not tried again)
    assert result["sent"] == 1
    assert len(to_starter(mobilise)) == 1
    assert len(mobilise.outbox()) == 1
    assert run(mobilise, "nudges")["sent"] == 0


def test_a_nudge_is_recorded_before_it_is_sent_so_its_due_time_never_sends_twice(
    mobilise: Mobilise,
) -> None:
    # Given a petition nudged at 7 days
    petition_id = signed_petition(mobilise)
    first_due = petition_item(petition_id).outbox_sk
    clock.advance(7 * DAY)
    assert run(mobilise, "nudges")["sent"] == 1

    # When its NUDGE key is back at the due time it was sent for (a run that died after the
    # send, before it moved the key)
    petition_item(petition_id).update(actions=[Petition.outbox_sk.set(first_due)])
    result = run(mobilise, "nudges")

    # Then its job record stops a second email, and the key moves on
    assert result["sent"] == 0
    assert len(to_starter(mobilise)) == 1
    assert JobRecord.count(f"RUN#nudge#{petition_id}") == 1
    assert petition_item(petition_id).outbox_sk == (clock.now() + timedelta(days=7)).isoformat()


def test_the_suggestions_leave_out_the_types_the_petition_used_lately(
    mobilise: Mobilise,
) -> None:
    # Given a petition that never published, and one that published a press article then
    # asked for testimonies, both then quiet for 7 days
    untouched = signed_petition(mobilise)
    active = signed_petition(mobilise)
    publish(
        mobilise,
        active,
        type="press",
        article_url="https://news.example.org/woods",
        outlet="Le Parisien",
        headline="The woods stay open",
    )
    clock.advance(DAY)
    publish(mobilise, active, type="ask_testimony", prompt="Why do the woods matter to you?")
    clock.advance(7 * DAY)

    # When the daily run comes
    assert run(mobilise, "nudges")["sent"] == 2

    # Then the petition that used press and testimonies is offered other types
    by_petition = {
        petition_id: suggested_types(email, petition_id)
        for email in to_starter(mobilise)
        for petition_id in (untouched, active)
        if f"/petitions/{petition_id}/" in email["text"]
    }
    assert by_petition[untouched] == ["press", "ask_testimony", "call_to_action"]
    assert by_petition[active] == ["call_to_action", "event", "decision_maker_meeting"]
    assert "for 7 days" in next(e for e in to_starter(mobilise) if active in e["text"])["text"]


def test_no_nudge_without_signers_or_while_an_update_is_scheduled(mobilise: Mobilise) -> None:
    # Given a petition nobody signed, and a signed one with an update scheduled
    nobody = mobilise.create_petition()
    scheduled = signed_petition(mobilise)
    petition_item(scheduled).update(actions=[Petition.scheduled_update_id.set("01J0" + "0" * 22)])

    # When both have been quiet for 7 days and the daily run comes
    clock.advance(7 * DAY)
    result = run(mobilise, "nudges")

    # Then no nudge goes out, and both are looked at again the next day
    assert result["sent"] == 0
    assert to_starter(mobilise) == []
    tomorrow = (clock.now() + timedelta(days=1)).isoformat()
    assert petition_item(nobody).outbox_sk == tomorrow
    assert petition_item(scheduled).outbox_sk == tomorrow


def test_the_starter_switches_nudges_off_with_the_link_of_the_nudge(mobilise: Mobilise) -> None:
    # Given a nudge, whose List-Unsubscribe is the starter's off switch
    petition_id = signed_petition(mobilise)
    clock.advance(7 * DAY)
    run(mobilise, "nudges")
    [nudge] = to_starter(mobilise)
    off = urlsplit(nudge["headers"]["List-Unsubscribe"].strip("<>")).path
    assert off in nudge["text"]

    # When the link is opened / Then a page asks, and nothing is switched off yet
    page = mobilise.request("GET", off, headers={"Accept": "text/html"})
    assert page.status == 200
    assert '<form method="post">' in page.text
    assert "Save the Bois de Vincennes" in page.text
    assert not petition_item(petition_id).nudges_off

    # When the mail client posts RFC 8058 one-click to it
    done = mobilise.request(
        "POST",
        off,
        raw="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    # Then the petition's nudges are off, out of the index, and no nudge comes again
    assert done.status == 200, done.text
    assert done.json()["status"] == "nudges_off"
    item = petition_item(petition_id)
    assert item.nudges_off is True
    assert "outbox_pk" not in item.attribute_values
    assert "outbox_sk" not in item.attribute_values
    clock.advance(14 * DAY)
    assert run(mobilise, "nudges")["sent"] == 0
    assert len(to_starter(mobilise)) == 1
    # And again is the same answer
    assert mobilise.request("POST", off).status == 200


def test_a_tampered_off_link_is_refused_and_changes_nothing(mobilise: Mobilise) -> None:
    # Given a petition's genuine off link, and the same link with one character changed
    petition_id = signed_petition(mobilise)
    token = links.nudges_off_url(petition_id).rsplit("/", 1)[1]
    tampered = token[:5] + ("B" if token[5] == "A" else "A") + token[6:]
    before = mobilise.items()

    # When the tampered link is opened and posted
    page = mobilise.request("GET", f"/nudges/off/{tampered}", headers={"Accept": "text/html"})
    post = mobilise.request("POST", f"/nudges/off/{tampered}")

    # Then both are refused as an invalid link, and nothing changed
    assert page.status == 404
    assert post.status == 404
    assert post.json()["error"]["code"] == "invalid_link"
    assert mobilise.items() == before
    # And the genuine one works
    assert mobilise.request("POST", f"/nudges/off/{token}").status == 200
    assert petition_item(petition_id).nudges_off is True


def test_a_nudge_ses_throttles_is_not_recorded_and_the_next_run_sends_it(
    mobilise: Mobilise,
) -> None:
    # Given a petition quiet for 7 days
    petition_id = signed_petition(mobilise)
    clock.advance(7 * DAY)
    due_at = petition_item(petition_id).outbox_sk

    # When SES throttles the nudge
    with Stubber(aws.sesv2()) as ses:
        ses.add_client_error("send_email", service_error_code="Throttling", http_status_code=400)
        with pytest.raises(SesUnavailable):
            run(mobilise, "nudges")

    # Then nothing is recorded and the nudge is still due
    assert JobRecord.count(f"RUN#nudge#{petition_id}") == 0
    assert petition_item(petition_id).outbox_sk == due_at
    assert to_starter(mobilise) == []
    # And the next run sends it
    assert run(mobilise, "nudges")["sent"] == 1
    assert len(to_starter(mobilise)) == 1


@pytest.mark.parametrize("paused", ["known before", "met sending"])
def test_a_nudge_waits_out_the_accounts_pause_without_failing_and_is_sent_after_a_resume(
    mobilise: Mobilise, paused: str
) -> None:
    # Given a petition quiet for 7 days, the operators listening, and SES pausing the
    # account's sending: known from an earlier send, or met by the nudge
    petition_id = signed_petition(mobilise)
    clock.advance(7 * DAY)
    subscribe_operators(mobilise)

    # When the day's run comes
    if paused == "known before":
        pausing.account_refused("AccountSendingPausedException")
        answer = run(mobilise, "nudges")
    else:
        with Stubber(aws.sesv2()) as ses:
            ses.add_client_error("send_email", service_error_code="AccountSendingPausedException")
            answer = run(mobilise, "nudges")

    # Then it sends nothing, does not fail (no error for the schedule to retry, no alarm of
    # errors), records nothing, and the account's pause is set, the operators alerted once
    assert answer == {"job": "nudges", "waiting": "account sending paused"}
    assert to_starter(mobilise) == []
    assert JobRecord.count(f"RUN#nudge#{petition_id}") == 0
    assert alarmed(mobilise) == [
        {"event": "account sending paused", "code": "AccountSendingPausedException"}
    ]
    # And once an operator resumes, the next run sends it
    operators(mobilise, "resume_account")
    assert run(mobilise, "nudges")["sent"] == 1
    assert len(to_starter(mobilise)) == 1


def test_a_nudge_ses_rejects_for_good_is_not_tried_again(mobilise: Mobilise) -> None:
    # Given a petition quiet for 7 days, whose nudge SES rejects
    petition_id = signed_petition(mobilise)
    clock.advance(7 * DAY)
    with Stubber(aws.sesv2()) as ses:
        ses.add_client_error("send_email", service_error_code="MessageRejected")
        assert run(mobilise, "nudges")["sent"] == 0

    # When the next day's run comes / Then it is not tried again before a week has passed
    clock.advance(DAY)
    assert run(mobilise, "nudges")["sent"] == 0
    assert JobRecord.count(f"RUN#nudge#{petition_id}") == 1
    assert to_starter(mobilise) == []


def test_a_french_petition_is_nudged_in_french(mobilise: Mobilise) -> None:
    signed_petition(mobilise, title="Sauvons le bois", language="fr")
    clock.advance(7 * DAY)
    run(mobilise, "nudges")
    [nudge] = to_starter(mobilise)
    assert nudge["subject"] == "3 signataires sans nouvelles depuis 7 jours : Sauvons le bois"


# The event reminder ---------------------------------------------------------------------------

EVENT_STARTS = START + timedelta(days=3)


def publish_event(mobilise: Mobilise, petition_id: str) -> Update:
    return publish(
        mobilise,
        petition_id,
        type="event",
        title="Human chain around the woods",
        kind="demonstration",
        starts_at=EVENT_STARTS.isoformat(),
        time_zone="Europe/Paris",
        place="Porte Dorée, Paris 12e",
    )


def rsvp(petition_id: str, update_id: str, address: str, answer: str) -> None:
    bound()
    email_hash = crypto.email_hash(address)
    Rsvp(
        *Rsvp.key(petition_id, update_id, email_hash),
        petition_id=petition_id,
        update_id=update_id,
        answer=answer,
        email_key=email_hash,
        answered_at=clock.now(),
    ).save()


def reminders_sent(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [
        email
        for email in mobilise.outbox()
        if email["subject"]
        in ("Tomorrow: Human chain around the woods", "Demain : Human chain around the woods")
    ]


def test_an_event_reminds_the_3_who_said_yes_once_and_nobody_else(mobilise: Mobilise) -> None:
    # Given an event of a petition with 10 signers: 3 said yes (one reads French), 2 said no,
    # 5 did not answer
    petition_id = signed_petition(mobilise, signers=0)
    addresses = [f"signer{index}@example.org" for index in range(10)]
    for index, address in enumerate(addresses):
        language = "fr" if index == 0 else "en"
        assert mobilise.sign(petition_id, address, language=language).status == 201
    update = publish_event(mobilise, petition_id)
    for address in addresses[:3]:
        rsvp(petition_id, update.update_id, address, "yes")
    for address in addresses[3:5]:
        rsvp(petition_id, update.update_id, address, "no")

    # When the hourly run comes more than a day before it / Then nothing is sent
    assert run(mobilise, "event_reminders")["sent"] == 0

    # When it comes 24 hours before the event
    clock.freeze(EVENT_STARTS - timedelta(hours=24) + timedelta(minutes=5))
    result = run(mobilise, "event_reminders")

    # Then the 3 who said yes get one reminder each, with the date, the place and the .ics
    assert result == {"job": "event_reminders", "sent": 3, "skipped": 0, "finished": True}
    sent = reminders_sent(mobilise)
    assert sorted(email["to"][0] for email in sent) == sorted(addresses[:3])
    for email in sent:
        assert "2026-12-04 10:00 (Europe/Paris)" in email["text"]
        assert "Porte Dorée, Paris 12e" in email["text"]
        assert f"/petitions/{petition_id}/updates/{update.update_id}/event.ics" in email["text"]
        assert "/unsubscribe/" in email["headers"]["List-Unsubscribe"]
    french = next(email for email in sent if email["to"] == [addresses[0]])
    assert french["subject"] == "Demain : Human chain around the woods"

    # And each is recorded under the signer's hash, deleted (TTL) two days after the event
    records = list(JobRecord.query(f"RUN#event-reminder#{update.update_id}"))
    assert sorted(record.sk for record in records) == sorted(
        crypto.email_hash(address) for address in addresses[:3]
    )
    assert {record.expires_at for record in records} == {EVENT_STARTS + timedelta(days=2)}

    # And a second run sends nothing more; the event is out of the index
    assert run(mobilise, "event_reminders")["sent"] == 0
    assert len(reminders_sent(mobilise)) == 3
    assert Update.get(*Update.key(petition_id, update.update_id)).outbox_pk is None


def test_a_yes_sayer_who_unsubscribed_gets_no_reminder(mobilise: Mobilise) -> None:
    # Given an event two signers said yes to, one of whom unsubscribed since
    petition_id = signed_petition(mobilise, signers=2)
    update = publish_event(mobilise, petition_id)
    for index in range(2):
        rsvp(petition_id, update.update_id, f"signer{index}@example.org", "yes")
    gone = Signature.get(*Signature.key(petition_id, crypto.email_hash("signer1@example.org")))
    gone.update(actions=[Signature.unsubscribed_at.set(clock.now())])

    # When the reminders are due
    clock.freeze(EVENT_STARTS - timedelta(hours=23))
    result = run(mobilise, "event_reminders")

    # Then only the other one is reminded
    assert (result["sent"], result["skipped"]) == (1, 1)
    assert [email["to"] for email in reminders_sent(mobilise)] == [["signer0@example.org"]]


def test_event_reminders_stop_before_the_timeout_and_the_next_run_continues(
    mobilise: Mobilise,
) -> None:
    # Given an event 60 signers said yes to (more than a page of RSVPs)
    petition_id = mobilise.create_petition()
    addresses = [f"yes{index}@example.org" for index in range(60)]
    mobilise.seed_signatures(petition_id, addresses)
    update = publish_event(mobilise, petition_id)
    for address in addresses:
        rsvp(petition_id, update.update_id, address, "yes")
    clock.freeze(EVENT_STARTS - timedelta(hours=24))

    # When a run is short of time after its first page of RSVPs
    answers = iter([60_000])
    first = jobs.run("event_reminders", lambda: next(answers, 1_000))

    # Then it stopped there, and the event is still due
    assert first["finished"] is False
    assert first["sent"] == outgoing.PAGE
    assert Update.get(*Update.key(petition_id, update.update_id)).outbox_pk == "EVENT"

    # When the next run has time / Then it sends the rest, and nobody twice
    second = jobs.run("event_reminders", lambda: 60_000)
    assert second["finished"] is True
    assert second["sent"] == 60 - outgoing.PAGE
    assert sorted(email["to"][0] for email in reminders_sent(mobilise)) == sorted(addresses)
    assert jobs.run("event_reminders", lambda: 60_000)["sent"] == 0


# The meeting follow-up ------------------------------------------------------------------------

MEETING_AT = START + timedelta(days=2)


def meeting(mobilise: Mobilise, petition_id: str, status: str, **extra: Any) -> Update:
    return publish(
        mobilise,
        petition_id,
        type="decision_maker_meeting",
        title=f"Meeting with the mayor: {status}",
        meeting_status=status,
        meeting_at=MEETING_AT.isoformat(),
        time_zone="Europe/Paris",
        **extra,
    )


def follow_ups(mobilise: Mobilise) -> list[dict[str, Any]]:
    return [e for e in to_starter(mobilise) if e["subject"].startswith("How did the meeting go?")]


def test_the_starter_is_asked_how_the_meeting_went_once_after_its_date(
    mobilise: Mobilise,
) -> None:
    # Given a petition that announced a meeting with the decision-maker in 2 days
    petition_id = signed_petition(mobilise)
    update = meeting(mobilise, petition_id, "obtained")

    # When the daily run comes before the date / Then nothing is sent
    clock.advance(DAY)
    assert run(mobilise, "meeting_followups")["sent"] == 0

    # When it comes after the date
    clock.freeze(MEETING_AT + timedelta(hours=3))
    assert run(mobilise, "meeting_followups")["sent"] == 1

    # Then the starter is asked, once, with a link to tell signers how it went
    [email] = follow_ups(mobilise)
    assert "The Mayor" in email["text"]
    assert "2026-12-03 10:00 (Europe/Paris)" in email["text"]
    assert f"/app/petitions/{petition_id}/compose?type=decision_maker_meeting" in email["text"]
    assert run(mobilise, "meeting_followups")["sent"] == 0
    clock.advance(DAY)
    assert run(mobilise, "meeting_followups")["sent"] == 0
    assert len(follow_ups(mobilise)) == 1
    assert Update.get(*Update.key(petition_id, update.update_id)).outbox_pk is None


def test_no_follow_up_when_a_later_update_reports_the_meeting_held(mobilise: Mobilise) -> None:
    # Given a meeting announced, then, after it, an update that reports it held
    petition_id = signed_petition(mobilise)
    announced = meeting(mobilise, petition_id, "obtained")
    clock.freeze(MEETING_AT + timedelta(hours=2))
    meeting(mobilise, petition_id, "held", outcome="The mayor will answer in January.")

    # When the daily run comes
    result = run(mobilise, "meeting_followups")

    # Then the starter is not asked, and the meeting is out of the index
    assert result["sent"] == 0
    assert follow_ups(mobilise) == []
    assert Update.get(*Update.key(petition_id, announced.update_id)).outbox_pk is None


def test_a_starter_who_switched_reminders_off_is_not_asked_about_the_meeting(
    mobilise: Mobilise,
) -> None:
    # Given a meeting announced on a petition whose starter then switched reminders off
    petition_id = signed_petition(mobilise)
    meeting(mobilise, petition_id, "obtained")
    off = urlsplit(links.nudges_off_url(petition_id)).path
    assert mobilise.request("POST", off).status == 200

    # When the follow-up is due / Then it is not sent
    clock.freeze(MEETING_AT + timedelta(hours=3))
    assert run(mobilise, "meeting_followups")["sent"] == 0
    assert follow_ups(mobilise) == []


def test_a_job_the_schedules_do_not_name_is_refused(mobilise: Mobilise) -> None:
    with pytest.raises(ValueError, match="no reminder job named 'everything'"):
        run(mobilise, "everything")
