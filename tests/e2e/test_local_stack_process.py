"""The local stack as its users meet it: a burst of connections, runs after runs, Ctrl-C."""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Client, running_stack

#: Time and memory of one process: measured alone, after the parallel run (see the Makefile).
pytestmark = [pytest.mark.serial, pytest.mark.slow]

BURST = 128


def _answer_to_one_connection(host: str, port: int, barrier: threading.Barrier) -> str:
    """The status line the stack answers on a fresh connection, or why there was none."""
    barrier.wait()
    try:
        with socket.create_connection((host, port), timeout=10) as connection:
            connection.sendall(
                b"GET /_local/no-such-thing HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n"
            )
            answer = connection.makefile("rb").read()  # to the end: no reset on close
            return answer.split(b"\r\n", 1)[0].decode()
    except OSError as error:
        return repr(error)


def test_a_burst_of_128_connections_is_answered_on_every_one(stack: Client) -> None:
    # Given the stack's API address
    address = urlsplit(stack.base)
    assert address.hostname is not None
    assert address.port is not None
    barrier = threading.Barrier(BURST)
    answers: list[str] = []

    def connect() -> None:
        answers.append(_answer_to_one_connection(address.hostname, address.port, barrier))  # type: ignore[arg-type]

    # When 128 clients connect at the same moment
    clients = [threading.Thread(target=connect) for _ in range(BURST)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()

    # Then every one of them gets an answer (404: no such local endpoint), none is dropped
    assert answers == ["HTTP/1.1 404 Not Found"] * BURST


def _resident_kib(process: subprocess.Popen[str]) -> int:
    """The process's resident memory, as the kernel counts it (VmRSS)."""
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {process.pid}")


def _publish_to_signers(stack: Client, run: int, signers: int) -> None:
    """One campaign: a petition, its confirmed signers, an update emailed to every one."""
    token = stack.token(f"starter{run}")
    petition = {
        "title": f"Scenario petition number {run}",
        "description": "A petition signed, then updated, again and again.",
        "language": "en",
        "decision_maker": {"name": "The council"},
    }
    petition_id = stack.create_petition(petition, token=token)
    stack.sign_and_confirm(
        petition_id,
        [
            {"email": f"run{run}-{index}@example.org", "name": "S", "wants_updates": True}
            for index in range(signers)
        ],
    )
    update = {"title": f"Scenario update {run}", "body": "News for every signer."}
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=token)
    assert published.status == 201, published.body
    stack.drain()
    sent = stack.call("GET", f"/_local/outbox?to=run{run}-{signers - 1}@example.org")
    assert [m["subject"] for m in sent.json()["messages"]][-1] == update["title"]


@pytest.fixture
def own_stack() -> Iterator[Client]:
    """A stack for this test alone."""
    with running_stack() as client:
        yield client


def test_memory_stays_bounded_over_repeated_scenarios(own_stack: Client) -> None:
    # Given a stack that ran one scenario (its modules loaded, its caches warm)
    assert own_stack.process is not None
    _publish_to_signers(own_stack, 0, 50)
    after_first = _resident_kib(own_stack.process)

    # When the same scenario runs three more times
    for run in (1, 2, 3):
        _publish_to_signers(own_stack, run, 50)
    after_last = _resident_kib(own_stack.process)

    # Then the stack holds the new data, not copies of it: its memory barely grew
    assert after_last < 1.3 * after_first, (after_first, after_last)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_stack_exits_within_5_seconds_of_being_stopped(
    own_stack: Client, stop: signal.Signals
) -> None:
    # Given a stack that has emailed a campaign's signers
    assert own_stack.process is not None
    _publish_to_signers(own_stack, 0, 30)

    # When it is stopped (Ctrl-C, or a service manager's SIGTERM)
    own_stack.process.send_signal(stop)

    # Then the process is gone within 5 seconds, having said so (checked by running_stack)
    assert own_stack.process.wait(timeout=5) == 0


#: The tgkill system call's number: a signal to one thread of a process.
_SYS_TGKILL = {"x86_64": 234, "aarch64": 131}


def _signal_thread(pid: int, thread: int, stop: signal.Signals) -> None:
    """Deliver ``stop`` to one thread of a process, as the kernel may deliver a signal sent to
    the process: to any of its threads that does not block it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(_SYS_TGKILL[platform.machine()], pid, thread, int(stop)) != 0:
        raise OSError(ctypes.get_errno(), "tgkill")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_stack_stops_whichever_of_its_threads_the_signal_reaches(
    own_stack: Client, stop: signal.Signals
) -> None:
    # Given a stack, whose HTTP servers, pollers and schedules are threads beside the main one
    assert own_stack.process is not None
    pid = own_stack.process.pid
    threads = sorted(int(task) for task in os.listdir(f"/proc/{pid}/task") if int(task) != pid)
    assert threads

    # When the signal reaches one of those threads rather than the main one
    _signal_thread(pid, threads[-1], stop)

    # Then it stops as it does when the main thread gets it (checked by running_stack)
    assert own_stack.process.wait(timeout=5) == 0
