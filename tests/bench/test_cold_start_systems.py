"""Each cold-start sample runs on a system of its own: its table holds its two petitions and
nothing of another sample's, so no first event's query waits on another sample's items
(moto's Query reads every item of its table; DynamoDB's only the partition asked for)."""

from __future__ import annotations

import boto3
from mobilise_bench.coldstart import _own_system
from mobilise_bench.env import use_fake_aws
from mobilise_bench.servers import moto_server


def _petitions_in(table: str) -> set[str]:
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return {item["petition_id"]["S"] for item in items if "petition_id" in item}


def test_a_sample_system_holds_its_own_two_petitions_and_no_other() -> None:
    use_fake_aws()
    with moto_server():
        # Given one sample's system, left as its first events leave it
        with _own_system("sample-a") as (first, first_fixtures):
            first_table = first.stack.refs["Table"]
        # When the next sample's is made on the same server
        with _own_system("sample-b") as (second, second_fixtures):
            second_table = second.stack.refs["Table"]
            # Then each table holds its own sample's petitions, and only them
            assert first_table != second_table
            assert _petitions_in(first_table) == {f.petition_id for f in first_fixtures}
            assert _petitions_in(second_table) == {f.petition_id for f in second_fixtures}
