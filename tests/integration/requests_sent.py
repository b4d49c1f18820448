"""Every AWS request the code makes, as it leaves botocore: each client's calls go through
``botocore.client.BaseClient._make_api_call`` (PynamoDB's included)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient


def requests_sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """(operation, parameters) of every request from now on, in order, made as before."""
    sent: list[tuple[str, dict[str, Any]]] = []
    client_class: Any = BaseClient  # its _make_api_call is private
    make_api_call = client_class._make_api_call

    def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        sent.append((operation, params))
        return make_api_call(client, operation, params)

    monkeypatch.setattr(client_class, "_make_api_call", recorded)
    return sent
