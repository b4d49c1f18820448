"""The benchmarks' SES stand-in answers the request botocore built and signed for SES: the
client's work per email (serialising the raw message, SigV4) is in what the benchmarks
measure, and its answers are parsed as SES's are. A SendBulkEmail counts as many emails as
it has entries, against the rate and in what is billed."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from mobilise_bench.counting import Key, RequestCounter
from mobilise_bench.ses import BULK, EVENT, SesQuota, Unsigned

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


def _send_bulk(client: Any, entries: int) -> Any:
    """A SendBulkEmail as the deliver function makes one: an inline template, an entry a
    recipient with its own data and headers."""
    return client.send_bulk_email(
        FromEmailAddress="a@example.org",
        DefaultContent={
            "Template": {
                "TemplateContent": {"Subject": "{{title}}", "Text": "Hi {{name}}", "Html": "<p/>"},
                "TemplateData": json.dumps({"title": "Hearing on Monday", "name": "you"}),
                "Headers": [{"Name": "List-Id", "Value": "<petition.example.org>"}],
            }
        },
        BulkEmailEntries=[
            {
                "Destination": {"ToAddresses": [f"b{index}@example.org"]},
                "ReplacementEmailContent": {
                    "ReplacementTemplate": {"ReplacementTemplateData": json.dumps({"name": index})}
                },
                "ReplacementHeaders": [{"Name": "List-Unsubscribe", "Value": f"<u/{index}>"}],
            }
            for index in range(entries)
        ],
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

        # When an email is sent, and a bulk call made
        response = _send(client)
        bulk = _send_bulk(client, 2)

        # Then the stand-in answered them, moto never saw them, and moto answers the rest
        assert response["MessageId"].endswith("-bench")
        assert [each["MessageId"][-6:] for each in bulk["BulkEmailEntryResults"]] == ["-bench"] * 2
        assert ses_backends["123456789012"]["eu-west-1"].sent_message_count == 0
        identities = client.list_email_identities()["EmailIdentities"]
        assert [identity["IdentityName"] for identity in identities] == ["a@example.org"]


@pytest.mark.parametrize("client_counted", [False, True], ids=["stand-in", "client-call"])
def test_a_bulk_call_is_a_result_and_an_email_an_entry_in_one_request(
    client_counted: bool,
) -> None:
    # Given the stand-in counting for the deliver function, with (or without) the counter
    # also around every client call
    client, quota, counter = _client(), SesQuota(10, 1), RequestCounter()
    quota.install(client, counter)
    if client_counted:
        counter.install()

    # When a bulk call of three entries is made
    try:
        with counter.acting("DeliverFunction"):
            response = _send_bulk(client, 3)
    finally:
        counter.uninstall()

    # Then SES accepted each entry, three emails, in one request billed three
    results = response["BulkEmailEntryResults"]
    assert [result["Status"] for result in results] == ["SUCCESS"] * 3
    assert len({result["MessageId"] for result in results}) == 3
    assert quota.accepted == 3
    assert quota.emails == {BULK: 3}
    (key, tally), *others = counter.counts.tallies.items()
    assert others == []
    assert key == Key("DeliverFunction", "sesv2", "SendBulkEmail", "ok")
    assert (tally.requests, tally.billed_requests) == (1, 3)
    body: Any = quota.last_requests[BULK].body  # bytes, as signed
    assert json.loads(body)["BulkEmailEntries"][2]["Destination"] == {
        "ToAddresses": ["b2@example.org"]
    }
    assert quota.last_request is None  # no SendEmail was


def test_a_bulk_call_beyond_the_bucket_is_refused_whole() -> None:
    # Given 5 emails a second, a SendEmail bursting by 1 at most, a bulk call by a second's worth
    client, counter = _client(), RequestCounter()
    quota = SesQuota(5, 1)
    quota.install(client, counter)

    with counter.acting("DeliverFunction"):
        # When a bulk call asks for more than a second's worth
        with pytest.raises(ClientError) as refused:
            _send_bulk(client, 6)
        # Then SES's throttling refuses all of it and nothing is accepted
        assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert (quota.accepted, quota.throttled, quota.throttled_calls) == (0, 6, 1)
        assert counter.counts.outcomes("sesv2", "SendBulkEmail") == {"TooManyRequestsException": 1}

        # And a call of a second's worth is taken whole, above SendEmail's burst
        assert len(_send_bulk(client, 5)["BulkEmailEntryResults"]) == 5
        assert quota.accepted == 5
        # which left no token for a SendEmail
        with pytest.raises(ClientError):
            _send(client)
    assert quota.throttled_calls == 2


def test_a_send_email_alone_bursts_no_more_than_the_burst() -> None:
    # Given 5 emails a second, bursting by 1, the bucket full
    client, quota = _client(), SesQuota(5, 1)
    quota.install(client)

    # When two SendEmails follow at once
    _send(client)

    # Then the second is throttled: the second's worth a bulk call may use is not theirs
    with pytest.raises(ClientError):
        _send(client)
    assert (quota.accepted, quota.throttled) == (1, 1)
