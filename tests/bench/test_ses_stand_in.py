"""The benchmarks' SES stand-in answers the request botocore built and signed for SES: the
client's work per email (serialising the raw message, SigV4) is in what the benchmarks
measure, and its answers are parsed as SES's are. A SendBulkEmail counts as many emails as
it has entries, against the rate and in what is billed, and its HTTP exchange is measured
apart per call and per email."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from mobilise_bench import scaling, ses_http
from mobilise_bench.counting import Key, RequestCounter
from mobilise_bench.delivery_cpu import exchange_per_email
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


def test_the_bulk_http_exchange_is_measured_per_call_and_per_email() -> None:
    # Given a bulk call of three the stand-in accepted
    client, quota = _client(), SesQuota(10, 1)
    quota.install(client)
    _send_bulk(client, 3)

    # When its HTTP exchange is measured apart
    found = ses_http.measure_bulk(quota.last_requests[BULK], times=3, rounds=1)

    # Then the same call went both ways, and its CPU is given per call and per email
    assert (found["calls"], found["entries"]) == (3, 3)
    assert found["call_over_http_ms"] > 0
    assert found["call_to_stand_in_ms"] > 0
    exchange = found["call_over_http_ms"] - found["call_to_stand_in_ms"]
    assert found["http_exchange_ms_per_call"] == pytest.approx(exchange)
    assert found["http_exchange_ms_per_email"] == pytest.approx(exchange / 3)


def test_the_deliver_target_with_http_takes_the_bulk_exchange_when_emails_went_in_bulk() -> None:
    # Given a run whose update emails went by SendBulkEmail, the naive design's by SendEmail
    design = {"cpu_ms_per_email_median": 0.5, "write_units_per_email_median": 0.01}
    design.update(cpu_ms_per_email=0.5, write_units_per_email=0.01)
    found: dict[str, Any] = {
        "recipients": 100,
        "messages": 2,
        "ses_http": {
            "emails": 10,
            "raw_bytes": 2000,
            "send_over_http_ms": 1.9,
            "send_to_stand_in_ms": 0.3,
            "http_exchange_ms": 1.6,
        },
        "ses_http_bulk": {
            "calls": 10,
            "entries": 50,
            "request_bytes": 9000,
            "call_over_http_ms": 3.0,
            "call_to_stand_in_ms": 1.0,
            "http_exchange_ms_per_call": 2.0,
            "http_exchange_ms_per_email": 0.04,
        },
        "mobilise": {**design, "emails": 100, "emails_by_operation": {"SendBulkEmail": 100}},
        "naive": {**design, "emails": 100, "emails_by_operation": {"SendEmail": 100}},
    }
    found["mobilise"]["http_exchange_ms_per_email"] = 0.04
    found["naive"]["http_exchange_ms_per_email"] = 1.6

    # When its targets and table are written
    targets = {target["name"]: target for target in scaling.delivery_targets(found)}
    page = "\n".join(scaling.delivery(found))

    # Then "with SES's HTTP exchange" adds the bulk exchange per email, and the table says both
    assert targets["deliver_cpu_per_email_with_http"]["measured"] == "0.54 ms"
    assert "| SendBulkEmail's HTTP exchange, ms a call of 50 (measured apart) | 2.00 |" in page
    assert "| SendBulkEmail's HTTP exchange, ms per email | 0.04 |" in page
    assert "| SendEmail's HTTP exchange, ms (measured apart) | – | 1.60 | – |" in page
    assert "| deliver CPU ms per email with it, whole update | 0.54 | 2.10 | 3.9× |" in page


def test_a_designs_exchange_per_email_weighs_each_operation_by_the_emails_it_carried() -> None:
    exchanges = {"SendEmail": 1.6, "SendBulkEmail": 0.04}

    assert exchange_per_email({"SendBulkEmail": 100}, exchanges) == pytest.approx(0.04)
    assert exchange_per_email({"SendEmail": 1, "SendBulkEmail": 3}, exchanges) == pytest.approx(
        (1.6 + 3 * 0.04) / 4
    )
    assert exchange_per_email({}, exchanges) == pytest.approx(1.6)  # none sent: SendEmail's
