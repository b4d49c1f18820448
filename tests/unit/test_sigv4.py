"""Mobilise's SigV4 (:mod:`mobilise.core.sigv4`) writes what botocore's ``SigV4Auth`` writes:
for any request, the same headers in the same order, the same ``Authorization``; and the
clients sign with it."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.core import aws, sigv4
from mobilise.core.sigv4 import QuickSigV4Auth
from tests.fake_aws import http_answer

NOW = datetime.datetime(2026, 12, 5, 13, 45, 7)

_TOKEN = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)
_CREDENTIALS = st.builds(
    Credentials,
    access_key=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=16, max_size=20),
    secret_key=st.text(min_size=1, max_size=40),
    token=st.none() | _TOKEN,
)
_URL = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["https", "http"]),
    st.sampled_from(["dynamodb.eu-west-1.amazonaws.com", "127.0.0.1", "LOCALHOST", "[::1]"]),
    st.sampled_from(["", ":443", ":80", ":4566", ":8000"]),
    st.sampled_from(["", "/", "/a//b/../c", "/123456789012/queue name", "/%7Euser/ü"]),
    st.sampled_from(["", "?", "?b=2&a=1", "?x=y z&x=a"]),
)
_NAME = st.sampled_from(
    [
        "Content-Type",
        "X-Amz-Target",
        "content-type",
        "User-Agent",
        "X-Amzn-Trace-Id",
        "Host",
        "x-amz-date",
        "Authorization",
        "X-Amz-Security-Token",
        "X-Amz-Content-SHA256",
        "Expect",
        "amz-sdk-invocation-id",
        "X-Custom",
    ]
)
_VALUE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
_HEADERS = st.lists(st.tuples(_NAME, _VALUE | st.just("  a \t b  ")), max_size=8)
_BODY = st.binary(max_size=300) | st.just(b"")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: NOW)


def _request(url: str, headers: list[tuple[str, str]], body: Any, **more: Any) -> AWSRequest:
    request = AWSRequest(method="POST", url=url, data=body, **more)
    for name, value in headers:
        request.headers[name] = value  # several values of one name, as a client may add
    return request


def _signed_both_ways(
    credentials: Credentials, make: Any, region: str = "eu-west-1", service: str = "dynamodb"
) -> tuple[AWSRequest, AWSRequest]:
    theirs, ours = make(), make()
    SigV4Auth(credentials, service, region).add_auth(theirs)
    QuickSigV4Auth(credentials, service, region).add_auth(ours)
    return theirs, ours


def _wire(request: AWSRequest) -> tuple[Any, ...]:
    prepared = request.prepare()
    return prepared.method, prepared.url, list(prepared.headers.items()), prepared.body


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(credentials=_CREDENTIALS, url=_URL, headers=_HEADERS, body=_BODY)
def test_any_request_is_signed_as_botocore_signs_it(
    credentials: Credentials, url: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    # Given any request a client could make: any URL, headers and body, with or without a token
    def make() -> AWSRequest:
        return _request(url, headers, body)

    # When it is signed by botocore and by Mobilise, then the two are the same on the wire
    theirs, ours = _signed_both_ways(credentials, make)
    assert _wire(ours) == _wire(theirs)
    assert ours.context["timestamp"] == theirs.context["timestamp"]


@pytest.mark.parametrize(
    "case",
    ["form body", "query parameters", "Date header", "unsigned payload", "streamed checksum"],
)
def test_requests_it_does_not_sign_itself_are_botocore_s_as_before(case: str) -> None:
    # Given a request of a kind Mobilise's clients do not make
    credentials = Credentials("AKIDEXAMPLE", "secret", "token")

    def make() -> AWSRequest:
        body: Any = {"Action": "ListQueues", "a b": "c"} if case == "form body" else b"{}"
        request = _request("https://sqs.eu-west-1.amazonaws.com/", [], body)
        if case == "query parameters":
            request.params = {"z": "1", "a": "two words"}
        if case == "Date header":
            request.headers["Date"] = "Thu, 03 Dec 2026 10:00:00 GMT"
        if case == "unsigned payload":
            request.context["payload_signing_enabled"] = False
        if case == "streamed checksum":
            request.context["checksum"] = {"request_algorithm": {"in": "trailer"}}
        return request

    # When it is signed by botocore and by Mobilise, then they are the same
    theirs, ours = _signed_both_ways(credentials, make)
    assert _wire(ours) == _wire(theirs)


def test_without_credentials_it_raises_what_botocore_raises() -> None:
    nobody: Any = None
    with pytest.raises(botocore.exceptions.NoCredentialsError):
        QuickSigV4Auth(nobody, "dynamodb", "eu-west-1").add_auth(_request("https://x/", [], b""))


def test_each_day_region_and_service_has_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given requests signed on two days, in two regions, for two services, by two secrets
    for day, region, service, secret in [
        (NOW, "eu-west-1", "dynamodb", "s1"),
        (NOW + datetime.timedelta(days=1), "eu-west-1", "dynamodb", "s1"),
        (NOW, "us-east-1", "dynamodb", "s1"),
        (NOW, "eu-west-1", "sqs", "s1"),
        (NOW, "eu-west-1", "sqs", "s2"),
    ]:
        clock = lambda remove_tzinfo=True, day=day: day  # noqa: E731
        monkeypatch.setattr(botocore.auth, "get_current_datetime", clock)
        credentials = Credentials("AKIDEXAMPLE", secret)

        def make() -> AWSRequest:
            return _request("https://h/", [("X-Amz-Target", "T")], b"{}")

        # Then each is signed as botocore signs it (no key of another kept by mistake)
        theirs, ours = _signed_both_ways(credentials, make, region, service)
        assert _wire(ours) == _wire(theirs)


def test_a_client_signs_with_it_and_sends_what_botocore_would() -> None:
    # Given a DynamoDB client (Mobilise's and PynamoDB's sign "v4"), and the requests it sends
    assert botocore.auth.AUTH_TYPE_MAPS["v4"] is QuickSigV4Auth
    sent: list[AWSPreparedRequest] = []

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        sent.append(request)
        headers: Any = {"x-amzn-RequestId": "r", "Content-Type": "application/x-amz-json-1.0"}
        return http_answer(request.url, 200, headers, b'{"TableNames": []}')

    client: Any = boto3.client(
        "dynamodb",
        region_name="eu-west-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        aws_session_token="token",
        config=aws._CONFIG,
    )
    client.meta.events.register("before-send.dynamodb.ListTables", answer)

    # When it lists tables with each signer in turn
    client.list_tables()
    botocore.auth.AUTH_TYPE_MAPS["v4"] = SigV4Auth
    try:
        client.list_tables()
    finally:
        sigv4.install()

    # Then both requests are the same, but for the invocation id botocore draws for each
    ours, theirs = ([h for h in r.headers.items() if h[0] != "amz-sdk-invocation-id"] for r in sent)
    authorization: Any = dict(ours)["Authorization"]  # bytes, as prepared
    assert ours == theirs
    assert authorization.startswith(
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/eu-west-1/dynamodb/aws4_request, "
    )
    assert sent[0].body == sent[1].body
