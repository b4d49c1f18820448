"""DynamoDB Local started on a port another process takes first is started again on another
(the e2e stack's start failed so once, with a test worker's server on the port it chose)."""

from __future__ import annotations

import socket

import pytest

from mobilise_local import dynamodb_local
from mobilise_local.server import free_port


def test_a_port_taken_before_its_bind_is_left_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))  # noqa: S104 (bound, not listening: as a port just taken)
        taken = holder.getsockname()[1]
        ports = iter([taken, free_port()])
        monkeypatch.setattr(dynamodb_local, "free_port", lambda: next(ports))

        server = dynamodb_local.DynamoDBLocal.on_a_free_port()
        try:
            assert server.port != taken
            with socket.create_connection(("127.0.0.1", server.port), timeout=5):
                pass
        finally:
            server.stop()
