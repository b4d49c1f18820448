"""A stand-in for SESv2 ``SendEmail`` with the account's maximum send rate, at the client.

It answers on the ``before-call.sesv2.SendEmail`` event of the client the deliver
function uses (``mobilise.core.aws.sesv2()``): the request is built and serialised as
for AWS, then answered here instead of being sent. Beyond the rate it answers
HTTP 429 ``TooManyRequestsException``, which botocore raises as a ``ClientError``
exactly as it would for SES, so the delivery code's pacing, idempotency and error
classification all run for real.

The quota is a token bucket refilled at ``rate`` tokens a second and holding at most
``burst`` tokens: SES does not publish how much burst it allows above the per-second
rate, so the default is a tenth of a second's worth (20 emails at 200/s).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from botocore.awsrequest import AWSResponse

_URL = "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails"


class SesQuota:
    """Token bucket: ``rate`` sends a second, ``burst`` at most at once."""

    def __init__(self, rate: float, burst: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst)
        self._tokens = self.capacity
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self.accepted_at: list[float] = []  # time.monotonic() of each accepted email
        self.throttled_at: list[float] = []

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                self.accepted_at.append(now)
                return True
            self.throttled_at.append(now)
            return False

    @property
    def accepted(self) -> int:
        return len(self.accepted_at)

    @property
    def throttled(self) -> int:
        return len(self.throttled_at)

    def answer(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        """The ``before-call`` handler: SES's answer, without a request leaving the process."""
        request_id = str(uuid.uuid4())
        if self.take():
            return _response(200), {
                "MessageId": f"0102{uuid.uuid4().hex}-bench",
                "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 200},
            }
        return _response(429), {
            "Error": {
                "Code": "TooManyRequestsException",
                "Message": "Maximum sending rate exceeded.",
            },
            "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 429},
        }

    def install(self, client: Any) -> None:
        """Answer the ``SendEmail`` calls of ``client`` (a boto3 SESv2 client)."""
        client.meta.events.register("before-call.sesv2.SendEmail", self.answer)


def _response(status: int) -> AWSResponse:
    headers: Any = {"Content-Type": "application/json"}
    return AWSResponse(_URL, status, headers, None)
