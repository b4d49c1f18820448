"""Emulators on loopback ports, for the benchmarks that run functions in child processes."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from mobilise_bench.env import scoped
from mobilise_local.dynamodb_local import DynamoDBLocal
from mobilise_local.server import free_port


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server in a thread of this process; every client of this process (and of the
    children given this environment) goes to it. Yields its URL."""
    from moto.server import ThreadedMotoServer

    from mobilise_local.moto_patches import (
        cheap_dynamodb_transactions,
        serialise_dynamodb_requests,
    )
    from mobilise_local.ses_bulk import emulate_send_bulk_email

    serialise_dynamodb_requests()
    cheap_dynamodb_transactions()  # moto copies whole tables per transaction otherwise
    emulate_send_bulk_email()  # moto has no SendBulkEmail
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    # moto's state is the process's: empty it of what an earlier server (or mock) left.
    reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")  # noqa: S310 (ours)
    with urllib.request.urlopen(reset, timeout=30):  # noqa: S310 (our own server, on loopback)
        pass
    try:
        with scoped({"AWS_ENDPOINT_URL": url}):
            yield url
    finally:
        server.stop()


@contextmanager
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """Amazon's DynamoDB Local (Java, in memory) for as long as the block runs."""
    server = DynamoDBLocal.on_a_free_port()
    try:
        yield server
    finally:
        server.stop()
