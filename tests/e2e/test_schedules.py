"""Every schedule of template.yaml runs a function that exists, and the local stack runs each
one on demand (``POST /_local/schedules/{name}/run``) as EventBridge would."""

from __future__ import annotations

import json

from mobilise_local.lambdas import load_handler
from mobilise_local.template import read
from tests.e2e.conftest import Client

#: The schedules issue 5 asks for, by their event names in template.yaml.
EXPECTED = {"OutboxSweep", "StarterNudges", "EventReminders", "MeetingFollowups"}


def test_every_schedule_of_the_template_names_a_function_that_exists() -> None:
    # Given the schedules of template.yaml
    template = read()
    schedules = template.schedules()
    assert schedules.keys() >= EXPECTED

    # When each one's function is looked up / Then it exists, its handler loads, and the
    # schedule is a rate the local stack runs at its period
    for schedule in schedules.values():
        function = template.functions().get(schedule.function)
        assert function is not None, schedule.name
        assert callable(load_handler(function)), schedule.name
        assert schedule.every_seconds is not None, schedule.expression
        if schedule.input is not None:
            assert isinstance(json.loads(schedule.input), dict), schedule.name


def test_the_local_stack_runs_every_schedule_on_demand(stack: Client) -> None:
    # Given the local stack with nothing due
    # When each schedule of the template is run by name
    results = {}
    for name in read().schedules():
        answer = stack.call("POST", f"/_local/schedules/{name}/run")
        assert answer.status == 200, answer.body
        assert answer.json()["schedule"] == name
        results[name] = answer.json()["result"]

    # Then each ran its own job, and found nothing to do
    assert results["OutboxSweep"] == {"resent": 0, "expiring": 0}
    for name, job in (
        ("StarterNudges", "nudges"),
        ("EventReminders", "event_reminders"),
        ("MeetingFollowups", "meeting_followups"),
    ):
        assert results[name] == {"job": job, "sent": 0, "skipped": 0, "finished": True}
    # And a schedule the template does not have is a 404
    assert stack.call("POST", "/_local/schedules/Nothing/run").status == 404


def test_a_quiet_petition_nudges_its_starter_through_the_local_stack(stack: Client) -> None:
    # Given a petition of Alice's with one signer
    alice = stack.token("alice")
    petition_id = stack.create_petition(
        {
            "title": "Des arbres dans la cour",
            "description": "Plantons des arbres dans la cour de l'école.",
            "language": "fr",
            "decision_maker": {"name": "M. le Maire"},
        },
        token=alice,
    )
    signed = stack.call(
        "POST",
        f"/petitions/{petition_id}/signatures",
        {"email": "voisine@example.org", "name": "Une voisine", "wants_updates": True},
    )
    assert signed.status == 201, signed.body

    # When 7 days pass and the daily nudge schedule runs
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 7 * 86_400}).status == 200
    ran = stack.call("POST", "/_local/schedules/StarterNudges/run")

    # Then Alice gets one nudge, in French, whose off link works over HTTP
    assert ran.json()["result"]["sent"] == 1, ran.body
    [nudge] = [e for e in stack.outbox() if e["to"] == ["alice@example.test"]]
    assert "depuis 7 jours" in nudge["subject"]
    off = nudge["headers"]["List-Unsubscribe"].strip("<>")
    assert stack.call("POST", off, form="List-Unsubscribe=One-Click").status == 200
    # And a week later, nudges off, nothing more comes
    assert stack.call("POST", "/_local/clock", {"advance_seconds": 7 * 86_400}).status == 200
    again = stack.call("POST", "/_local/schedules/StarterNudges/run")
    assert again.json()["result"]["sent"] == 0
