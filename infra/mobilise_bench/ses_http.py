"""What the SES stand-in leaves out of the deliver function's CPU: SendEmail's HTTP exchange.

The stand-in (:mod:`mobilise_bench.ses`) answers each SendEmail at botocore's ``before-send``,
once the request is built and signed; on AWS the function then writes the request on a
connection and reads SES's answer. Measured apart here, in one thread: the same email (one
the run sent, its raw message, sender, tags) made ready by
:class:`mobilise.delivery.send_email.SendEmail` and sent, ``times`` at a time, through a SES
client configured as the function's, once over loopback HTTP to a server that answers as
SES does (its own CPU, in another thread, not counted), once to the stand-in (its CPU taken
out, as in the runs); the sending thread's CPU per email of each, their medians over
``rounds``. Plain HTTP on a kept-alive connection: on AWS, TLS adds its encryption to it.
"""

from __future__ import annotations

import base64
import json
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest

from mobilise.core import aws
from mobilise.delivery.send_email import SendEmail
from mobilise_bench.counting import RequestCounter
from mobilise_bench.ses import SesQuota


class _Ses(BaseHTTPRequestHandler):
    """SES's answer to a SendEmail: its headers and a message id."""

    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool uses it
    _answer = json.dumps({"MessageId": "0102" + "0" * 32 + "-bench"}).encode()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", "0" * 32)
        self.send_header("Content-Length", str(len(self._answer)))
        self.end_headers()
        self.wfile.write(self._answer)

    def log_message(self, *_: Any) -> None:
        """Quiet: one line a request would be the benchmark's noise."""


@contextmanager
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ses)
    thread = threading.Thread(target=server.serve_forever, name="ses-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def email_of(request: AWSPreparedRequest) -> dict[str, Any]:
    """:meth:`SendEmail.prepare`'s arguments for the email a SendEmail ``request`` sends."""
    body: Any = request.body  # bytes, as SendEmail.prepare signs it
    params = json.loads(body)
    return {
        "sender": params["FromEmailAddress"],
        "to": params["Destination"]["ToAddresses"][0],
        "raw": base64.b64decode(params["Content"]["Raw"]["Data"]),
        "configuration_set": params["ConfigurationSetName"],
        "tags": [(tag["Name"], tag["Value"]) for tag in params["EmailTags"]],
    }


def _sent(sender: SendEmail, email: dict[str, Any], times: int, counter: RequestCounter) -> float:
    """The thread's CPU per email sending ``times`` emails made ready, less the emulators'."""
    prepared = [sender.prepare(**email) for _ in range(times)]
    own = counter.own_cpu()
    for each in prepared:
        sender.send(each)
    return (counter.own_cpu() - own) / times


def measure(request: AWSPreparedRequest, times: int = 200, rounds: int = 5) -> dict[str, Any]:
    """Milliseconds of CPU per email: SendEmail's sending over HTTP, to the stand-in, and the
    difference (what the runs' figures leave out)."""
    email = email_of(request)
    config = aws.sesv2().meta.config  # the function's: one attempt, its timeouts
    found: dict[str, list[float]] = {"http": [], "stand_in": []}
    with _server() as url, RequestCounter() as counter:
        over_http = SendEmail(boto3.client("sesv2", endpoint_url=url, config=config))
        stand_in_client = boto3.client("sesv2", endpoint_url=url, config=config)
        SesQuota(1e9, 1e9).install(stand_in_client, counter)
        to_stand_in = SendEmail(stand_in_client)
        for _ in range(rounds):  # alternately: the machine's drift falls on both
            found["http"].append(_sent(over_http, email, times, counter))
            found["stand_in"].append(_sent(to_stand_in, email, times, counter))
    http, stand_in = (statistics.median(found[name]) for name in ("http", "stand_in"))
    return {
        "emails": times * rounds,
        "raw_bytes": len(email["raw"]),
        "send_over_http_ms": 1000 * http,
        "send_to_stand_in_ms": 1000 * stand_in,
        "http_exchange_ms": 1000 * (http - stand_in),
    }
