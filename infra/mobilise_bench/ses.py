"""A stand-in for SESv2 ``SendEmail`` and ``SendBulkEmail`` with the account's maximum send
rate, at the client.

It answers on the ``before-send.sesv2.SendEmail`` and ``before-send.sesv2.SendBulkEmail``
events of the client the deliver function uses (``mobilise.core.aws.sesv2()``): the request
has been serialised (as JSON: a raw message in base64, or a bulk call's template and
entries) and signed with SigV4, as for AWS, by the client or by
:mod:`mobilise.delivery.send_email`; only the HTTP exchange is left out. The answer
is the HTTP response SES gives, which botocore parses as it would SES's. Beyond the rate
it answers HTTP 429 ``TooManyRequestsException``, which botocore raises as a
``ClientError`` exactly as it would for SES, so the delivery code's pacing, idempotency
and error classification all run for real.

(It answered at ``before-call`` before, ahead of all of that: 0.36 ms an email of the
client's work went unmeasured.)

:mod:`mobilise.delivery.send_email` sends without the client's ``_make_api_call``, where
:class:`~mobilise_bench.counting.RequestCounter` counts the other requests: the stand-in
counts each call it answers outside one (:attr:`RequestCounter.counting_call`), under the
actor the counter has at the time; a call through the client is the counter's to count.

Emails, not calls, are what SES's rate limits and bills: a SendBulkEmail of n entries
takes n tokens at once, or is refused whole (429) and takes none; :attr:`SesQuota.accepted_at`
and :attr:`SesQuota.throttled_at` hold a moment per email. (SES's API reference also lists
``ACCOUNT_THROTTLED`` as an entry's status in a 200 answer; the stand-in refuses the call.)

The quota is a token bucket refilled at ``rate`` tokens a second. SES does not publish how
much burst it allows above the per-second rate, so a SendEmail may draw on only ``burst``
of it, by default a tenth of a second's worth (20 emails at 200/s). For a bulk call SES says
that "the number of destinations you can contact in a single call can be limited by your
account's maximum sending rate" (SendBulkTemplatedEmail, in the SES API reference; SESv2's
SendBulkEmail is its successor): a call of up to a second's worth of the rate is one SES
takes, one above it may be refused. So the bucket holds up to one second's worth
(:func:`ceiling`, at least ``burst``) and a bulk call may draw on all of it, a SendEmail only
on its top ``burst`` (:func:`drawn`): SendEmail alone is throttled exactly as before, and a
bulk call of more entries than the rate is always refused.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from mobilise_bench.counting import Key, RequestCounter, Tally

SEND = "SendEmail"
BULK = "SendBulkEmail"
OPERATIONS = (SEND, BULK)
EVENT = f"before-send.sesv2.{SEND}"
EVENTS = tuple(f"before-send.sesv2.{operation}" for operation in OPERATIONS)
_THROTTLED = json.dumps({"message": "Maximum sending rate exceeded."}).encode()


class Unsigned(Exception):
    """A request reached the stand-in without its SigV4 signature: the client's work the
    benchmark means to measure was not all done."""


def ceiling(rate: float, burst: float) -> float:
    """What the bucket holds at most: one second's worth of the rate (what SES lets one bulk
    call reach), or the burst if more."""
    return max(1.0, burst, rate)


def drawn(tokens: float, emails: int, *, room: float, ceiling: float) -> tuple[float, bool]:
    """(the tokens left, granted): ``emails`` taken at once from ``tokens`` (already refilled)
    if the top ``room`` of the bucket holds them all, else none."""
    if tokens - (ceiling - room) >= emails:
        return tokens - emails, True
    return tokens, False


def room(operation: str, *, capacity: float, ceiling: float) -> float:
    """How much of the bucket one call of ``operation`` may draw on: all of it for a bulk
    call, the burst (``capacity``) for a SendEmail."""
    return ceiling if operation == BULK else capacity


class SesQuota:
    """Token bucket: ``rate`` emails a second; a SendEmail draws on ``burst`` at most at once,
    a SendBulkEmail on a second's worth (:func:`ceiling`)."""

    def __init__(self, rate: float, burst: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.ceiling = ceiling(rate, self.capacity)
        self._tokens = self.ceiling
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        self._run = uuid.uuid4().hex[:12]  # message ids differ from one stand-in to the next
        self.accepted_at: list[float] = []  # time.monotonic() of each accepted email
        self.throttled_at: list[float] = []  # of each email refused (n for a bulk call)
        self.throttled_calls = 0  # calls refused, whatever their emails
        self.emails: Counter[str] = Counter()  # emails accepted, by operation
        self.counter: RequestCounter | None = None  # counts each call answered
        self.last_requests: dict[str, AWSPreparedRequest] = {}  # the last accepted, by operation

    def take(self, emails: int = 1, operation: str = SEND) -> bool:
        """``emails`` tokens at once for one call of ``operation``, or none."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.ceiling, self._tokens + (now - self._last) * self.rate)
            self._last = now
            share = room(operation, capacity=self.capacity, ceiling=self.ceiling)
            self._tokens, granted = drawn(self._tokens, emails, room=share, ceiling=self.ceiling)
            self.noted(granted, emails, operation, now)
            return granted

    def noted(self, granted: bool, emails: int, operation: str, now: float) -> None:
        """A call's outcome kept: a moment per email, accepted or refused."""
        if granted:
            self.accepted_at.extend([now] * emails)
            self.emails[operation] += emails
        else:
            self.throttled_at.extend([now] * emails)
            self.throttled_calls += 1

    @property
    def accepted(self) -> int:
        """Emails accepted, whichever operation carried them."""
        return len(self.accepted_at)

    @property
    def throttled(self) -> int:
        """Emails refused (a refused bulk call counts each of its entries)."""
        return len(self.throttled_at)

    @property
    def last_request(self) -> AWSPreparedRequest | None:
        """The last SendEmail accepted."""
        return self.last_requests.get(SEND)

    def answer(self, request: AWSPreparedRequest, event_name: str = EVENT, **_: Any) -> AWSResponse:
        """The ``before-send`` handler: SES's HTTP response to the signed request, without
        the request leaving the process. Its CPU is SES's, not the function's: counted as the
        emulators' (:meth:`RequestCounter.emulating`)."""
        operation = event_name.rsplit(".", 1)[-1]
        if self.counter is None:
            return self._answer(request, operation)
        with self.counter.emulating():
            return self._answer(request, operation)

    def _answer(self, request: AWSPreparedRequest, operation: str) -> AWSResponse:
        authorization: Any = request.headers.get("Authorization", b"")  # bytes, once signed
        if not authorization.startswith(b"AWS4-HMAC-SHA256 "):
            raise Unsigned(request.url)
        number = next(self._numbers)  # ids as SES's look, cheaper than uuid4: not SES's work
        headers: Any = {"Content-Type": "application/json", "x-amzn-RequestId": f"{number:032x}"}
        emails = 1
        if operation == BULK:
            body: Any = request.body  # bytes, as signed
            emails = len(json.loads(body)["BulkEmailEntries"])
        if self.take(emails, operation):
            self.last_requests[operation] = request
            self._count(operation, "ok", Tally(requests=1, billed_requests=emails))
            return AWSResponse(request.url, 200, headers, _Body(self._accepted(operation, emails)))
        self._count(operation, "TooManyRequestsException", Tally(requests=1))
        headers["x-amzn-ErrorType"] = "TooManyRequestsException"
        return AWSResponse(request.url, 429, headers, _Body(_THROTTLED))

    def _accepted(self, operation: str, emails: int) -> bytes:
        """SES's answer to an accepted call: its message id, or one a bulk entry."""
        ids = [f"0102{next(self._numbers):032x}-{self._run}-bench" for _ in range(emails)]
        if operation == BULK:
            results = [{"Status": "SUCCESS", "MessageId": each} for each in ids]
            return json.dumps({"BulkEmailEntryResults": results}).encode()
        return json.dumps({"MessageId": ids[0]}).encode()

    def _count(self, operation: str, outcome: str, tally: Tally) -> None:
        counter = self.counter
        if counter is None or counter.actor is None or counter.counting_call:
            return  # not counted, or counted by the counter around the client's call
        counter.count(Key(counter.actor, "sesv2", operation, outcome), tally)

    def install(self, client: Any, counter: RequestCounter | None = None) -> None:
        """Answer the ``SendEmail`` and ``SendBulkEmail`` calls of ``client`` (a boto3 SESv2
        client), alone, and count them with ``counter``."""
        self.counter = counter
        for event in EVENTS:
            client.meta.events.register(event, self.answer)
        _hidden_from_moto(client)


def _hidden_from_moto(client: Any) -> None:
    """moto in this process (``mock_aws``) no longer sees the client's ``SendEmail`` and
    ``SendBulkEmail`` calls.

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
        return None if event_name in EVENTS else stubber(event_name=event_name, **kwargs)

    try:
        client.meta.events.unregister("before-send", stubber)
    except AttributeError:  # botocore's when nothing is registered there: moto is not on it
        return
    client.meta.events.register("before-send", others)


class _Body:
    """An HTTP response's body, as botocore reads it (``raw.stream()``)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content
