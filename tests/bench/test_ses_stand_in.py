"""The benchmarks' SES stand-in answers the request botocore built and signed for SES: the
client's work per email (serialising the raw message, SigV4) is in what the benchmarks
measure, and its answers are parsed as SES's are."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from mobilise_bench.ses import EVENT, SesQuota, Unsigned

from mobilise.delivery import ses

RAW = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Hi\r\n\r\nHello\r\n"


def _client(**config: Any) -> Any:
    """A SESv2 client whose requests could go nowhere but a closed port on loopback."""
    return boto3.client(
        "sesv2",
        region_name="eu-west-1",
        endpoint_url="http://127.0.0.1:9",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, **config),
    )


def _send(client: Any) -> Any:
    return client.send_email(
        FromEmailAddress="a@example.org",
        Destination={"ToAddresses": ["b@example.org"]},
        Content={"Raw": {"Data": RAW}},
    )


def test_the_stand_in_is_sent_the_signed_request_and_its_answer_is_parsed_as_ses_s() -> None:
    # Given a client answered by the stand-in, with what reaches it recorded
    client, seen = _client(), []
    client.meta.events.register(EVENT, lambda request, **_: seen.append(request))
    SesQuota(10, 10).install(client)

    # When an email is sent
    response = _send(client)

    # Then the request was serialised and signed as for SES, and SES's answer parsed
    request: Any = seen[0]  # an AWSPreparedRequest: its headers and body are bytes
    assert request.headers["Authorization"].startswith(b"AWS4-HMAC-SHA256 Credential=")
    assert "/eu-west-1/ses/aws4_request, " in request.headers["Authorization"].decode()
    body = json.loads(request.body)
    assert base64.b64decode(body["Content"]["Raw"]["Data"]) == RAW
    assert request.url == "http://127.0.0.1:9/v2/email/outbound-emails"
    assert response["MessageId"].endswith("-bench")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_beyond_the_rate_it_throttles_as_ses_does() -> None:
    # Given a quota of one email, spent
    client = _client()
    SesQuota(0.001, 1).install(client)
    _send(client)

    # When another is sent
    with pytest.raises(ClientError) as refused:
        _send(client)

    # Then it is SES's throttling, which delivery retries
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    with pytest.raises(ses.SesUnavailable):
        ses.permanent_refusal(refused.value)


def test_an_unsigned_request_is_refused_rather_than_measured() -> None:
    client = _client(signature_version=UNSIGNED)
    SesQuota(10, 10).install(client)

    with pytest.raises(Unsigned):
        _send(client)


def test_moto_in_process_does_not_emulate_what_the_stand_in_answers() -> None:
    # Given moto in this process, and the stand-in on a client moto serves
    from moto import mock_aws
    from moto.ses.models import ses_backends

    with mock_aws():
        client = boto3.client("sesv2", region_name="eu-west-1")
        SesQuota(10, 10).install(client)
        client.create_email_identity(EmailIdentity="a@example.org")

        # When an email is sent
        response = _send(client)

        # Then the stand-in answered it, moto never saw it, and moto answers the rest
        assert response["MessageId"].endswith("-bench")
        assert ses_backends["123456789012"]["eu-west-1"].sent_message_count == 0
        identities = client.list_email_identities()["EmailIdentities"]
        assert [identity["IdentityName"] for identity in identities] == ["a@example.org"]
