"""An operator can always finish a resume: the account's resume cut short (more parked
messages than one call re-enqueues) goes on when run again, though its pause is gone; and a
cancel racing a message's parking lets nothing of it be sent."""

from __future__ import annotations

from collections import Counter

import pytest

from mobilise.delivery import parking, pausing
from mobilise.delivery.messages import DeliveryMessage
from tests.integration.harness import Mobilise
from tests.integration.test_breaker import (
    SIGNERS,
    _take,
    handle,
    operators,
    sending_update,
    sent_to,
    system,
)

__all__ = ["system"]  # the fixture: Mobilise on moto, then on DynamoDB Local


def test_an_account_resume_cut_short_goes_on_when_run_again(
    system: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the account's pause, two messages of an update parked for it, and a resume that
    # re-enqueues one message an update a call
    petition_id, update_id = sending_update(system)
    assert pausing.pause_account("AccountSendingPausedException")
    while received := _take(system, "DeliveryQueue"):
        for body in received:
            assert parking.park(DeliveryMessage.from_json(body), "account")
    monkeypatch.setattr(parking, "DRAIN_LIMIT", 1)
    named = {"petition_id": petition_id, "update_id": update_id}

    # When the operator resumes the account's sending
    first = operators(system, "resume_account")

    # Then the pause is lifted, one message re-enqueued, and the update left is named, in
    # the answer and in the list of what is paused
    assert (first["requeued"], first["parked_left"]) == (1, 1)
    assert pausing.hold_of(petition_id, update_id) is None
    listed = operators(system, "paused")
    assert listed["account"] is None

    # When they run it again
    second = operators(system, "resume_account")

    # Then it re-enqueues the rest, and nothing is left to name; a third run is refused
    assert second == {"status": "sending", "requeued": 1, "parked_left": 0, "updates_left": []}
    assert first["updates_left"] == [named]
    assert listed["account_parked"] == [named]
    assert operators(system, "paused")["account_parked"] == []
    assert operators(system, "resume_account")["error"]["code"] == "conflict"
    # and every signer gets the update exactly once
    system.run_queues()
    assert sent_to(system) == Counter(dict.fromkeys(SIGNERS, 1))


def test_a_message_whose_parking_a_cancel_raced_sends_nothing(
    system: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a warm deliver function that sent the first 50 (it trusts for a while that the
    # update is not stopped), then the update paused
    petition_id, update_id = sending_update(system)
    assert pausing.pause(petition_id, update_id, "complaints")
    ids = {"petition_id": petition_id, "update_id": update_id}

    # and an operator's cancel that lands between that function's reading of the pause and
    # its parking of the next message (the real parking runs after it)
    park = parking.park

    def cancelled_first(message: DeliveryMessage, hold: parking.Hold) -> bool:
        assert operators(system, "cancel", **ids)["status"] == "stopped"
        monkeypatch.setattr(parking, "park", park)
        return park(message, hold)

    monkeypatch.setattr(parking, "park", cancelled_first)

    # When the function is handed that message
    assert len(handle(system, "DeliveryQueue", "DeliverFunction", most=1)) == 1

    # Then none of its recipients is sent to: they are spared, as a stop's are
    assert sum(sent_to(system).values()) == 50
    system.run_queues()
    assert sum(sent_to(system).values()) == 50
    stats = system.stats(petition_id, update_id)
    assert (stats["state"], stats["sent"], stats["spared"]) == ("stopped", 50, 70)
