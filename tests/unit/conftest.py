"""tests/unit is the loop of seconds (``make unit``): pure rules, no emulator, no network.

A test that needs moto, DynamoDB Local or a socket belongs in tests/integration:
``test_no_emulators.py`` follows every import of these tests, and here a socket that
tries to connect fails the test that opened it.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_socket: socket.socket, address: Any) -> None:
        raise AssertionError(
            f"a unit test reached for the network ({address!r}): move it to tests/integration"
        )

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
