"""The signing benchmark runs end to end and counts what it must: every signature and
confirmation accepted, the writes of each item by its key, none on the petition."""

from __future__ import annotations

import pytest
from mobilise_bench import signing

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]


def test_the_signing_bench_counts_each_items_writes_and_none_on_the_petition() -> None:
    # When 300 signatures are offered at 100 a second, each confirmed a second later
    result = signing.measure(300, per_second=100)

    # Then all were accepted and timed
    assert result["statuses"] == {"confirm 200": 200, "sign 201": 300}
    assert result["signing_ms"]["count"] == 300
    assert result["confirming_ms"]["count"] == 200
    # And the petition item was not written; each signature item once a second at most
    # (its put, then its confirmation a second later)
    assert result["petition_item_writes"] == 0
    by_kind = result["max_item_writes_per_s_by_kind"]
    assert by_kind["signature"] == 1
    assert "petition" not in by_kind
    # And the busiest item is a count slot, sharing a second's 200 changes with the 31
    # others: more than an even share, far fewer than all
    assert result["busiest_item"].startswith("count slot")
    assert 200 / 32 < result["max_item_writes_per_s"] < 200 / 4
    assert result["max_item_condition_checks_per_s"] == 0


def test_writes_are_counted_by_item_and_second_from_the_requests_keys() -> None:
    # Given the writes of two transactions and a single update in one second
    log = signing.WriteLog()
    item = {"pk": {"S": "CNT#p#001"}, "sk": {"S": "TOTAL"}}
    log.note("TransactWriteItems", {"TransactItems": [{"Update": {"Key": item}}]})
    log.note("TransactWriteItems", {"TransactItems": [{"ConditionCheck": {"Key": item}}]})
    log.note("UpdateItem", {"Key": item})

    # Then the item took two writes that second, and one condition check
    assert signing.busiest(log.writes)["max_item_writes_per_s"] == 2
    assert signing.busiest(log.checks)["max_item_writes_per_s"] == 1
