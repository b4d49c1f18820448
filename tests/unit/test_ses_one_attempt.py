"""The SES client makes one attempt: a throttled or failed SendEmail is the deliver function's
to retry (through SQS, paced), not botocore's after a back-off sleep inside the invocation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ClientError

from mobilise.core import aws


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    aws.reset()
    yield
    aws.reset()


def test_a_throttled_send_email_is_sent_once_and_raised() -> None:
    # Given SES throttling every request, as it answers beyond the account's rate
    sent: list[AWSPreparedRequest] = []

    def throttle(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        sent.append(request)
        headers: Any = {
            "Content-Type": "application/json",
            "x-amzn-RequestId": "r",
            "x-amzn-ErrorType": "TooManyRequestsException",
        }
        return AWSResponse(request.url, 429, headers, _Body(b'{"message": "Too many"}'))

    client: Any = aws.sesv2()
    client.meta.events.register("before-send.sesv2.SendEmail", throttle)

    # When an email is sent
    with pytest.raises(ClientError) as refused:
        client.send_email(
            FromEmailAddress="a@example.org",
            Destination={"ToAddresses": ["b@example.org"]},
            Content={"Raw": {"Data": b"Subject: hi\r\n\r\nhello\r\n"}},
        )

    # Then one request went, and its refusal is raised as it came
    assert len(sent) == 1
    assert sent[0].headers["amz-sdk-request"] == b"attempt=1"
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 0
