"""Mobilise's botocore data loader (mobilise.core.aws.ServiceLoader): the models botocore's own
loader reads, without listing every service's directory first."""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader
from pynamodb.connection import Connection

from mobilise.core import aws

#: Every service a function of Mobilise makes a client of.
SERVICES = ("dynamodb", "sesv2", "sqs", "secretsmanager", "s3", "sns")
KINDS = ("service-2", "endpoint-rule-set-1", "paginators-1")
#: botocore's ``Loader.load_service_model``, which ServiceLoader's copies but for its check
#: of the name: if botocore's changes (an upgrade of the pinned botocore), read it again,
#: bring ServiceLoader's in line, and write its new digest here.
BOTOCORE_METHOD = "74757de7b647f43ef7585471e7912eea71edebcc6e297c05f69cba7e143b05d5"


@pytest.fixture(autouse=True)
def _fresh_session() -> Iterator[None]:
    boto3.setup_default_session()
    aws.reset()
    yield
    boto3.setup_default_session()
    aws.reset()


def _digest(method: Any) -> str:
    source = textwrap.dedent(inspect.getsource(method))
    return hashlib.sha256(source.encode()).hexdigest()


def test_botocore_s_method_is_the_one_service_loader_copies() -> None:
    assert _digest(Loader.load_service_model) == BOTOCORE_METHOD


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("kind", KINDS)
def test_it_reads_every_file_as_botocore_s_loader_reads_it(service: str, kind: str) -> None:
    # Each new: a client's first calls change their operation's model in place (S3's paths)
    ours = aws.ServiceLoader().load_service_model(service, kind)

    assert ours == Loader().load_service_model(service, kind)


def test_it_names_an_unknown_service_as_botocore_does() -> None:
    with pytest.raises(UnknownServiceError) as theirs:
        Loader().load_service_model("no-such-service", "service-2")

    with pytest.raises(UnknownServiceError) as ours:
        aws.ServiceLoader().load_service_model("no-such-service", "service-2")

    assert str(ours.value) == str(theirs.value)


def test_every_session_of_the_process_shares_one_loader() -> None:
    first = aws.botocore_session().get_component("data_loader")
    boto3.setup_default_session()

    assert aws.botocore_session().get_component("data_loader") is first
    assert aws.ServiceLoader.of(botocore.session.get_session()) is first


def test_the_clients_are_made_without_listing_every_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed: list[str] = []
    original = Loader.list_available_services

    def listing(self: Loader, type_name: str) -> Any:
        listed.append(type_name)
        return original(self, type_name)

    monkeypatch.setattr(Loader, "list_available_services", listing)

    # When PynamoDB's client and each of boto3's are made, in a new session
    made = [Connection().client, aws.sesv2(), aws.sqs(), aws.secretsmanager(), aws.sns(), aws.s3()]

    # Then each has its service's model, and no listing of every service was made
    names = [client.meta.service_model.service_name for client in made]
    assert names == ["dynamodb", "sesv2", "sqs", "secretsmanager", "sns", "s3"]
    assert isinstance(aws.botocore_session().get_component("data_loader"), aws.ServiceLoader)
    assert listed == []
