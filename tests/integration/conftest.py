from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobilise_local.dynamodb_local import DynamoDBLocal
from tests import decoded_once
from tests.integration.harness import Mobilise, running_on_moto


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """Amazon's DynamoDB Local, once for the session (installed by `make install`)."""
    server = DynamoDBLocal.on_a_free_port()
    yield server
    server.stop()


@pytest.fixture
def mobilise() -> Iterator[Mobilise]:
    with running_on_moto() as system:
        yield system


@pytest.fixture(params=["moto", "dynamodb-local"])
def on_both(request: pytest.FixtureRequest) -> Iterator[Mobilise]:
    """The same test with the tables in moto, then in Amazon's DynamoDB Local."""
    endpoint = None
    if request.param == "dynamodb-local":
        endpoint = request.getfixturevalue("dynamodb_local").endpoint
    with running_on_moto(dynamodb_endpoint=endpoint) as system:
        yield system


def pytest_configure(config: pytest.Config) -> None:
    decoded_once.share_rsa_keys()  # moto's Cognito, in this process
