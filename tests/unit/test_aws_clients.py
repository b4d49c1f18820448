"""What Mobilise's AWS clients send: one constant User-Agent on every request (botocore's own
is rebuilt for each request, a fifth of a SendEmail's CPU), from boto3's clients and from
PynamoDB's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ParamValidationError

from mobilise.core import aws
from tests.fake_aws import http_answer


class Seen:
    """Answers every request of a client with ``body`` (none leaves the process); keeps them."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests: list[Any] = []  # AWSPreparedRequest: headers of bytes, a body of bytes

    def answer(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        self.requests.append(request)
        headers: Any = {"Content-Type": "application/json", "x-amzn-RequestId": "r"}
        return http_answer(request.url, 200, headers, self.body)


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    aws.reset()
    yield
    aws.reset()


def test_a_send_email_request_carries_mobilise_s_user_agent_and_nothing_of_botocore_s() -> None:
    seen = Seen(b'{"MessageId": "m"}')
    client: Any = aws.sesv2()
    client.meta.events.register("before-send.sesv2.SendEmail", seen.answer)

    client.send_email(
        FromEmailAddress="a@example.org",
        Destination={"ToAddresses": ["b@example.org"]},
        Content={"Raw": {"Data": b"Subject: hi\r\n\r\nhello\r\n"}},
    )

    agent = seen.requests[0].headers["User-Agent"].decode()
    assert agent.startswith(aws.USER_AGENT)
    assert agent.startswith("mobilise botocore/")
    assert "md/" not in agent
    assert "ua/" not in agent


def test_pynamodb_s_requests_carry_it_too() -> None:
    seen = Seen(b'{"Table": {"TableName": "t", "TableStatus": "ACTIVE"}}')
    client: Any = aws.botocore_session().create_client("dynamodb", region_name="eu-west-1")
    client.meta.events.register("before-send.dynamodb.DescribeTable", seen.answer)

    client.describe_table(TableName="t")

    assert seen.requests[0].headers["User-Agent"].decode().startswith(aws.USER_AGENT)


def test_the_ses_client_leaves_its_parameters_to_ses_and_the_others_check_them() -> None:
    # Given a SendEmail with a tag's value that is not the string the model wants
    seen = Seen(b'{"MessageId": "m"}')
    client: Any = aws.sesv2()
    client.meta.events.register("before-send.sesv2.SendEmail", seen.answer)
    odd: Any = 7

    # When it is sent, it goes as it is (SES would refuse it: BadRequestException)
    client.send_email(
        FromEmailAddress="a@example.org",
        Destination={"ToAddresses": ["b@example.org"]},
        Content={"Raw": {"Data": b"Subject: hi\r\n\r\nhello\r\n"}},
        EmailTags=[{"Name": "petition_id", "Value": odd}],
    )
    assert b'"EmailTags": [{"Name": "petition_id", "Value": 7}]' in seen.requests[0].body

    # while the other clients check before sending
    with pytest.raises(ParamValidationError):
        aws.sqs().send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/1/q", MessageBody=odd)
