"""SES failing a request that sends one email at once, as it fails on AWS: a refusal with
its code and status (the sesv2 model's, else AWS's common errors'), no connection at all, or
a request taken and never answered; and SES refusing some destinations of a SendBulkEmail."""

from __future__ import annotations

import os
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from mobilise.core import aws
from mobilise.delivery import ses

UNREACHABLE = "unreachable"
_COMMON = {"AccessDeniedException": 403, "ServiceUnavailable": 503}


def _status(code: str) -> int:
    model = botocore.session.get_session().get_service_model("sesv2").operation_model("SendEmail")
    for shape in model.error_shapes:
        if shape.name == code:
            return int(shape.metadata["error"]["httpStatusCode"])
    return _COMMON.get(code, 400)


@contextmanager
def refusing_ses(code: str) -> Iterator[None]:
    """The next SendEmail refused with ``code``, or, for :data:`UNREACHABLE`, failing to
    connect (botocore's ``EndpointConnectionError``: nothing reached SES)."""
    client: Any = aws.sesv2()
    if code != UNREACHABLE:
        with Stubber(client) as refusing:
            refusing.add_client_error("send_email", code, http_status_code=_status(code))
            yield
        return

    def unreachable(request: Any, **_: Any) -> None:
        raise EndpointConnectionError(endpoint_url=request.url)

    client.meta.events.register_first("before-send.sesv2.SendEmail", unreachable)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send.sesv2.SendEmail", unreachable)


@contextmanager
def silent_ses(read_timeout: float = 0.5) -> Iterator[list[bytes]]:
    """SES taking every request and answering none: a server on a loopback port that reads
    each request (listed, as it arrived) and holds its connection open. The SES client is
    made again for it, waiting ``read_timeout`` seconds for an answer rather than
    :data:`mobilise.core.aws.SES_READ_TIMEOUT` (the test's time); and again after, for moto."""
    received: list[bytes] = []
    done = threading.Event()

    class Silent(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            received.append(self.request.recv(1 << 20))
            done.wait()  # never answered: the connection stays open until the test ends

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    variable = "AWS_ENDPOINT_URL_SESV2"  # botocore's endpoint for SESv2 alone
    endpoint, timeout = os.environ.get(variable), aws.SES_READ_TIMEOUT
    os.environ[variable] = f"http://127.0.0.1:{server.server_address[1]}"
    aws.SES_READ_TIMEOUT = read_timeout
    aws.sesv2.cache_clear()  # its sender is the new client's (mobilise.delivery.ses)
    try:
        yield received
    finally:
        done.set()
        server.shutdown()
        server.server_close()
        if endpoint is None:
            del os.environ[variable]
        else:
            os.environ[variable] = endpoint
        aws.SES_READ_TIMEOUT = timeout
        aws.sesv2.cache_clear()


@contextmanager
def ses_refusing_after(accepted: int, status: str) -> Iterator[list[int]]:
    """SES (moto) taking the next ``accepted`` update emails, then answering ``status`` (a
    destination's ``BulkEmailStatus``) for every other destination of the SendBulkEmail in
    which they run out; the requests after it go to SES again. Yields the sizes of the
    requests it saw."""
    original, left, sizes = ses.send_bulk, accepted, []
    refused = False

    def send_bulk(template: Any, default: str, to: Any, tags: Any) -> list[ses.Accepted]:
        nonlocal left, refused
        sizes.append(len(to))
        if refused:
            return original(template, default, to, tags)
        took = original(template, default, to[:left], tags) if left else []
        left -= len(took)
        if len(took) == len(to):
            return took
        refused = True
        return [*took, *[ses.Accepted(None, ses.BULK_STATUS[status])] * (len(to) - len(took))]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ses, "send_bulk", send_bulk)
        yield sizes
