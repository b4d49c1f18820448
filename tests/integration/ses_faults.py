"""SES failing a request that sends one email at once, as it fails on AWS: a refusal with
its code and status (the sesv2 model's, else AWS's common errors'), or no connection at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from mobilise.core import aws

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
