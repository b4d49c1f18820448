"""The local stack's moto undoes a cancelled transaction from the items it names
(``moto_patches.cheap_dynamodb_transactions``), all or nothing as DynamoDB does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from mobilise_local.moto_patches import cheap_dynamodb_transactions

TABLE = "transactions"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    cheap_dynamodb_transactions()
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for pk, count in (("counted", "1"), ("kept", "1")):
            client.put_item(
                TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": "x"}, "n": {"N": count}}
            )
        yield client


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def _everything(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.scan(TableName=TABLE)["Items"]
    return sorted(items, key=lambda item: item["pk"]["S"])


def _transaction(last_condition: str) -> list[dict[str, Any]]:
    """An update, a put, a delete, then a condition on an item that exists."""
    return [
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("counted"),
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Put": {"TableName": TABLE, "Item": {**_key("new"), "n": {"N": "7"}}}},
        {"Delete": {"TableName": TABLE, "Key": _key("kept")}},
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": _key("other"),
                "ConditionExpression": last_condition,
            }
        },
    ]


def test_a_cancelled_transaction_changes_nothing(dynamodb: Any) -> None:
    # Given two items
    before = _everything(dynamodb)

    # When a transaction updates one, puts a third, deletes the second, then fails a condition
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=_transaction("attribute_exists(pk)"))

    # Then it is cancelled and every item is as it was
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _everything(dynamodb) == before


def test_a_transaction_whose_conditions_hold_applies_every_write(dynamodb: Any) -> None:
    # When the same transaction's condition holds
    dynamodb.transact_write_items(TransactItems=_transaction("attribute_not_exists(pk)"))

    # Then the update, the put and the delete are all there
    assert _everything(dynamodb) == [
        {**_key("counted"), "n": {"N": "2"}},
        {**_key("new"), "n": {"N": "7"}},
    ]
