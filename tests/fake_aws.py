"""Fake credentials and no profile, whatever the machine has: no test can reach AWS; and AWS's
HTTP answers made up in the process, for a ``before-send`` handler to give botocore."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from mobilise_local.fake_aws import FAKE_AWS


def use_fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


class _Body:
    """A response's body as botocore reads it (``raw.stream()``)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content


def http_answer(url: str, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    """An HTTP response as botocore reads one off the wire, for a handler of its
    ``before-send`` event to return: the request never leaves the process."""
    return AWSResponse(url, status, headers, _Body(body))  # type: ignore[arg-type]
