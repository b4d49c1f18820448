"""The local stack in a subprocess, as ``make run`` starts it, reached over HTTP only."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from mobilise_local.server import free_port


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Client:
    base: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        form: str | None = None,
    ) -> Answer:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = form.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def token(self, user: str) -> str:
        answer = self.call("POST", "/_local/token", {"user": user})
        assert answer.status == 200, answer.body
        token: str = answer.json()["token"]
        return token

    def drain(self) -> None:
        answer = self.call("POST", "/_local/drain", {"timeout_seconds": 60})
        assert answer.status == 200, answer.body

    def outbox(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.call("GET", "/_local/outbox").json()["messages"]
        return messages


@pytest.fixture(scope="module")
def stack() -> Iterator[Client]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mobilise_local", "--port", str(port), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # the stack says "ready" once it serves
        seen.append(line)
        if line.strip() == "ready":
            break
    else:
        raise AssertionError("the local stack stopped before it was ready:\n" + "".join(seen))
    try:
        yield Client(f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, rest
        assert "stopped" in rest
