"""The operators' requests to the IAM-only functions (privacy, moderation), checked by hand:
those functions use pydantic for nothing else, and its import was some 50 ms of each of
their cold starts (issue 14). A request that is not understood raises
:class:`InvalidRequest`, which names what is wrong; the operator's invocation fails with it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

_MAX_EMAIL_LENGTH = 254  # RFC 5321's path, less its brackets
#: A display name's, a quoted local part's or an address literal's marks, and a list's.
_NOT_IN_AN_ADDRESS = frozenset('<>()[],;:"\\')


class InvalidRequest(ValueError):
    """An operator's request the function does not understand."""


def fields(event: object, known: Collection[str]) -> Mapping[str, Any]:
    """The event as a request: a JSON object naming only ``known`` fields."""
    if not isinstance(event, dict):
        raise InvalidRequest("the request must be a JSON object")
    unknown = sorted(str(name) for name in event if name not in known)
    if unknown:
        raise InvalidRequest(f"unknown field {', '.join(unknown):.200}")
    return event


def choice(event: Mapping[str, Any], name: str, choices: Collection[str]) -> str:
    value = event.get(name)
    if value not in choices:
        raise InvalidRequest(f"{name} must be one of {', '.join(choices)}, not {value!r:.80}")
    return str(value)


def optional_text(event: Mapping[str, Any], name: str, max_length: int) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidRequest(f"{name} must be text of at most {max_length} characters")
    return value


def whole_number(event: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = event.get(name, default)
    if type(value) is not int or not low <= value <= high:
        raise InvalidRequest(
            f"{name} must be a whole number from {low} to {high}, not {value!r:.80}"
        )
    return value


def email_address(event: Mapping[str, Any], name: str) -> str:
    """An email address as an operator gives it, spaces around it dropped: a local part, one
    ``@`` and a domain of dotted labels, without spaces, control characters or the marks of
    a display name or a quoted part (``<>()[],;:"\\``), at most 254 characters.

    Not email-validator's full syntax (its import is some 20 ms of a cold start): an address
    is only looked up here, by the hash of its :func:`mobilise.core.crypto.mailbox`, which
    gives the address signing stored (checked in full then) whichever case it is written in.
    What this refuses, pydantic's ``EmailStr`` refused too, or (``Name <address>``) took the
    address out of: an operator is told, rather than given nothing found.
    """
    value = event.get(name)
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be an email address")
    address = value.strip()
    local, at, domain = address.rpartition("@")
    labels = domain.split(".")
    if (
        not (local and at)
        or len(address) > _MAX_EMAIL_LENGTH
        or len(labels) < 2
        or not all(labels)
        or any(char in _NOT_IN_AN_ADDRESS or char.isspace() for char in address)
        or not address.isprintable()
    ):
        raise InvalidRequest(f"{name} is not an email address: {address!r:.80}")
    return address
