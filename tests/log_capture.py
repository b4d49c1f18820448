"""The functions' log lines, captured as Powertools writes them (JSON)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line of the functions while the block runs, one JSON object a line."""
    from mobilise.core.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)  # Powertools logs through this one
    underlying.addHandler(handler)
    try:
        yield stream
    finally:
        underlying.removeHandler(handler)
