"""The pauses on the send path, end to end through the queues: complaints arriving through
the SES events queue mid-send pause an update at the threshold (its other messages are
parked, none sent, none lost); resuming sends exactly the rest; cancelling sends nothing
more; the alarm fires once. SES refusing the whole account's sending
(AccountSendingPaused) pauses delivery without failing a single recipient; resuming sends
them all."""

from __future__ import annotations

from collections import Counter

import pytest

from mobilise.delivery import parking, ses
from tests.integration.harness import Mobilise
from tests.integration.ses_faults import ses_refusing_after
from tests.integration.test_breaker import (
    SIGNERS,
    alarmed,
    complain,
    handle,
    operators,
    sending_update,
    sent_to,
    shown,
    system,
)
from tests.integration.test_moderation import _told as told

__all__ = ["system"]  # the fixture: Mobilise on moto, then on DynamoDB Local


def paused_mid_send(mobilise: Mobilise) -> tuple[str, str]:
    """An update paused by two complaints of the 50 first recipients (past 2 %), then its
    two other delivery messages handed to the deliver function."""
    petition_id, update_id = sending_update(mobilise)
    first = list(sent_to(mobilise))
    complain(mobilise, first[0], petition_id, update_id)
    complain(mobilise, first[1], petition_id, update_id)
    assert shown(mobilise, petition_id, update_id)["status"] == "paused"
    mobilise.run_queues()
    return petition_id, update_id


def test_complaints_mid_send_pause_the_rest_and_a_resume_sends_exactly_it(
    system: Mobilise,
) -> None:
    # Given an update paused by complaints mid-send, its other messages handed in
    petition_id, update_id = paused_mid_send(system)

    # and a third recipient complains meanwhile
    complain(system, list(sent_to(system))[2], petition_id, update_id)

    # Then they were parked and consumed: nothing more sent, nothing left on the queue
    assert sum(sent_to(system).values()) == 50
    assert system.queue_depth("DeliveryQueue") == 0
    assert parking.count(petition_id, update_id) == 2
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["complained"]) == ("paused", 50, 3)

    # When an operator resumes it
    resumed = operators(system, "resume", petition_id=petition_id, update_id=update_id)
    assert resumed["requeued"] == 2
    system.run_queues()

    # Then every signer received it exactly once, and it is sent
    assert sent_to(system) == Counter(dict.fromkeys(SIGNERS, 1))
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["failed"]) == ("sent", 120, 0)
    # and the operators were alerted once, the starter told once
    assert len(alarmed(system)) == 1
    assert len(told(system)) == 1


def test_a_cancelled_update_sends_nothing_more(system: Mobilise) -> None:
    # Given an update paused by complaints mid-send, its other messages parked
    petition_id, update_id = paused_mid_send(system)

    # When an operator cancels it, and whatever was on the queues is handled
    cancelled = operators(system, "cancel", petition_id=petition_id, update_id=update_id)
    system.run_queues()

    # Then nothing more was sent; the 70 parked recipients are counted spared
    assert cancelled["settled"] == 2
    assert sum(sent_to(system).values()) == 50
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["spared"]) == ("stopped", 50, 70)
    assert stats["sent"] + stats["failed"] + stats["skipped"] + stats["spared"] == 120
    assert len(alarmed(system)) == 1


def test_a_paused_update_stays_public_where_its_emails_link(system: Mobilise) -> None:
    # Given an update paused mid-send (50 signers already have its email)
    petition_id, update_id = paused_mid_send(system)

    # When one of them follows the email's link to its page
    page = system.request("GET", f"/p/{petition_id}/updates/{update_id}")

    # Then the page is there, as for any update that was emailed
    assert page.status == 200, page.text


@pytest.mark.parametrize("status", ["ACCOUNT_SENDING_PAUSED", "CONFIGURATION_SET_SENDING_PAUSED"])
def test_ses_pausing_the_account_fails_nobody_and_resuming_sends_everyone_once(
    system: Mobilise, status: str
) -> None:
    # Given an update of 120 signers fanned out into three delivery messages
    petition_id, update_id = sending_update(system, deliver_first=False)
    code = ses.BULK_STATUS[status]

    # When SES accepts ten emails of the first message, then refuses the account's sending
    with ses_refusing_after(10, status):
        assert len(handle(system, "DeliveryQueue", "DeliverFunction", most=1)) == 1
    # and the other two messages come
    system.run_queues()

    # Then no recipient is failed, the three messages are parked, the operators alerted once
    # (the ten SES took are in the message's record, counted when it settles)
    stats = system.stats(petition_id, update_id)
    assert (stats["failed"], stats["state"]) == (0, "sending")
    assert parking.count(petition_id, update_id) == 3
    assert system.queue_depth("DeliveryQueue") == 0
    (alarm,) = alarmed(system)
    assert alarm == {"event": "account sending paused", "code": code}
    assert operators(system, "paused")["account"]["code"] == code

    # When an operator resumes the account's sending
    resumed = operators(system, "resume_account")
    system.run_queues()

    # Then everyone received the update exactly once (the ten SES took are not sent again)
    assert resumed["requeued"] == 3
    received = sent_to(system)
    assert sum(received.values()) == 120
    assert max(received.values()) == 1
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["failed"]) == ("sent", 120, 0)
    assert alarmed(system) == []
