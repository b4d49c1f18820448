"""Plain addresses (mobilise.core.addresses) against email-validator, which they stand in for:
whatever ``plain`` accepts, email-validator accepts with the same result, through pydantic's
``validate_email`` (the models' ``Email``) and through the signature's ASCII form; anything
else is left to email-validator."""

from __future__ import annotations

import json
import subprocess
import sys

import email_validator
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import validate_email as pydantic_email

from mobilise.core import addresses
from mobilise.core.addresses import plain

#: What addresses are made of, and what is near them: every character class the checks
#: treat apart, as text rather than only from the shape plain() looks for.
_NEAR = "aZz09_+-.@ !#$%&'*/=?^`{|}~\"(),:;<>[\\]\t\né\u00a0ſK\u212a"
_LABELS = st.sampled_from(
    ["a", "Z9", "ex-ample", "b--c", "xn--bcher-kva", "-a", "a-", "1", "a" * 63, "a" * 64]
)
_TLDS = st.sampled_from(["org", "COM", "c1", "1c", "test", "arpa", "localhost", "x", "Ab"])
_LOCALS = st.one_of(
    st.sampled_from(["jane.doe", "Jane+news", "a_b-c", "postmaster", "NOC", "a..b", ".a"]),
    st.text(alphabet="aZ09_+-.!#", min_size=1, max_size=70),
)


@st.composite
def _addresses(draw: st.DrawFn) -> str:
    labels = draw(st.lists(_LABELS, min_size=0, max_size=4))
    domain = ".".join([*labels, draw(_TLDS)])
    address = f"{draw(_LOCALS)}@{domain}"
    if draw(st.booleans()):  # and then a change anywhere
        at = draw(st.integers(0, len(address)))
        address = address[:at] + draw(st.text(alphabet=_NEAR, max_size=2)) + address[at:]
    return address


def _validator(address: str) -> tuple[str | None, str | None]:
    """email-validator's normal form through pydantic, and its ASCII form as signing asks for
    it; None where it refuses."""
    try:
        normalized = pydantic_email(address)[1]
    except ValueError:
        normalized = None
    try:
        found = email_validator.validate_email(
            address, check_deliverability=False, allow_smtputf8=False
        )
        ascii_email = found.ascii_email
    except email_validator.EmailNotValidError:
        ascii_email = None
    return normalized, ascii_email


def test_the_lists_are_email_validators() -> None:
    assert list(addresses.SPECIAL_USE_DOMAIN_NAMES) == email_validator.SPECIAL_USE_DOMAIN_NAMES
    folded = set(email_validator.rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES)
    assert folded == addresses.CASE_INSENSITIVE_MAILBOX_NAMES
    assert addresses.MAX_LENGTH == email_validator.rfc_constants.EMAIL_MAX_LENGTH
    assert addresses.MAX_LOCAL_LENGTH == email_validator.rfc_constants.LOCAL_PART_MAX_LENGTH
    assert addresses.MAX_LABEL_LENGTH == email_validator.rfc_constants.DNS_LABEL_LENGTH_LIMIT


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("mayor@example.org", "mayor@example.org"),
        ("Jane.Doe+news@Mail.Example.CO.uk", "Jane.Doe+news@mail.example.co.uk"),
        ("a_b-c@x-y.z9.info", "a_b-c@x-y.z9.info"),
        (f"{'a' * 64}@{'b' * 63}.org", f"{'a' * 64}@{'b' * 63}.org"),
    ],
)
def test_plain_addresses_are_answered_here(address: str, expected: str) -> None:
    assert plain(address) == expected
    assert _validator(address) == (expected, expected)


@pytest.mark.parametrize(
    "address",
    [
        "Postmaster@example.org",  # email-validator lowers its case
        "a@b.test",  # special use: refused
        "a@host.localhost",
        "a@xn--bcher-kva.example",  # Punycode
        "a@ab--cd.com",  # refused: two letters then two dashes
        "a@a-.com",
        f"a@{'b' * 64}.org",  # label too long
        "a@b.c1",
        f"{'a' * 65}@example.org",  # long, but accepted by email-validator
        f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 58}.org",  # 255 characters
        " a@example.org",  # pydantic strips it
        "Jane <a@example.org>",  # pydantic takes the address out
        "a..b@example.org",
        "josé@example.org",
        "a@bücher.example",
        "a@example",
        "a!b@example.org",  # ATEXT, but not one of the few
    ],
)
def test_anything_else_is_left_to_email_validator(address: str) -> None:
    assert plain(address) is None


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_addresses(), st.emails(), st.text(alphabet=_NEAR, max_size=40)))
@example("a@b.co")
@example("A@B.CO")
@example("a-b@c--d.org")
def test_what_plain_accepts_email_validator_accepts_the_same(address: str) -> None:
    answer = plain(address)
    if answer is not None:
        assert _validator(address) == (answer, answer)


_VALIDATED = """
import json, sys
from mobilise.petitions.schemas import PetitionIn, SignatureIn
decision_maker = {{"name": "The Mayor", "email": {address!r}}}
PetitionIn.model_validate(
    {{"title": "t", "description": "d", "language": "en", "decision_maker": decision_maker}}
)
print(json.dumps("email_validator" in sys.modules))
"""


@pytest.mark.parametrize(
    ("address", "imported"), [("mayor@example.org", False), ("mayor@bücher.example", True)]
)
def test_a_plain_address_is_validated_without_importing_email_validator(
    address: str, imported: bool
) -> None:
    probe = _VALIDATED.format(address=address)
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(completed.stdout) is imported
