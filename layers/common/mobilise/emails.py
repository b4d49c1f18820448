"""Emails: rendered once per (update, language), then addressed per recipient.

All user text is escaped in HTML (Jinja2 autoescape); no user text reaches a
header with a line break in it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mobilise.i18n import texts
from mobilise.models import Petition, Update

#: Starts the placeholder that stands, in an email rendered once, for each recipient's own
#: unsubscribe link. Each rendering adds random characters to it, so that no text a starter
#: writes can name the placeholder and receive the recipients' links.
UNSUBSCRIBE_SLOT = "mobilise-unsubscribe-url-slot"
_WHITESPACE = re.compile(r"\s+")


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("mobilise", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def one_line(text: str) -> str:
    """``text`` with every run of white space (CR and LF included) made one space."""
    return _WHITESPACE.sub(" ", text).strip()


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines), each a list of lines."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return [block.split("\n") for block in blocks if block.strip()]


@dataclass(frozen=True)
class RecipientLinks:
    """The links of one recipient: unsubscribe always; respond and RSVP in the emails of the
    updates that ask for them."""

    unsubscribe: str
    respond: str | None = None
    rsvp: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    slot: str  # where each recipient's unsubscribe link goes; "-respond", "-rsvp" for the others

    def personalised(self, links: RecipientLinks) -> tuple[str, str]:
        """The HTML and text parts with one recipient's links in their slots."""
        html, text = self.html, self.text
        for name in ("respond", "rsvp"):
            url = getattr(links, name)
            if url is not None:
                html = html.replace(f"{self.slot}-{name}", url)
                text = text.replace(f"{self.slot}-{name}", url)
        return html.replace(self.slot, links.unsubscribe), text.replace(
            self.slot, links.unsubscribe
        )


def _new_slot() -> str:
    return f"{UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"


def render(template: str, language: str, **context: object) -> str:
    """Render a page or email template with the texts of ``language``."""
    return _templates().get_template(template).render(t=texts(language), lang=language, **context)


def render_update(petition: Petition, update: Update, language: str | None = None) -> Rendered:
    """An update's email in ``language`` (the petition's by default), with slots where each
    recipient's own links go (see :meth:`Rendered.personalised`)."""
    slot = _new_slot()
    language = language or petition.language
    context = {
        "petition_title": petition.title,
        "title": update.title,
        "paragraphs": paragraphs(update.body),
        "link": update.link,
        "unsubscribe_url": slot,
    }
    return Rendered(
        subject=one_line(update.title),
        html=render("update.html", language, **context),
        text=render("update.txt", language, **context),
        slot=slot,
    )


def render_confirmation(*, petition_title: str, confirm_url: str, language: str) -> Rendered:
    """The double opt-in email: one button that confirms the address."""
    slot = _new_slot()
    context = {
        "petition_title": petition_title,
        "confirm_url": confirm_url,
        "unsubscribe_url": slot,
    }
    subject = texts(language)["confirm_subject"].format(title=one_line(petition_title))
    return Rendered(
        subject=one_line(subject),
        html=render("confirm.html", language, **context),
        text=render("confirm.txt", language, **context),
        slot=slot,
    )


def addressed(rendered: Rendered, *, sender: str, to: str, links: RecipientLinks) -> bytes:
    """The MIME message of ``rendered`` for one recipient, with one-click unsubscribe.

    The To header carries the address alone: a signer's name, with its commas and
    quotes, never goes into an address header (Python's email package can unquote a
    display name when it folds a long header).
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = rendered.subject
    message["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    html, text = rendered.personalised(links)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()
