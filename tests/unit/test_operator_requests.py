"""The operators' requests (mobilise.core.operator_requests): whatever JSON an operator sends
the privacy or moderation function, it is read or refused with InvalidRequest naming what is
wrong, never another exception; and an address is looked up by the hash pydantic's EmailStr,
which the privacy function used before, led to (the erasure of a signer depends on it)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic.networks import EmailStr

from mobilise.core import crypto
from mobilise.core import operator_requests as request
from mobilise.core.operator_requests import InvalidRequest

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = ("action", "petition_id", "update_id", "limit")


def _moderation(event: Any) -> tuple[str, str | None, str | None, int]:
    given = request.fields(event, _FIELDS)
    return (
        request.choice(given, "action", ("list", "approve")),
        request.optional_text(given, "petition_id", 64),
        request.optional_text(given, "update_id", 64),
        request.whole_number(given, "limit", default=50, low=1, high=100),
    )


@given(
    event=_JSON
    | st.fixed_dictionaries(
        {},
        optional={
            "action": st.sampled_from(["list", "approve", "drop"]) | _JSON,
            "petition_id": st.text(max_size=70) | _JSON,
            "limit": st.integers(-5, 150) | _JSON,
        },
    )
)
def test_any_request_is_read_or_refused_with_a_reason(event: Any) -> None:
    try:
        read, reason = _moderation(event), ""
    except InvalidRequest as refused:
        read, reason = None, str(refused)
    if read is None:
        assert reason
    else:
        action, petition_id, _, limit = read
        assert action in ("list", "approve")
        assert petition_id is None or len(petition_id) <= 64
        assert 1 <= limit <= 100


def test_each_refusal_says_what_is_wrong() -> None:
    with pytest.raises(InvalidRequest, match="must be a JSON object"):
        _moderation(["list"])
    with pytest.raises(InvalidRequest, match="unknown field petition"):
        _moderation({"action": "list", "petition": "p1"})
    with pytest.raises(InvalidRequest, match="action must be one of list, approve, not 'drop'"):
        _moderation({"action": "drop"})
    with pytest.raises(InvalidRequest, match="petition_id must be text of at most 64"):
        _moderation({"action": "list", "petition_id": "p" * 65})
    with pytest.raises(InvalidRequest, match="limit must be a whole number from 1 to 100"):
        _moderation({"action": "list", "limit": True})
    assert _moderation({"action": "approve", "petition_id": "p1", "update_id": "u1"}) == (
        "approve",
        "p1",
        "u1",
        50,
    )


@given(st.emails() | st.emails().map(lambda address: f"  {address.upper()}\t"))
def test_an_address_pydantic_accepts_is_looked_up_as_pydantic_s_normal_form_was(
    address: str,
) -> None:
    """The hash an address is looked up by (its mailbox) is the one pydantic's EmailStr,
    which the privacy function used, gave."""
    assert crypto.mailbox(request.email_address({"email": address}, "email")) == crypto.mailbox(
        TypeAdapter(EmailStr).validate_python(address)
    )


@pytest.mark.parametrize(
    "address",
    [
        "",
        "no at sign",
        "@example.org",
        "someone@",
        "some one@example.org",
        "a\x00@b.co",
        "a@b.co" + "m" * 250,
        "Someone <a@b.co>",
        "<a@b.co>",
        "someone@gmail,com",
        "a@b",
        "a@b.co.",
        "a@.b.co",
        "a@[127.0.0.1]",
        '"a b"@b.co',
        42,
        None,
    ],
)
def test_what_is_no_address_is_refused(address: object) -> None:
    with pytest.raises(InvalidRequest, match="email"):
        request.email_address({"email": address}, "email")
