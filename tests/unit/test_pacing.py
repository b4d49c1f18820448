"""Pacing: no invocation asks SES for more than its share of the account's rate."""

from __future__ import annotations

import pytest

from mobilise.delivery import pacing
from mobilise.delivery.pacing import Pacer
from mobilise_local.template import Tag, read


class FakeTime:
    """A monotonic clock that only moves when the pacer sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings a function needs, with placeholder values."""
    for name in (
        "TABLE_NAME",
        "PUBLISH_QUEUE_URL",
        "DELIVERY_QUEUE_URL",
        "SIGNING_SECRET_ARN",
        "SENDER_ADDRESS",
        "SES_CONFIGURATION_SET",
        "IDEMPOTENCY_TABLE_NAME",
    ):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://mobilise.test")


def test_a_pacer_lets_through_its_rate_and_no_more(fake_time: FakeTime) -> None:
    # Given a pacer of 7 sends a second (14/s shared by 2 invocations)
    pacer = Pacer(7, fake_time.monotonic, fake_time.sleep)
    start = fake_time.now

    # When 71 sends go through it back to back
    for _ in range(71):
        pacer.wait()

    # Then they took 10 s: the first at once, then one every 1/7 s
    assert fake_time.now - start == pytest.approx(10.0)
    assert len(fake_time.slept) == 70


def test_time_spent_elsewhere_is_not_slept_again(fake_time: FakeTime) -> None:
    pacer = Pacer(10, fake_time.monotonic, fake_time.sleep)
    pacer.wait()

    fake_time.now += 0.5  # rendering and SES's own latency
    pacer.wait()

    assert fake_time.slept == []


def test_the_rate_is_the_accounts_shared_by_the_concurrent_invocations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mobilise.core import config

    _settings(monkeypatch)
    monkeypatch.setenv("SES_MAX_SEND_RATE", "14")
    monkeypatch.setenv("DELIVERY_CONCURRENCY", "2")
    config.get_settings.cache_clear()
    pacing.pacer.cache_clear()
    try:
        assert pacing.pacer().interval == pytest.approx(1 / 7)
    finally:
        config.get_settings.cache_clear()
        pacing.pacer.cache_clear()


def test_the_template_sets_concurrency_and_pacing_from_the_same_parameters() -> None:
    template = read()
    deliver = template.resources["DeliverFunction"]["Properties"]
    (source,) = [e for e in deliver["Events"].values() if e["Type"] == "SQS"]
    environment = template.globals["Environment"]["Variables"]

    assert source["Properties"]["ScalingConfig"]["MaximumConcurrency"] == Tag(
        "Ref", "DeliveryConcurrency"
    )
    assert environment["DELIVERY_CONCURRENCY"] == Tag("Ref", "DeliveryConcurrency")
    assert environment["SES_MAX_SEND_RATE"] == Tag("Ref", "SesMaxSendRate")


def test_without_a_configured_rate_the_account_rate_comes_from_ses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.stub import Stubber

    from mobilise.core import aws, config

    _settings(monkeypatch)
    monkeypatch.setenv("SES_MAX_SEND_RATE", "0")
    config.get_settings.cache_clear()
    aws.reset()
    try:
        with Stubber(aws.sesv2()) as ses:
            ses.add_response(
                "get_account",
                {
                    "SendQuota": {
                        "Max24HourSend": 50_000.0,
                        "MaxSendRate": 14.0,
                        "SentLast24Hours": 0.0,
                    }
                },
            )
            assert pacing.account_send_rate() == 14.0
            ses.assert_no_pending_responses()
    finally:
        config.get_settings.cache_clear()
        aws.reset()
