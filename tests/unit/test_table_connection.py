"""Every model and every transaction reaches DynamoDB through one botocore client (issue 14):
PynamoDB would make a client per model, each parsing its data again in a first event and,
on AWS, opening HTTPS connections of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobilise.delivery.records import DeliveryRecord
from mobilise.table import base, models
from mobilise_local.fake_aws import FAKE_AWS


@pytest.fixture
def bound_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    models.reset()
    base._Item.Meta.table_name = "mobilise-unit"
    yield
    models.reset()


@pytest.mark.usefixtures("bound_table")
def test_every_model_and_the_transactions_share_one_botocore_client() -> None:
    kinds: list[type[base._Item]] = [*models.MODELS, DeliveryRecord]

    clients = {id(kind._get_connection().connection.client) for kind in kinds}
    clients.add(id(models.connection().client))

    assert len(clients) == 1


@pytest.mark.usefixtures("bound_table")
def test_each_model_keeps_its_own_indexes() -> None:
    fanout = models.FanoutJob._get_connection()
    petition = models.Petition._get_connection()

    assert fanout.connection is not petition.connection
    assert fanout.get_meta_table().get_index_hash_keyname("outbox") == "outbox_pk"
    assert petition.get_meta_table().get_index_hash_keyname("by_owner") == "owner_id"


@pytest.mark.usefixtures("bound_table")
def test_reset_forgets_the_client() -> None:
    first = models.connection().client

    models.reset()
    base._Item.Meta.table_name = "mobilise-unit"

    assert models.Petition._get_connection().connection.client is not first
