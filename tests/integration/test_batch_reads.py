"""Every batch read of Mobilise's waits for the keys DynamoDB leaves unprocessed, as the
recipients' read does (tests/integration/test_delivery_reads.py): the suppression list, a
petition's counters, a signer's clicks, a person's data for an export or an erasure.
PynamoDB's ``Model.batch_get`` asked for them again at once, for as long as any were left.

DynamoDB's answers are throttled where they leave: botocore's client, for every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient

from mobilise.core import crypto
from mobilise.delivery import store
from mobilise.engagement import store as engagement
from mobilise.privacy import personal_data
from mobilise.table import batch_reads, counters, items
from tests.integration.harness import Mobilise

SIGNER = "reader@example.org"


def _reads(mobilise: Mobilise) -> dict[str, Callable[[], Any]]:
    """A petition with one signer, suppressed; each batch read of its data."""
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [SIGNER, "other@example.org"])
    email_hash = crypto.email_hash(SIGNER)
    store.suppress(email_hash, "bounce")
    petition = items.get_petition(petition_id)
    return {
        "suppressions": lambda: items.suppressed([email_hash, crypto.email_hash("x@example.org")]),
        "counters": lambda: counters.totals(petition),
        "clicks": lambda: engagement.last_clicks(petition_id, "U1", email_hash, ["more", "act"]),
        "export": lambda: personal_data.export(SIGNER),
    }


def _throttled(monkeypatch: pytest.MonkeyPatch, times: int) -> list[float]:
    """DynamoDB leaving every key of the next ``times`` BatchGetItem requests unprocessed;
    the waits between tries, kept rather than slept."""
    waits: list[float] = []
    left = times
    client_class: Any = BaseClient  # its _make_api_call is private: every request goes by it
    make_api_call = client_class._make_api_call

    def answer(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        nonlocal left
        if operation != "BatchGetItem" or left == 0:
            return make_api_call(client, operation, params)
        left -= 1
        tables = params["RequestItems"]
        return {"Responses": {table: [] for table in tables}, "UnprocessedKeys": tables}

    monkeypatch.setattr(client_class, "_make_api_call", answer)
    monkeypatch.setattr(batch_reads, "sleep", waits.append)
    return waits


@pytest.mark.parametrize("read", ["suppressions", "counters", "clicks", "export"])
def test_a_batch_read_asks_for_unprocessed_keys_again_after_a_growing_wait(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    # Given what the read finds when DynamoDB processes every key at once
    reading = _reads(mobilise)[read]
    expected = reading()

    # When DynamoDB leaves every key unprocessed three times in a row
    waits = _throttled(monkeypatch, 3)
    found = reading()

    # Then the read finds the same, after three waits that grow
    assert found == expected
    assert len(waits) == 3
    assert 0 < waits[0] < waits[1] < waits[2]


def test_a_batch_read_fails_rather_than_spin_when_no_key_is_ever_processed(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading = _reads(mobilise)["suppressions"]
    waits = _throttled(monkeypatch, 100)

    with pytest.raises(batch_reads.ReadThrottled):
        reading()
    assert len(waits) == batch_reads.UNPROCESSED_TRIES - 1
