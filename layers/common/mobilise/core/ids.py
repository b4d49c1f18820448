"""Identifiers: ULIDs, sortable by the time they were made (on the domain clock)."""

from __future__ import annotations

import secrets

from mobilise.core import clock

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A 26-character ULID: 48 bits of milliseconds, then 80 random bits."""
    millis = int(clock.now().timestamp() * 1000)
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def is_id(text: str) -> bool:
    """Whether ``text`` has the shape of an id made by :func:`new_id`."""
    return len(text) == 26 and text[0] in "01234567" and all(c in _CROCKFORD for c in text)
