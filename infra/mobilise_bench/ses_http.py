"""What the SES stand-in leaves out of the deliver function's CPU: the HTTP exchange.

The stand-in (:mod:`mobilise_bench.ses`) answers each SendEmail and SendBulkEmail at botocore's
``before-send``, once the request is built and signed; on AWS the function then writes the
request on a connection and reads SES's answer. Measured apart here, in one thread, against a
server that answers as SES does over loopback HTTP (its own CPU, in another thread, not
counted) and against the stand-in (its CPU taken out, as in the runs); the sending thread's
CPU of each, their medians over ``rounds``, alternately:

* :func:`measure`: the same email (one the run sent, its raw message, sender, tags) made ready
  by :class:`mobilise.delivery.send_email.SendEmail` and sent, ``times`` at a time: CPU per
  email;
* :func:`measure_bulk`: the same SendBulkEmail (the last the run made: its template and
  entries) called ``times`` at a time through a SES client configured as the function's, SES
  answering a result an entry: CPU per call, and per email (÷ its entries), which is what
  the deliver function's CPU per email leaves out when its emails go in bulk.

Plain HTTP on a kept-alive connection: on AWS, TLS adds its encryption to it.
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
from mobilise_bench.ses import BULK, SesQuota

_MESSAGE_ID = "0102" + "0" * 32 + "-" + "0" * 12 + "-bench"  # as long as the stand-in's
BULK_PATH = "/v2/email/outbound-bulk-emails"


class _Ses(BaseHTTPRequestHandler):
    """SES's answer to a SendEmail (its headers and a message id), or to a SendBulkEmail (a
    result an entry)."""

    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool uses it
    _answer = json.dumps({"MessageId": _MESSAGE_ID}).encode()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = self._answer
        if self.path == BULK_PATH:
            entries = json.loads(body)["BulkEmailEntries"]
            results = [{"Status": "SUCCESS", "MessageId": _MESSAGE_ID} for _ in entries]
            answer = json.dumps({"BulkEmailEntryResults": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", "0" * 32)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

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


def bulk_of(request: AWSPreparedRequest) -> dict[str, Any]:
    """The parameters, as the client takes them, of the SendBulkEmail ``request`` sends: its
    JSON body is them, as no member of an inline template's call is a blob (an attachment's
    ``RawContent`` would be, in base64)."""
    body: Any = request.body  # bytes, as signed
    params: dict[str, Any] = json.loads(body)
    return params


def _called(client: Any, params: dict[str, Any], times: int, counter: RequestCounter) -> float:
    """The thread's CPU per call making ``times`` SendBulkEmail calls, less the emulators'."""
    own = counter.own_cpu()
    for _ in range(times):
        answer = client.send_bulk_email(**params)
    if len(answer["BulkEmailEntryResults"]) != len(params["BulkEmailEntries"]):
        raise RuntimeError("SES's answer has not a result an entry")
    return (counter.own_cpu() - own) / times


def measure_bulk(request: AWSPreparedRequest, times: int = 50, rounds: int = 5) -> dict[str, Any]:
    """Milliseconds of CPU per SendBulkEmail call and per email: the call over HTTP, to the
    stand-in, and the difference (what the runs' figures leave out)."""
    params = bulk_of(request)
    body: Any = request.body  # bytes, as signed
    entries = len(params["BulkEmailEntries"])
    config = aws.sesv2().meta.config  # the function's: one attempt, its timeouts
    found: dict[str, list[float]] = {"http": [], "stand_in": []}
    with _server() as url, RequestCounter() as counter:
        over_http = boto3.client("sesv2", endpoint_url=url, config=config)
        to_stand_in = boto3.client("sesv2", endpoint_url=url, config=config)
        SesQuota(1e9, 1e9).install(to_stand_in, counter)
        for _ in range(rounds):  # alternately: the machine's drift falls on both
            found["http"].append(_called(over_http, params, times, counter))
            found["stand_in"].append(_called(to_stand_in, params, times, counter))
    http, stand_in = (statistics.median(found[name]) for name in ("http", "stand_in"))
    return {
        "operation": BULK,
        "calls": times * rounds,
        "entries": entries,
        "request_bytes": len(body),
        "call_over_http_ms": 1000 * http,
        "call_to_stand_in_ms": 1000 * stand_in,
        "http_exchange_ms_per_call": 1000 * (http - stand_in),
        "http_exchange_ms_per_email": 1000 * (http - stand_in) / entries,
    }
