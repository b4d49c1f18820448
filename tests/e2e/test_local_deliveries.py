"""The operators' commands on paused deliveries on the local stack: ``/_local/deliveries/*``
stands for the IAM-only ModerationFunction that ``infra/deliveries.py`` invokes on AWS."""

from __future__ import annotations

from tests.e2e.conftest import Client


def test_an_operator_reads_what_is_paused_and_is_refused_what_cannot_be_done(
    stack: Client,
) -> None:
    # When the operator asks what is paused on a stack where nothing is
    listed = stack.call("POST", "/_local/deliveries/paused", {})

    # Then nothing is, neither the account nor an update
    assert listed.status == 200, listed.body
    assert listed.json() == {"account": None, "updates": [], "account_parked": []}

    # And resuming the account's sending, which is not paused, is refused with why
    resumed = stack.call("POST", "/_local/deliveries/resume_account", {})
    assert resumed.status == 409
    assert resumed.json()["error"]["message"] == "The account's sending is not paused."
    # and a resume naming no update is a bad request, saying what is expected
    bad = stack.call("POST", "/_local/deliveries/resume", {})
    assert bad.status == 400
    assert bad.json()["error"]["message"] == '{"petition_id": "…", "update_id": "…"} expected.'
