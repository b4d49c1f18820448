"""The message on the wire: an email rendered once becomes its MIME bytes once, and each
recipient's email is those bytes with only their own parts put in.

Python's email package builds and quoted-printable-encodes the whole message (about 20 KB
of HTML, character by character) for every recipient: most of the deliver function's CPU.
Here it builds the message once per rendering and sender, with placeholders where the To
header, the List-Unsubscribe header and each per-recipient link go; a recipient's email is
the encoded pieces between them, joined with that recipient's values. Each value is
encoded on lines of its own (soft line breaks, ``=`` CRLF, around it), so that no encoded
line of the parts around it moves: decoded, the text is exactly what
:meth:`mobilise.emails.rendered.Rendered.personalised` gives.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from email import quoprimime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy, Policy
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from mobilise.emails.bulk import BRACKETED_URI as _BRACKETED_URI
from mobilise.emails.bulk import PLAIN_ADDRESS as _PLAIN_ADDRESS

if TYPE_CHECKING:
    from mobilise.emails.rendered import RecipientLinks, Rendered

_MAX_LINE = 998  # octets, CRLF excluded (RFC 5322, 2.1.1)
_QP_LINE = 76  # characters of a quoted-printable line, CRLF excluded (RFC 2045, 6.7)
_CRLF = "\r\n"
_HEADER_LINE = 78  # what SMTP's policy folds at
_SOFT_BREAK = "=\r\n"


class _UriListHeader(BaseHeader):
    """``List-Unsubscribe``: a list of URIs in angle brackets (RFC 2369), written as they are.

    Python knows no such header and folds it as unstructured text: to keep lines within 78
    characters it turns a long URI into RFC 2047 encoded words, which RFC 2047 (5) forbids
    there, and a mail client then finds no URI to offer one-click unsubscribe with. Here each
    URI stays whole, folding happens only between URIs (after a comma), and a line may pass
    78 characters (a SHOULD of RFC 5322) but never 998 octets (its MUST).
    """

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        uris = [uri.strip() for uri in value.split(",")]
        for uri in uris:
            # its own line: the field's name (or the fold's space) before it, a comma after
            if not _BRACKETED_URI.fullmatch(uri) or len(f"List-Unsubscribe: {uri},") > _MAX_LINE:
                raise ValueError(f"not a URI in angle brackets for one header line: {uri!r}")
        kwds["decoded"] = ", ".join(uris)
        kwds["parse_tree"] = None  # never folded by Python's parser: see fold

    def fold(self, *, policy: Policy) -> str:
        uris = str(self).split(", ")
        return f"{self.name}: " + ("," + policy.linesep + " ").join(uris) + policy.linesep


def _policy() -> EmailPolicy[EmailMessage]:
    """SMTP's policy (CRLF, 78-column folding, RFC 2047 words where RFC 2047 allows them:
    the Subject), with List-Unsubscribe written as :class:`_UriListHeader` says."""
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _UriListHeader)
    return SMTP.clone(header_factory=registry)


POLICY = _policy()

# Each recipient's own parts -----------------------------------------------------------------


def to_line(address: str) -> str:
    """``To: address`` CRLF, as the email package folds it; its errors (an address SES cannot
    take, such as a non-ASCII local part) are the package's own."""
    line = f"To: {address}{_CRLF}"
    if _PLAIN_ADDRESS.fullmatch(address) and len(line) <= _HEADER_LINE + len(_CRLF):
        return line
    return str(POLICY.header_factory("To", Address(addr_spec=address)).fold(policy=POLICY))


def _unsubscribe_line(url: str) -> str:
    """``List-Unsubscribe: <url>`` CRLF, as :class:`_UriListHeader` writes one URI, without a
    header object per email (30 µs each); a URI it refuses goes through it, to raise."""
    uri = f"<{url}>"
    if _BRACKETED_URI.fullmatch(uri) and len(f"List-Unsubscribe: {uri},") <= _MAX_LINE:
        return f"List-Unsubscribe: {uri}{_CRLF}"
    return str(POLICY.header_factory("List-Unsubscribe", uri).fold(policy=POLICY))


def _qp_ascii(value: str) -> str:
    """``value`` quoted-printable on lines of its own: after a soft line break, ending with
    one. A link is printable ASCII, so only ``=`` is encoded (and lines cut, never inside an
    ``=XX``); anything else goes through the email package's encoder."""
    if not value:
        return ""
    if not value.isascii() or not value.isprintable() or " " in value:
        encoded = quoprimime.body_encode(value.encode().decode("latin-1"), _QP_LINE, _CRLF)
        return _SOFT_BREAK + encoded + _SOFT_BREAK
    encoded, lines = value.replace("=", "=3D"), []
    room = _QP_LINE - 1  # the soft break's "=" ends the line
    while len(encoded) > room:
        cut = encoded.rfind("=", room - 2, room)  # never an "=3D" cut in two
        cut = room if cut == -1 else cut
        lines.append(encoded[:cut])
        encoded = encoded[cut:]
    lines.append(encoded)
    return _SOFT_BREAK + _SOFT_BREAK.join(lines) + _SOFT_BREAK


def _header_value(line: str) -> str:
    return line.split(": ", 1)[1].strip()


def _qp(text: str) -> str:
    return quoprimime.body_encode(text.encode().decode("latin-1"), _QP_LINE, _CRLF)


#: What each marker of a rendering is replaced by, for one recipient, in text and in HTML.
_Value = Callable[["Rendered", "RecipientLinks"], str]


def _signer(rendered: Rendered, links: RecipientLinks) -> str:
    # ``?s={slot}-signer`` ends every counted link: the token, or nothing at all.
    return f"?s={quote(links.signer, safe='')}" if links.signer is not None else ""


def _respond(rendered: Rendered, links: RecipientLinks) -> str:
    return links.respond if links.respond is not None else rendered.fallback


def _rsvp(rendered: Rendered, links: RecipientLinks) -> str:
    return links.rsvp if links.rsvp is not None else rendered.fallback


def _unsubscribe(rendered: Rendered, links: RecipientLinks) -> str:
    return links.unsubscribe or ""


def _markers(slot: str) -> tuple[re.Pattern[str], dict[str, tuple[_Value, bool]]]:
    """The markers a rendering's parts hold (see ``Rendered.personalised``), longest first,
    and for each its value and whether HTML escapes it."""
    values: dict[str, tuple[_Value, bool]] = {
        f"?s={slot}-signer": (_signer, True),
        f"{slot}-respond": (_respond, True),
        f"{slot}-rsvp": (_rsvp, True),
        slot: (_unsubscribe, False),
    }
    return re.compile("|".join(re.escape(marker) for marker in values)), values


class _Part(NamedTuple):
    """One text part, quoted-printable, cut where a recipient's values go: ``pieces`` (encoded)
    and between each two the marker whose value goes there."""

    pieces: tuple[str, ...]
    markers: tuple[str, ...]
    html: bool

    @classmethod
    def of(cls, text: str, pattern: re.Pattern[str], html: bool) -> _Part:
        normal = "\n".join(text.splitlines()) + "\n"  # as the email package's body: LF, one last
        found = list(pattern.finditer(normal))
        starts = [0, *(match.end() for match in found)]
        ends = [*(match.start() for match in found), len(normal)]
        pieces = tuple(_qp(normal[start:end]) for start, end in zip(starts, ends, strict=True))
        return cls(pieces, tuple(match.group() for match in found), html)

    def encoded(self, values: dict[str, str]) -> Iterator[str]:
        yield self.pieces[0]
        for marker, piece in zip(self.markers, self.pieces[1:], strict=True):
            yield _qp_ascii(values[marker])
            yield piece


class Wire(NamedTuple):
    """An email's bytes for any recipient: the message the email package builds once, with
    placeholders for the To and List-Unsubscribe lines and for each part's body."""

    rendered: Rendered
    chunks: tuple[str, ...]  # the constant text between the placeholders below
    slots: tuple[str, ...]  # "to", "unsubscribe", "text", "html": what goes between chunks
    text: _Part
    html: _Part
    values: dict[str, tuple[_Value, bool]]

    def addressed(self, to: str, links: RecipientLinks) -> bytes:
        """The MIME message for one recipient (what :func:`~mobilise.emails.rendered.addressed`
        returns)."""
        plain = {marker: value(self.rendered, links) for marker, (value, _) in self.values.items()}
        escaped = {
            marker: escape(plain[marker]) if html else plain[marker]
            for marker, (_, html) in self.values.items()
        }
        filled = {
            "to": to_line(to),
            "unsubscribe": _unsubscribe_line(links.unsubscribe) if links.unsubscribe else "",
            "text": "".join(self.text.encoded(plain)),
            "html": "".join(self.html.encoded(escaped)),
        }
        out = [self.chunks[0]]
        for slot, chunk in zip(self.slots, self.chunks[1:], strict=True):
            out.append(filled[slot])
            out.append(chunk)
        return "".join(out).encode("ascii")


def _placeholders() -> dict[str, str]:
    """Where each recipient's parts go in the message built once, by slot: random, so that no
    text of the message (a subject is the starter's) can name one."""
    token = secrets.token_hex(16)
    return {
        "to": f"To: to-{token}@placeholder.invalid\r\n",
        "unsubscribe": f"List-Unsubscribe: <https://placeholder.invalid/{token}>\r\n",
        "text": f"text-{token}\r\n",
        "html": f"html-{token}\r\n",
    }


@lru_cache(maxsize=64)
def wire(rendered: Rendered, sender: str, one_click: bool) -> Wire:
    """``rendered`` from ``sender``, with one-click unsubscribe or without (a test send)."""
    placeholders = _placeholders()
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = _header_value(placeholders["to"])
    message["Subject"] = rendered.subject
    if one_click:
        message["List-Unsubscribe"] = _header_value(placeholders["unsubscribe"])
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(placeholders["text"].strip(), cte="quoted-printable")
    message.add_alternative(placeholders["html"].strip(), subtype="html", cte="quoted-printable")
    skeleton = message.as_bytes().decode("ascii")
    slot_of = {text: slot for slot, text in placeholders.items()}
    found = list(re.finditer("|".join(map(re.escape, slot_of)), skeleton))
    starts = [0, *(match.end() for match in found)]
    ends = [*(match.start() for match in found), len(skeleton)]
    pattern, values = _markers(rendered.slot)
    return Wire(
        rendered=rendered,
        chunks=tuple(skeleton[start:end] for start, end in zip(starts, ends, strict=True)),
        slots=tuple(slot_of[match.group()] for match in found),
        text=_Part.of(rendered.text, pattern, html=False),
        html=_Part.of(rendered.html, pattern, html=True),
        values=values,
    )
