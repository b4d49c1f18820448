"""A signature's confirmation while SES has paused the account's sending: nobody failed and
nothing reaches the dead-letter queue (whose five receives a pause of days would use up); the
message goes round the delivery queue, hidden 15 minutes at a time, until an operator
resumes; then it is sent, once. What goes back to the queue is read as it left (the
SendMessage request botocore sends)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import boto3
import pytest

from mobilise.delivery import pausing
from tests.integration.harness import Mobilise, running_on_moto
from tests.integration.requests_sent import requests_sent
from tests.integration.ses_faults import refusing_ses
from tests.integration.test_breaker import alarmed, handle, operators, subscribe_operators

SIGNER = "late@example.org"
PAUSED = "AccountSendingPausedException"


@pytest.fixture
def mobilise() -> Iterator[Mobilise]:
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        yield system


def _to(mobilise: Mobilise, address: str) -> list[dict[str, Any]]:
    return [email for email in mobilise.outbox() if email["to"] == [address]]


@pytest.mark.parametrize("paused", ["known before", "met sending"])
def test_a_confirmation_waits_out_the_accounts_pause_then_is_sent_once(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch, paused: str
) -> None:
    # Given a petition, the operators listening, and SES pausing the account's sending:
    # known from an earlier send, or met by this confirmation's own
    petition_id = mobilise.create_petition()
    subscribe_operators(mobilise)
    refusing: AbstractContextManager[None] = nullcontext()
    if paused == "known before":
        pausing.account_refused(PAUSED)
    else:
        refusing = refusing_ses(PAUSED)

    # When someone signs and the deliver function takes their confirmation
    assert mobilise.sign(petition_id, SIGNER).status < 300
    requests = requests_sent(monkeypatch)
    with refusing:
        (body,) = handle(mobilise, "DeliveryQueue", "DeliverFunction")  # none failed

    # Then nothing was sent, and the same message went back to the delivery queue, hidden
    # for 15 minutes; the account's pause is set, the operators alerted once
    assert _to(mobilise, SIGNER) == []
    assert [(m["QueueUrl"], m["MessageBody"], m["DelaySeconds"]) for m in _sent(requests)] == [
        (mobilise.queue_url("DeliveryQueue"), body, 900)
    ]
    assert operators(mobilise, "paused")["account"]["code"] == PAUSED
    assert alarmed(mobilise) == [{"event": "account sending paused", "code": PAUSED}]

    # When it comes round while the pause lasts, then it goes round again
    _comes_round(mobilise, body)
    assert handle(mobilise, "DeliveryQueue", "DeliverFunction") == [body]
    assert len(_sent(requests)) == 2
    assert _to(mobilise, SIGNER) == []

    # When an operator resumes the account's sending and it comes round
    operators(mobilise, "resume_account")
    _comes_round(mobilise, body)
    assert handle(mobilise, "DeliveryQueue", "DeliverFunction") == [body]

    # Then the confirmation is sent, once, and nothing more goes round
    assert len(_to(mobilise, SIGNER)) == 1
    assert len(_sent(requests)) == 2


def _sent(requests: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The SendMessage requests: the deliver function's (the test's own are batches)."""
    return [params for operation, params in requests if operation == "SendMessage"]


def _comes_round(mobilise: Mobilise, body: str) -> None:
    """The message SQS hid for 15 minutes, visible again: the test does not wait them, but
    sends its body again (the hidden copy stays hidden), as a batch of one."""
    boto3.client("sqs").send_message_batch(
        QueueUrl=mobilise.queue_url("DeliveryQueue"), Entries=[{"Id": "0", "MessageBody": body}]
    )
