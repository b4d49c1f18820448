"""The local stack in a subprocess, as ``make run`` starts it, reached over HTTP only."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest


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
    #: The stack's process, for the tests of the process itself (memory, signals).
    process: subprocess.Popen[str] | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        form: str | None = None,
        source_ip: str = "127.0.0.1",
    ) -> Answer:
        """One HTTP request; ``source_ip`` is any loopback address (127.0.0.0/8): signers
        from different addresses are not one client for the rate limit."""
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
        url = urlsplit(path if path.startswith("http") else self.base + path)
        assert url.hostname == "127.0.0.1", url  # the local stack only
        connection = http.client.HTTPConnection(
            url.hostname, url.port, timeout=60, source_address=(source_ip, 0)
        )
        try:
            target = url.path + (f"?{url.query}" if url.query else "")
            connection.request(method, target, body=data, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def token(self, user: str) -> str:
        answer = self.call("POST", "/_local/token", {"user": user})
        assert answer.status == 200, answer.body
        token: str = answer.json()["token"]
        return token

    def create_petition(self, petition: dict[str, Any], *, token: str) -> str:
        """POST /petitions as the starter the token names: the new petition's id."""
        created = self.call("POST", "/petitions", petition, token=token)
        assert created.status == 201, created.body
        petition_id: str = created.json()["petition_id"]
        return petition_id

    def at_a_minute_start(self) -> None:
        """Move the stack's clock to the start of the next minute, so that requests counted in
        one fixed one-minute rate window (a signing burst) fall in the same window however
        slowly a loaded machine sends them; across a minute's end they would not."""
        moved = self.call("POST", "/_local/clock", {"advance_seconds": 0})
        assert moved.status == 200, moved.body
        now = datetime.fromisoformat(moved.json()["now"])
        answer = self.call("POST", "/_local/clock", {"advance_seconds": 60 - now.second})
        assert answer.status == 200, answer.body

    def drain(self) -> None:
        answer = self.call("POST", "/_local/drain", {"timeout_seconds": 60})
        assert answer.status == 200, answer.body

    def outbox(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.call("GET", "/_local/outbox").json()["messages"]
        return messages

    def sign_and_confirm(self, petition_id: str, signers: list[dict[str, Any]]) -> None:
        """Sign, each from their own address, then follow each confirmation email's link."""
        for index, signer in enumerate(signers):
            answer = self.call(
                "POST",
                f"/petitions/{petition_id}/signatures",
                signer,
                source_ip=f"127.0.{index // 250 + 1}.{index % 250 + 1}",
            )
            assert answer.status == 201, answer.body
        self.drain()
        addresses = {signer["email"] for signer in signers}
        for email in self.outbox():
            link = re.search(r"http://\S+/signatures/confirm/\S+", email["text"] or "")
            if link and email["to"][0] in addresses:
                confirmed = self.call("POST", link.group(0))  # the button of its page
                assert confirmed.status == 200, confirmed.body
                addresses.discard(email["to"][0])
        assert not addresses, f"no confirmation email for {sorted(addresses)}"


def _stopped_within(process: subprocess.Popen[str], seconds: float, output: list[str]) -> None:
    """Wait for the stack to exit; if it does not, fail with what it printed and kill it, so
    that no stack outlives the test that started it."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        printed = "".join(output)
        raise AssertionError(f"no exit {seconds} s after SIGINT:\n{printed}") from None


@contextmanager
def running_stack(*options: str) -> Iterator[Client]:
    """``python -m mobilise_local`` (what ``make run`` starts) in a subprocess; Ctrl-C after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mobilise_local", "--port", "0", "--quiet", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    base = None
    for line in process.stdout:  # the stack says where it listens, then "ready"
        output.append(line)
        if line.strip().startswith("API "):
            base = line.split()[-1]
        if line.strip() == "ready":
            break
    else:
        raise AssertionError("the local stack stopped before it was ready:\n" + "".join(output))
    # Keep reading what it prints, so that it never blocks on a full pipe.
    reader = threading.Thread(target=lambda: output.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        assert base is not None, "".join(output)
        yield Client(base, process)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C (nothing if a test stopped it)
        _stopped_within(process, 90, output)  # a loaded machine stops moto slowly
        reader.join(timeout=10)
        printed = "".join(output)
        assert process.returncode == 0, printed
        assert "stopped" in printed
        errors = [line for line in output if "ERROR" in line or "Traceback" in line]
        assert not errors, printed


@pytest.fixture(scope="module")
def stack() -> Iterator[Client]:
    with running_stack() as client:
        yield client
