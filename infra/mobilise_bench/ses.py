"""A stand-in for SESv2 ``SendEmail`` with the account's maximum send rate, at the client.

It answers on the ``before-send.sesv2.SendEmail`` event of the client the deliver
function uses (``mobilise.core.aws.sesv2()``): the request has been serialised (the raw
message in base64, as JSON) and signed with SigV4, as for AWS, by the client or by
:mod:`mobilise.delivery.send_email`; only the HTTP exchange is left out. The answer
is the HTTP response SES gives, which botocore parses as it would SES's. Beyond the rate
it answers HTTP 429 ``TooManyRequestsException``, which botocore raises as a
``ClientError`` exactly as it would for SES, so the delivery code's pacing, idempotency
and error classification all run for real.

(It answered at ``before-call`` before, ahead of all of that: 0.36 ms an email of the
client's work went unmeasured.)

:mod:`mobilise.delivery.send_email` sends without the client's ``_make_api_call``, where
:class:`~mobilise_bench.counting.RequestCounter` counts the other requests: the stand-in
counts each SendEmail it answers instead, under the actor the counter has at the time.

The quota is a token bucket refilled at ``rate`` tokens a second and holding at most
``burst`` tokens: SES does not publish how much burst it allows above the per-second
rate, so the default is a tenth of a second's worth (20 emails at 200/s).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from mobilise_bench.counting import Key, RequestCounter, Tally

EVENT = "before-send.sesv2.SendEmail"
_THROTTLED = json.dumps({"message": "Maximum sending rate exceeded."}).encode()


class Unsigned(Exception):
    """A request reached the stand-in without its SigV4 signature: the client's work the
    benchmark means to measure was not all done."""


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
        self._numbers = itertools.count()
        self._run = uuid.uuid4().hex[:12]  # message ids differ from one stand-in to the next
        self.accepted_at: list[float] = []  # time.monotonic() of each accepted email
        self.throttled_at: list[float] = []
        self.counter: RequestCounter | None = None  # counts each SendEmail answered
        self.last_request: AWSPreparedRequest | None = None  # the last SendEmail accepted

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

    def answer(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        """The ``before-send`` handler: SES's HTTP response to the signed request, without
        the request leaving the process. Its CPU is SES's, not the function's: counted as the
        emulators' (:meth:`RequestCounter.emulating`)."""
        if self.counter is None:
            return self._answer(request)
        with self.counter.emulating():
            return self._answer(request)

    def _answer(self, request: AWSPreparedRequest) -> AWSResponse:
        authorization: Any = request.headers.get("Authorization", b"")  # bytes, once signed
        if not authorization.startswith(b"AWS4-HMAC-SHA256 "):
            raise Unsigned(request.url)
        number = next(self._numbers)  # ids as SES's look, cheaper than uuid4: not SES's work
        headers: Any = {"Content-Type": "application/json", "x-amzn-RequestId": f"{number:032x}"}
        if self.take():
            self.last_request = request
            self._count("ok", Tally(requests=1, billed_requests=1))
            body = json.dumps({"MessageId": f"0102{number:032x}-{self._run}-bench"}).encode()
            return AWSResponse(request.url, 200, headers, _Body(body))
        self._count("TooManyRequestsException", Tally(requests=1))
        headers["x-amzn-ErrorType"] = "TooManyRequestsException"
        return AWSResponse(request.url, 429, headers, _Body(_THROTTLED))

    def _count(self, outcome: str, tally: Tally) -> None:
        actor = None if self.counter is None else self.counter.actor
        if self.counter is not None and actor is not None:
            self.counter.count(Key(actor, "sesv2", "SendEmail", outcome), tally)

    def install(self, client: Any, counter: RequestCounter | None = None) -> None:
        """Answer the ``SendEmail`` calls of ``client`` (a boto3 SESv2 client), alone, and
        count them with ``counter``."""
        self.counter = counter
        client.meta.events.register(EVENT, self.answer)
        _hidden_from_moto(client)


def _hidden_from_moto(client: Any) -> None:
    """moto in this process (``mock_aws``) no longer sees the client's ``SendEmail`` calls.

    botocore hands a request to every ``before-send`` handler and keeps the first answer:
    moto's would emulate SES for each email (parse the message, store it) after the
    stand-in answered. Its CPU is taken off the function's, but not what it does to the
    processor's caches: measured with it, the function's CPU per email rose by a quarter.
    """
    moto = sys.modules.get("moto.core.models")
    if moto is None:
        return
    stubber = moto.botocore_stubber

    def others(event_name: str, **kwargs: Any) -> Any:
        return None if event_name == EVENT else stubber(event_name=event_name, **kwargs)

    client.meta.events.unregister("before-send", stubber)
    client.meta.events.register("before-send", others)


class _Body:
    """An HTTP response's body, as botocore reads it (``raw.stream()``)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content
