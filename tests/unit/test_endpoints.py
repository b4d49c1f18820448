"""The endpoints of Mobilise's services resolved from their own data (mobilise.core.endpoints):
every answer botocore's whole data gives, for every region of every partition, without reading
that data for them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any, cast

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.loaders import Loader
from botocore.regions import EndpointResolver

from mobilise.core import aws, endpoints

#: botocore's whole endpoint data, as its own session reads it.
EVERYTHING = Loader().load_data("endpoints")
#: Every region botocore knows, a region it does not (a new one: resolved from the partitions'
#: patterns), and none.
REGIONS = [
    *sorted({region for partition in EVERYTHING["partitions"] for region in partition["regions"]}),
    *("eu-south-9", "cn-southwest-9", "us-isob-west-9"),
]
PARTITIONS = [partition["partition"] for partition in EVERYTHING["partitions"]]
#: Mobilise's services, and some it does not call (resolved from botocore's whole data).
OTHERS = ("iam", "sts", "lambda", "cloudfront", "route53", "logs", "s3-control")
NAMES = sorted(endpoints.prefixes(Loader())) + list(OTHERS)
#: A cheap call of each service's, stopped before it is sent.
CALLS = {
    "dynamodb": ("list_tables", {}),
    "sesv2": ("get_account", {}),
    "sqs": ("list_queues", {}),
    "secretsmanager": ("list_secrets", {}),
    "s3": ("list_objects_v2", {"Bucket": "mobilise-photos"}),
    "sns": ("list_topics", {}),
}


def _answer(method: Any, *asked: Any) -> Any:
    """What ``method(*asked)`` returns, or the error it raises (botocore raises for some)."""
    try:
        return method(*asked)
    except Exception as error:
        return type(error), str(error)


def _ours() -> endpoints.Resolver:
    return endpoints.Resolver(json.loads(endpoints.DATA.read_bytes()), Loader())


def test_the_file_is_the_pinned_botocore_s_data_for_mobilise_s_services() -> None:
    made = endpoints.kept(EVERYTHING, endpoints.prefixes(Loader()))

    assert json.loads(endpoints.DATA.read_bytes()) == made, (
        "mobilise/core/endpoints.json is not the installed botocore's: "
        "run `.venv/bin/python -m mobilise.core.endpoints`"
    )
    assert len(endpoints.DATA.read_bytes()) < len(json.dumps(EVERYTHING)) / 10


def test_every_service_mobilise_makes_a_client_of_is_in_it() -> None:
    held = {
        name
        for partition in json.loads(endpoints.DATA.read_bytes())["partitions"]
        for name in partition["services"]
    }

    assert held == {"dynamodb", "email", "sqs", "secretsmanager", "s3", "sns"}
    assert set(CALLS) == set(endpoints.SERVICES)


@pytest.mark.parametrize("service", NAMES)
def test_every_endpoint_resolves_as_botocore_resolves_it(service: str) -> None:
    ours, theirs = _ours(), EndpointResolver(EVERYTHING, uses_builtin_data=True)

    for region, dualstack, fips in itertools.product(
        [*REGIONS, None], (False, True), (False, True)
    ):
        for partition in (None, *PARTITIONS, "aws-no-such"):
            asked = (service, region, partition, dualstack, fips)
            assert _answer(ours.construct_endpoint, *asked) == _answer(
                theirs.construct_endpoint, *asked
            ), asked
    for partition, non_regional, tags in itertools.product(
        PARTITIONS, (False, True), (None, ["fips"], ["dualstack"], ["dualstack", "fips"])
    ):
        asked_for = (service, partition, non_regional, tags)
        assert _answer(ours.get_available_endpoints, *asked_for) == _answer(
            theirs.get_available_endpoints, *asked_for
        ), asked_for
        assert ours.get_service_endpoints_data(
            service, partition
        ) == theirs.get_service_endpoints_data(service, partition)
    for region in REGIONS:
        assert _answer(ours.get_partition_for_region, region) == _answer(
            theirs.get_partition_for_region, region
        )
    assert ours.get_available_partitions() == theirs.get_available_partitions()


def test_whole_data_is_read_only_for_a_service_it_does_not_hold() -> None:
    read: list[str] = []

    class Counting(Loader):
        def load_data(self, name: str) -> Any:
            read.append(name)
            return super().load_data(name)

    resolver = endpoints.Resolver(json.loads(endpoints.DATA.read_bytes()), Counting())
    for service in sorted(endpoints.prefixes(Loader())):
        resolver.construct_endpoint(service, "eu-west-1")
    assert read == []

    resolver.construct_endpoint("lambda", "eu-west-1")
    resolver.construct_endpoint("iam", "eu-west-1")
    assert read == ["endpoints"]


@pytest.fixture
def _aws_itself(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No endpoint of moto's or DynamoDB Local's: what a function on AWS resolves."""
    import os

    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.setup_default_session()
    aws.reset()
    yield
    boto3.setup_default_session()
    aws.reset()


def _resolver() -> Any:
    """The endpoint resolver of the session Mobilise's clients are made from."""
    session = cast(Any, aws.botocore_session())
    return session._get_internal_component("endpoint_resolver")


class _Stopped(Exception):
    pass


def _sent(client: Any, operation: str, parameters: dict[str, Any]) -> Any:
    """The URL and the signature's scope (region and service) of a request ``client`` would
    send, stopped before it leaves; or the error botocore raised instead (a FIPS endpoint in a
    partition that has none)."""
    seen: list[Any] = []

    def stop(request: Any, **_: Any) -> None:
        seen.append(request)
        raise _Stopped

    client.meta.events.register("before-send", stop)
    try:
        getattr(client, operation)(**parameters)
    except _Stopped:
        request = seen[0]
        scope = request.headers["Authorization"].decode().split("Credential=")[1].split(",")[0]
        return request.url, "/".join(scope.split("/")[2:4])
    except Exception as error:
        return type(error), str(error)
    raise AssertionError("sent")


@pytest.mark.usefixtures("_aws_itself")
@pytest.mark.parametrize("service", endpoints.SERVICES)
@pytest.mark.parametrize(
    "region",
    ["eu-west-1", "us-east-1", "ap-southeast-5", "cn-north-1", "us-gov-west-1", "eu-south-9"],
)
@pytest.mark.parametrize(
    "variant", [{}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}]
)
def test_a_client_of_mobilise_s_session_sends_where_botocore_s_own_would(
    service: str, region: str, variant: dict[str, bool]
) -> None:
    config = Config(region_name=region, **variant)  # type: ignore[arg-type]
    ours = aws.made(lambda: boto3.client(service, config=config))  # type: ignore[call-overload]
    theirs = botocore.session.get_session().create_client(service, config=config)
    operation, parameters = CALLS[service]

    assert isinstance(_resolver(), endpoints.Resolver)
    assert (ours.meta.endpoint_url, ours.meta.region_name) == (
        theirs.meta.endpoint_url,
        theirs.meta.region_name,
    )
    assert _sent(ours, operation, parameters) == _sent(theirs, operation, parameters)


@pytest.mark.usefixtures("_aws_itself")
def test_a_data_path_of_one_s_own_is_botocore_s_to_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    boto3.setup_default_session()

    assert type(_resolver()) is EndpointResolver
