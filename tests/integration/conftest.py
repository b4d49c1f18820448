from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.harness import Mobilise, running_on_moto


@pytest.fixture
def mobilise(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    with running_on_moto(monkeypatch) as system:
        yield system
