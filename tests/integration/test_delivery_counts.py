"""An update's delivery counters on their own item (mobilise.table.delivery_counts), and the
updates whose counters were written on the update item before: sent ones, and one sending
while the new code was deployed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import boto3
import pytest

from mobilise.core import config
from mobilise.delivery import store
from tests.integration.harness import Mobilise
from tests.integration.test_update_status import _publish, _run_one, _seen


def _table(mobilise: Mobilise) -> Any:
    return boto3.resource("dynamodb").Table(mobilise.stack.refs["Table"])


def _as_before(mobilise: Mobilise, petition_id: str, update_id: str) -> None:
    """Move the counters item's counts onto the update item, as the code before it wrote
    them (the page markers stay: the code before wrote them too, with their counts)."""
    table = _table(mobilise)
    key = {"pk": f"PET#{petition_id}", "sk": f"DCT#{update_id}"}
    counts = table.get_item(Key=key, ConsistentRead=True).get("Item", {})
    table.delete_item(Key=key)
    moved = {name: counts.get(name, Decimal(0)) for name in ("sent", "skipped", "settled")}
    if "enqueued" in counts:
        moved["recipients"] = counts["enqueued"]
    table.update_item(
        Key={"pk": f"PET#{petition_id}", "sk": f"UPD#{update_id}"},
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in moved),
        ExpressionAttributeNames={f"#{name}": name for name in moved},
        ExpressionAttributeValues={f":{name}": value for name, value in moved.items()},
    )


def test_an_update_sending_when_the_counters_moved_ends_and_adds_up(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given five signers in one shard, two a delivery message, fanned out, and one message
    # counted on the update item by the code before the counters item
    mobilise = on_both
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    monkeypatch.setenv("RECIPIENTS_PER_MESSAGE", "2")
    config.get_settings.cache_clear()
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, [f"signer{index}@example.org" for index in range(5)])
    update_id = _publish(mobilise, petition_id)
    assert _run_one(mobilise, "PublishQueue", "FanoutFunction")  # the split
    assert _run_one(mobilise, "DeliveryQueue", "DeliverFunction") is False  # nothing yet
    assert _run_one(mobilise, "PublishQueue", "FanoutFunction")  # the shard
    assert _run_one(mobilise, "DeliveryQueue", "DeliverFunction")
    _as_before(mobilise, petition_id, update_id)

    # When the rest is delivered by the new code
    mobilise.run_queues()

    # Then the update is sent, and its statistics add both up: everyone counted once
    update, entry, stats = _seen(mobilise, petition_id, update_id)
    assert (update["status"], entry["status"], stats["state"]) == ("sent", "sent", "sent")
    assert (stats["recipients"], stats["sent"], stats["skipped"]) == (5, 5, 0)
    assert len(mobilise.outbox()) == 5


def _delivered_as_before(mobilise: Mobilise) -> tuple[str, str]:
    """An update delivered to three signers, its counters on the update item as the code before
    wrote them: (petition, update)."""
    petition_id = mobilise.create_petition()
    mobilise.seed_signatures(petition_id, ["a@example.org", "b@example.org", "c@example.org"])
    update_id = _publish(mobilise, petition_id)
    mobilise.run_queues()
    _as_before(mobilise, petition_id, update_id)
    return petition_id, update_id


def test_an_update_sent_before_the_counters_moved_keeps_its_statistics(
    mobilise: Mobilise,
) -> None:
    # Given an update delivered to three signers, its counters on the update item as the code
    # before wrote them
    petition_id, update_id = _delivered_as_before(mobilise)

    # When its starter reads its statistics
    _, _, stats = _seen(mobilise, petition_id, update_id)

    # Then they are the update item's
    assert (stats["state"], stats["recipients"], stats["sent"], stats["digested"]) == (
        "sent",
        3,
        3,
        0,
    )


def test_an_update_sent_before_the_counters_moved_keeps_its_recipients_after_a_late_event(
    mobilise: Mobilise,
) -> None:
    # Given an update delivered to three signers, its counters on the update item as the code
    # before wrote them, and its page markers expired (30 days)
    petition_id, update_id = _delivered_as_before(mobilise)
    table = _table(mobilise)
    for item in mobilise.items():
        if item["pk"] == f"FAN#{update_id}":
            table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})

    # When a signer unsubscribes from its email long after (a link that never expires)
    store.add_stats(petition_id, update_id, {"unsubscribed": 1})

    # Then its statistics still count everyone it was for
    _, _, stats = _seen(mobilise, petition_id, update_id)
    assert (stats["recipients"], stats["sent"], stats["unsubscribed"]) == (3, 3, 1)
