"""The addresses signing accepts: every one of them can be put in an email's To header and
sent by SES, and the documented aliases of one mailbox are one signer."""

from __future__ import annotations

import functools
import re
from email.headerregistry import Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mobilise.core import crypto
from mobilise.emails import rendering
from mobilise.petitions.schemas import SignatureIn

SENDER = "Mobilise <updates@example.org>"
LINKS = rendering.RecipientLinks(unsubscribe="https://mobilise.test/unsubscribe/abc.def")


def _signature(address: str) -> SignatureIn:
    return SignatureIn.model_validate({"email": address, "name": "Zoé", "wants_updates": True})


#: What a person may type before the @: ASCII letters and the signs addresses use, and letters
#: of other scripts; after it, ASCII labels and internationalised ones.
_LOCAL = st.text(
    alphabet=st.sampled_from("abcXYZ09.+-_!#$%&'*/=?^`{|}~\"\\ @éßøж中\u0301"),
    min_size=1,
    max_size=20,
)
_LABEL = st.text(alphabet=st.sampled_from("abz09-éüж中"), min_size=1, max_size=12)
_DOMAIN = st.lists(_LABEL, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "org"]))
ADDRESSES = st.one_of(
    st.emails(), st.builds(lambda local, domain: f"{local}@{domain}", _LOCAL, _DOMAIN)
)


@settings(max_examples=400, deadline=None)
@given(ADDRESSES)
def test_every_address_signing_accepts_goes_into_a_to_header_as_ascii(typed: str) -> None:
    # Given any address, typed as it may be
    # When signing validates it
    try:
        accepted = _signature(typed).email
    except ValidationError:
        return  # refused at signing: never stored, never written to

    # Then the address kept is ASCII, our MIME builder takes it, and the To header carries it
    # as it is (no encoded word, which a mail server would refuse)
    assert accepted.isascii()
    assert Address(addr_spec=accepted).addr_spec == accepted
    rendered = rendering.render_already_signed(petition_title="Save the woods", language="en")
    raw = rendering.addressed(rendered, sender=SENDER, to=accepted, links=LINKS)
    assert raw.isascii()
    head = raw.split(b"\r\n\r\n", 1)[0]
    unfolded = re.sub(rb"\r\n(?=[ \t])", b"", head)  # RFC 5322 unfolding: a long one is folded
    assert f"\r\nTo: {accepted}\r\n".encode() in unfolded + b"\r\n"
    # And it is looked up as the same mailbox as it was typed
    assert crypto.mailbox(accepted) == crypto.mailbox(typed)


@pytest.mark.parametrize("typed", ["josé@example.org", "zoë.x@example.org", "用户@example.org"])
def test_a_part_before_the_at_that_email_cannot_carry_is_refused_saying_why(typed: str) -> None:
    # Given an address with letters SES cannot deliver to (SMTPUTF8) before the @
    # When signing validates it
    with pytest.raises(ValidationError) as refused:
        _signature(typed)

    # Then the field is named, and the message says what to do
    (error,) = refused.value.errors()
    assert error["loc"] == ("email",)
    assert re.fullmatch(
        r"our email service cannot deliver to an address with \S+ before the @: use an "
        r"address with only letters without accents, digits and \. _ - \+ before the @",
        error["msg"],
    )


def test_an_internationalised_domain_is_kept_in_its_ascii_form() -> None:
    assert _signature("Anna@Bücher.de").email == "Anna@xn--bcher-kva.de"


@pytest.mark.parametrize(
    "form",
    [
        "ab@gmail.com",
        "a.b@gmail.com",
        "ab+x@gmail.com",
        "A.B+Petitions.2026@GMAIL.com",
        "a.b@googlemail.com",
        " ab+x@googlemail.com ",
    ],
)
def test_the_forms_of_one_gmail_mailbox_are_one_mailbox(form: str) -> None:
    assert crypto.mailbox(form) == "ab@gmail.com"


def test_the_lookup_hash_is_the_mailboxs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "_master_key", functools.cache(lambda: b"k" * 32))

    assert crypto.email_hash("A.B+x@googlemail.com") == crypto.email_hash("ab@gmail.com")
    assert crypto.email_hash("a.b@example.org") != crypto.email_hash("ab@example.org")


@pytest.mark.parametrize(
    ("form", "mailbox"),
    [
        ("sam+news@outlook.com", "sam@outlook.com"),
        ("sam.roy+news@hotmail.fr", "sam.roy@hotmail.fr"),  # dots matter outside Gmail
        ("sam+x@fastmail.com", "sam@fastmail.com"),
        ("sam+x@proton.me", "sam@proton.me"),
        ("sam+x@example.org", "sam+x@example.org"),  # a domain whose rule we do not know
        ("s.a.m@example.org", "s.a.m@example.org"),
        ("sam+x@icloud.com", "sam+x@icloud.com"),  # Apple documents no such rule
        ("+x@gmail.com", "+x@gmail.com"),  # nothing left to fold into: as typed
        ("anna@bücher.de", "anna@xn--bcher-kva.de"),
    ],
)
def test_only_documented_aliases_are_folded(form: str, mailbox: str) -> None:
    assert crypto.mailbox(form) == mailbox
