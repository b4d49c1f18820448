"""An email rendered once for all its recipients, and what one recipient's copy puts in it.

What sending needs of an email, without what renders it: :mod:`mobilise.emails.rendering`
(Jinja2, Babel, css-inline) makes a :class:`Rendered` from the templates; the deliver
function sends an update's email as it was rendered when the update was released
(:mod:`mobilise.table.update_emails`), and so loads none of them for an update (issue 14:
their import and first render were some 30 ms of its cold start).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import NamedTuple
from urllib.parse import quote


class RecipientLinks(NamedTuple):
    """The links of one recipient: unsubscribe always; respond and RSVP in the emails of the
    updates that ask for them; ``signer`` (a token naming them) when clicks are counted per
    person (``settings.per_person_clicks``)."""

    unsubscribe: str | None  # None: no unsubscribe at all (a test send has no signer)
    respond: str | None = None
    rsvp: str | None = None
    signer: str | None = None


#: The per-recipient links an email can have slots for, besides unsubscribe.
PER_RECIPIENT = ("respond", "rsvp", "signer")


@dataclass(frozen=True)
class Rendered:
    """An email rendered once, for every recipient, its HTML styled inline: what
    :func:`mobilise.emails.rendering.render_update` and the others make (they inline it), or
    such an email read back from where it was stored."""

    subject: str
    html: str
    text: str
    slot: str  # where each recipient's unsubscribe link goes; "-respond", "-rsvp" for the others
    #: The per-recipient links this rendering has slots for (see :data:`PER_RECIPIENT`).
    needs: frozenset[str] = frozenset()
    #: Where a respond or RSVP button leads when no recipient is named (a preview, a test send).
    fallback: str = ""

    def personalised(self, links: RecipientLinks) -> tuple[str, str]:
        """The HTML and text parts with one recipient's links in their slots."""
        html, text = self.html, self.text
        for name in PER_RECIPIENT:
            url = getattr(links, name)
            if name == "signer":
                # ``?s={slot}-signer`` ends every counted link: the token, or nothing at all.
                marker = f"?s={self.slot}-signer"
                value = f"?s={quote(url, safe='')}" if url is not None else ""
            else:
                marker, value = f"{self.slot}-{name}", url if url is not None else self.fallback
            html = html.replace(marker, escape(value))
            text = text.replace(marker, value)
        unsubscribe = links.unsubscribe or ""
        return html.replace(self.slot, unsubscribe), text.replace(self.slot, unsubscribe)


def addressed(rendered: Rendered, *, sender: str, to: str, links: RecipientLinks) -> bytes:
    """The MIME message of ``rendered`` for one recipient, with one-click unsubscribe when
    ``links`` has an unsubscribe link (RFC 8058), none when it has none (a test send).

    The To header carries the address alone: a signer's name, with its commas and
    quotes, never goes into an address header (Python's email package can unquote a
    display name when it folds a long header).

    The message is built once per rendering and sender, and only this recipient's parts are
    put in it (:mod:`mobilise.emails.wire`): the deliver function's CPU per email.
    """
    from mobilise.emails.wire import wire  # MIME: what a page, rendered, has no need of

    return wire(rendered, sender, links.unsubscribe is not None).addressed(to, links)
