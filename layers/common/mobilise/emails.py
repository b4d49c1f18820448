"""Emails: rendered once per (update, language), then addressed per recipient.

All user text is escaped in HTML (Jinja2 autoescape); no user text reaches a
header with a line break in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mobilise.i18n import texts

#: Stands in the rendered email for the recipient's own unsubscribe link.
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
class Rendered:
    subject: str
    html: str
    text: str


def render(template: str, language: str, **context: object) -> str:
    """Render a page or email template with the texts of ``language``."""
    return _templates().get_template(template).render(t=texts(language), lang=language, **context)


def render_update(
    *, petition_title: str, title: str, body: str, link: str | None, language: str
) -> Rendered:
    """An update's email, with :data:`UNSUBSCRIBE_SLOT` where each recipient's link goes."""
    context = {
        "petition_title": petition_title,
        "title": title,
        "paragraphs": paragraphs(body),
        "link": link,
        "unsubscribe_url": UNSUBSCRIBE_SLOT,
    }
    return Rendered(
        subject=one_line(title),
        html=render("update.html", language, **context),
        text=render("update.txt", language, **context),
    )


def addressed(
    rendered: Rendered, *, sender: str, to: str, to_name: str, unsubscribe_url: str
) -> bytes:
    """The MIME message of ``rendered`` for one recipient, with one-click unsubscribe."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = Address(display_name=one_line(to_name), addr_spec=to)
    message["Subject"] = rendered.subject
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text.replace(UNSUBSCRIBE_SLOT, unsubscribe_url))
    message.add_alternative(
        rendered.html.replace(UNSUBSCRIBE_SLOT, unsubscribe_url), subtype="html"
    )
    return message.as_bytes()
