"""An email rendered once as an SES template: what one ``SendBulkEmail`` sends to up to 50
recipients, each with their own links.

SES renders the template (Handlebars, simple substitution: ``{{name}}``) for each
destination with that destination's template data, and writes the MIME. The template is
the rendering itself, :class:`~mobilise.emails.rendered.Rendered`'s subject, text and HTML,
with a variable where each recipient's link goes (its slot). The starter's text is in the
template, so it must never be read as template syntax: SES starts an expression only at
``{{`` (and Handlebars escapes one with a backslash before it), so every ``{`` and every
``\\`` of the rendering is itself written as a variable, ``{{lb}}`` and ``{{bs}}``, whose
values are ``{`` and ``\\``. No ``{`` of the template is then the rendering's own, and what
SES substitutes is not read again: each recipient gets exactly
:meth:`~mobilise.emails.rendered.Rendered.personalised` (``tests/unit/test_bulk_template.py``
renders the template with a Handlebars implementation, for any text).

SES does not escape substituted values in the HTML (AWS's developer guide, "Advanced email
personalization"): the HTML's links are given escaped, as ``personalised`` escapes them, in
variables of their own.

Each recipient's data holds every variable (``lb`` and ``bs`` too): it does not depend on
whether SES merges it with the call's default data or replaces it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from mobilise.emails.rendered import RecipientLinks, Rendered

#: What the rendering's own ``{`` and ``\`` are written as in the template.
_LITERAL = {"{": "{{lb}}", "\\": "{{bs}}"}
_LITERALS = re.compile(r"[{\\]")
#: The literals' values, in every destination's data.
LITERALS = {"lb": "{", "bs": "\\"}


class Template(NamedTuple):
    """An SES inline template (``TemplateContent``) and the variables its links use."""

    subject: str
    text: str
    html: str
    #: The recipient variables the template uses, by the link each is made from.
    variables: frozenset[str]


def _literal(text: str) -> str:
    return _LITERALS.sub(lambda match: _LITERAL[match.group()], text)


def _markers(slot: str) -> dict[str, tuple[str, str]]:
    """Each marker of a rendering (see ``Rendered.personalised``), longest first: the
    variables that replace it in the text and in the HTML."""
    return {
        f"?s={slot}-signer": ("signer", "signer_html"),
        f"{slot}-respond": ("respond", "respond_html"),
        f"{slot}-rsvp": ("rsvp", "rsvp_html"),
        slot: ("unsubscribe", "unsubscribe"),  # personalised puts it in the HTML unescaped
    }


def _templated(part: str, markers: dict[str, str], used: set[str]) -> str:
    """``part`` with its literals written as variables and each marker as its variable."""
    pattern = re.compile("|".join(re.escape(marker) for marker in markers))
    out, at = [], 0
    for match in pattern.finditer(part):
        out.append(_literal(part[at : match.start()]))
        name = markers[match.group()]
        used.add(name)
        out.append(f"{{{{{name}}}}}")
        at = match.end()
    out.append(_literal(part[at:]))
    return "".join(out)


@lru_cache(maxsize=64)
def template(rendered: Rendered) -> Template:
    """``rendered`` as an SES template (made once per rendering and warm function)."""
    markers = _markers(rendered.slot)
    used: set[str] = set()
    text = _templated(rendered.text, {m: names[0] for m, names in markers.items()}, used)
    html = _templated(rendered.html, {m: names[1] for m, names in markers.items()}, used)
    return Template(_literal(rendered.subject), text, html, frozenset(used))


def values(rendered: Rendered, links: RecipientLinks) -> dict[str, str]:
    """One recipient's variables, as ``Rendered.personalised`` fills each slot."""
    signer = f"?s={quote(links.signer, safe='')}" if links.signer is not None else ""
    respond = links.respond if links.respond is not None else rendered.fallback
    rsvp = links.rsvp if links.rsvp is not None else rendered.fallback
    return {
        "unsubscribe": links.unsubscribe or "",
        "signer": signer,
        "signer_html": escape(signer),
        "respond": respond,
        "respond_html": escape(respond),
        "rsvp": rsvp,
        "rsvp_html": escape(rsvp),
    }


def data(rendered: Rendered, links: RecipientLinks) -> str:
    """One recipient's template data (JSON): the template's variables and the literals."""
    used = template(rendered).variables
    mine = {name: value for name, value in values(rendered, links).items() if name in used}
    return json.dumps({**LITERALS, **mine}, separators=(",", ":"), ensure_ascii=False)


#: An address SES takes as it is: a dot-atom of ASCII letters, digits and the usual signs, on
#: both sides of the ``@`` (what :func:`mobilise.emails.wire.to_line` writes as it is).
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
)
#: One URI in angle brackets (RFC 2369): printable ASCII without ``<``, ``>`` or ``,``.
BRACKETED_URI = re.compile(r"<[\x21-\x2b\x2d-\x3b\x3d\x3f-\x7e]+>")
#: The longest header value SES takes (the sesv2 model's ``MessageHeader``).
MAX_HEADER_VALUE = 995


def destination(address: str) -> str:
    """``address`` as SES takes it in a destination: 7-bit ASCII, a domain of other
    characters in Punycode. Raises if it cannot be sent (a non-ASCII local part: SES has no
    SMTPUTF8), with the email package's own error, as a raw message's To header did."""
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    from mobilise.emails.wire import to_line  # the email package: for the rare address only

    to_line(address)  # raises for what no header can carry
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise ValueError("a local part SES cannot take")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def unsubscribe_header(url: str) -> str:
    """The value of one recipient's ``List-Unsubscribe`` header (RFC 2369, one URI). Raises
    for a URI no header line can carry whole."""
    value = f"<{url}>"
    if not BRACKETED_URI.fullmatch(value) or len(value) > MAX_HEADER_VALUE:
        raise ValueError("not a URI in angle brackets for one header line")
    return value


@lru_cache(maxsize=4)
def sender(address: str) -> str:
    """``address`` (``Name <updates@example.org>``) as SES takes a From address: 7-bit ASCII,
    a display name of other characters in RFC 2047 encoded words (a raw message's From header
    was encoded by the email package; here it is SES that writes the header from this)."""
    if address.isascii():
        return address
    from email.utils import formataddr, parseaddr  # for a name not in ASCII only

    return formataddr(parseaddr(address), charset="utf-8")


def default_data() -> str:
    """The call's default template data: the literals (each destination has its own data)."""
    return json.dumps(LITERALS, separators=(",", ":"))
