"""The operators' requests to the IAM-only functions (privacy, moderation), checked by hand:
those functions use pydantic for nothing else, and its import was some 50 ms of each of
their cold starts (issue 14). A request that is not understood raises
:class:`InvalidRequest`, which names what is wrong; the operator's invocation fails with it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

_MAX_EMAIL_LENGTH = 2048  # pydantic's


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
    """An email address in its normal form, as pydantic's ``EmailStr`` gave it (spaces around
    it dropped, then email-validator's normal form), but not its ``Name <address>`` form.
    email-validator is imported here: only the privacy function reads an address."""
    from email_validator import EmailNotValidError, validate_email

    value = event.get(name)
    if not isinstance(value, str) or len(value) > _MAX_EMAIL_LENGTH:
        raise InvalidRequest(f"{name} must be an email address")
    try:
        return str(validate_email(value.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise InvalidRequest(f"{name} is not a valid email address: {error}") from None
