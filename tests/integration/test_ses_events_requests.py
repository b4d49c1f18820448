"""What the SES events function asks of DynamoDB for an event that changes nothing: nothing.
Its IAM policy (template.yaml) allows what adding to counters takes, not reading them back
by query: a batch that read them (a transient bounce while its update's fan-out still ran)
failed on AWS, went back to its queue with the counters it had added, and was counted again
at every retry (moto does not enforce IAM: the requests are what the test can see)."""

from __future__ import annotations

from mobilise_bench.counting import RequestCounter

from mobilise.core import clock
from mobilise_local import ses_feedback
from tests.integration.harness import Mobilise
from tests.integration.test_breaker import handle, sending_update, sent_to, system

__all__ = ["system"]  # the fixture: Mobilise on moto, then on DynamoDB Local


def test_a_transient_bounce_makes_no_request_to_the_table(system: Mobilise) -> None:
    # Given an update being sent, and a transient bounce of one of its emails
    petition_id, update_id = sending_update(system)
    address = next(iter(sent_to(system)))
    bounce = {"type": "bounce", "bounce_type": "Transient", "email": address}
    ses_event = ses_feedback.event(
        {**bounce, "petition_id": petition_id, "update_id": update_id}, clock.now()
    )
    ses_feedback.publish(system.stack.refs["SesEventsTopic"], ses_event)

    # When the SES events function handles it
    with RequestCounter() as counter, counter.acting("SesEventsFunction"):
        assert len(handle(system, "SesEventsQueue", "SesEventsFunction")) == 1

    # Then it read and wrote nothing in the table (a transient bounce counts for nothing)
    assert (
        counter.counts.by_operation()
        .keys()
        .isdisjoint({("dynamodb", operation) for operation in ("Query", "UpdateItem", "GetItem")})
    ), counter.counts.by_operation()
