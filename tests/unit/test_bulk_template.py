"""An update's email as an SES template: rendered by a Handlebars implementation (pybars3,
as SES renders one: substituted values not escaped), each recipient gets exactly the email
:meth:`Rendered.personalised` gives, whatever the starter wrote."""

from __future__ import annotations

import dataclasses
import json
import re
from email.errors import NonASCIILocalPartDefect
from email.header import decode_header, make_header
from typing import Any

import pybars  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.core.links import SignerRef
from mobilise.delivery import sending
from mobilise.emails import bulk
from mobilise.emails.rendered import RecipientLinks, Rendered
from tests import email_examples
from tests.email_examples import PETITION_ID, UPDATE_ID

pytestmark = pytest.mark.usefixtures("offline")

_COMPILER = pybars.Compiler()


def _as_ses(template: str, data: dict[str, str]) -> str:
    """``template`` rendered as SES renders it: Handlebars, the values as they are (SES
    does not escape them: a pybars ``strlist`` is written unescaped)."""
    return str(_COMPILER.compile(template)({name: pybars.strlist([v]) for name, v in data.items()}))


def _received(rendered: Rendered, links: RecipientLinks) -> tuple[str, str, str]:
    """What one recipient receives of ``rendered``'s template: subject, HTML, text."""
    template = bulk.template(rendered)
    data = {**json.loads(bulk.default_data()), **json.loads(bulk.data(rendered, links))}
    return tuple(_as_ses(part, data) for part in (template.subject, template.html, template.text))  # type: ignore[return-value]


def _links(rendered: Rendered, n: int = 1, *, signer: bool = False) -> RecipientLinks:
    made = sending.recipient_links(SignerRef(PETITION_ID, f"{n:064x}", UPDATE_ID), rendered)
    return made._replace(signer="tok.en/=&<>" if signer else None)


@pytest.mark.parametrize("kind", ["news", "press", "event", "ask_advice", "victory"])
def test_every_type_s_email_reaches_each_recipient_as_personalised(kind: str) -> None:
    # Given an update's email of this type, and two signers' links
    rendered = email_examples.render(kind)
    for n in (1, 2):
        links = _links(rendered, n, signer=n == 2)
        # When SES renders its template with one signer's data
        subject, html, text = _received(rendered, links)
        # Then they get the subject, HTML and text personalised for them
        assert (subject, html, text) == (rendered.subject, *rendered.personalised(links))


_PIECES = ["{", "}", "\\", "{{", "}}", "{{{", "lb", "bs", "#if", "<&>", "é", "😀", " ", "\n", "a"]
_HOSTILE = st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(subject=_HOSTILE, before=_HOSTILE, after=_HOSTILE)
def test_no_text_of_the_starter_is_read_as_template_syntax(
    subject: str, before: str, after: str
) -> None:
    # Given an email whose subject and parts hold any braces, backslashes and words
    base = email_examples.render("ask_advice")
    slot = base.slot
    rendered = dataclasses.replace(
        base,
        subject=subject,
        html=f"{before}<a href='{slot}'>x</a>{after}<a href='{slot}-respond'>r</a>{before}",
        text=f"{after}{slot}\n{before}{slot}-respond{after}",
    )
    links = _links(rendered)

    # Then SES's rendering of the template gives each recipient exactly their email
    assert _received(rendered, links) == (rendered.subject, *rendered.personalised(links))


def test_the_template_s_only_braces_are_its_variables() -> None:
    # Given an email whose text is full of braces and backslashes
    rendered = dataclasses.replace(email_examples.render("event"), subject="{{a}} \\{{b}} {{{c}}}")
    template = bulk.template(rendered)
    data: dict[str, Any] = json.loads(bulk.data(rendered, _links(rendered)))

    # Then every "{" of the template opens one of its variables, each in the data
    for part in template:
        if not isinstance(part, str):
            continue
        without = re.sub(r"\{\{([a-z_]+)\}\}", lambda m: "" if m[1] in data else m[0], part)
        assert "{" not in without
        assert "\\" not in without
    # And the recipient variables are only those its links need
    assert template.variables == {"unsubscribe", "rsvp", "rsvp_html"}


def test_an_address_is_given_to_ses_in_ascii_or_refused_as_a_header_refused_it() -> None:
    assert bulk.destination("zoe+news@example.org") == "zoe+news@example.org"
    assert bulk.destination("zoe@exämple.org") == "zoe@xn--exmple-cua.org"
    with pytest.raises(NonASCIILocalPartDefect):
        bulk.destination("zoë@example.org")


def test_a_sender_s_name_not_in_ascii_reaches_ses_in_encoded_words() -> None:
    assert bulk.sender("Mobilise <updates@example.org>") == "Mobilise <updates@example.org>"
    encoded = bulk.sender("Pétitions Zoé <updates@example.org>")
    assert encoded.isascii()
    assert encoded.endswith(" <updates@example.org>")
    assert str(make_header(decode_header(encoded.rsplit(" <", 1)[0]))) == "Pétitions Zoé"


def test_an_unsubscribe_link_no_header_can_hold_whole_is_refused() -> None:
    assert bulk.unsubscribe_header("https://example.org/u/a.b") == "<https://example.org/u/a.b>"
    with pytest.raises(ValueError, match="angle brackets"):
        bulk.unsubscribe_header("https://example.org/u/" + "a" * 980)
    with pytest.raises(ValueError, match="angle brackets"):
        bulk.unsubscribe_header("https://example.org/u/a,b")
