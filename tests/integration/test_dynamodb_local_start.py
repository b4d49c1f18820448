"""DynamoDB Local started on a port another process takes first is started again on another
(the e2e stack's start failed so once, with a test worker's server on the port it chose)."""

from __future__ import annotations

import socket

import boto3
import pytest

from mobilise_local import dynamodb_local
from mobilise_local.server import free_port


@pytest.mark.parametrize(
    "listening",
    [
        pytest.param(False, id="bound, not listening: as a port just taken"),
        pytest.param(True, id="a server listening there: a probe that connects is answered"),
    ],
)
def test_a_port_another_process_holds_is_left_for_another(
    monkeypatch: pytest.MonkeyPatch, listening: bool
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        if listening:
            holder.listen()
        taken = holder.getsockname()[1]
        ports = iter([taken, free_port()])
        monkeypatch.setattr(dynamodb_local, "free_port", lambda: next(ports))

        server = dynamodb_local.DynamoDBLocal.on_a_free_port()
        try:
            assert server.port != taken
            tables = boto3.client(
                "dynamodb",
                endpoint_url=server.endpoint,
                region_name="eu-west-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            ).list_tables()
            assert tables["TableNames"] == []  # DynamoDB Local answers there, and it is new
        finally:
            server.stop()
