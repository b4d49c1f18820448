"""Emails: rendered once per (update, language), then addressed per recipient.

All user text is escaped in HTML (Jinja2 autoescape); no user text reaches a
header with a line break in it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from functools import cache
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mobilise import actions, links
from mobilise.config import get_settings
from mobilise.i18n import texts
from mobilise.links import ActionRef
from mobilise.models import Petition, Update

#: Starts the placeholder that stands, in an email rendered once, for each recipient's own
#: unsubscribe link. Each rendering adds random characters to it, so that no text a starter
#: writes can name the placeholder and receive the recipients' links.
UNSUBSCRIBE_SLOT = "mobilise-unsubscribe-url-slot"
_WHITESPACE = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")  # the text part: one blank line between blocks at most


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
    updates that ask for them; ``signer`` (a token naming them) when clicks are counted per
    person (``settings.per_person_clicks``)."""

    unsubscribe: str
    respond: str | None = None
    rsvp: str | None = None
    signer: str | None = None


#: The per-recipient links an email can have slots for, besides unsubscribe.
PER_RECIPIENT = ("respond", "rsvp", "signer")


@dataclass(frozen=True)
class Rendered:
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
        return html.replace(self.slot, links.unsubscribe), text.replace(
            self.slot, links.unsubscribe
        )


def _new_slot() -> str:
    return f"{UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"


def render(template: str, language: str, **context: object) -> str:
    """Render a page or email template with the texts of ``language``."""
    return _templates().get_template(template).render(t=texts(language), lang=language, **context)


# Dates, written out in the event's own time zone, without a locale library ----------------


def _clock_time(moment: datetime, language: str) -> str:
    if language == "fr":
        return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def _day_text(moment: datetime, language: str, words: dict[str, str]) -> str:
    day = "1er" if language == "fr" and moment.day == 1 else str(moment.day)
    return words["date_format"].format(
        weekday=words["weekdays"].split()[moment.weekday()],
        day=day,
        month=words["months"].split()[moment.month - 1],
        year=moment.year,
        time=_clock_time(moment, language),
    )


def when(start: datetime, end: datetime | None, zone: str, language: str) -> str:
    """``start`` (to ``end``) in ``zone``, written out in ``language``, with the zone's name:
    "samedi 12 décembre 2026, 14 h 30 (fuseau Europe/Paris)"."""
    words = texts(language)
    local_start = start.astimezone(ZoneInfo(zone))
    written = _day_text(local_start, language, words)
    if end is not None:
        local_end = end.astimezone(ZoneInfo(zone))
        same_day = local_end.date() == local_start.date()
        until = (
            _clock_time(local_end, language) if same_day else _day_text(local_end, language, words)
        )
        written = words["date_until"].format(start=written, end=until)
    return words["date_zone"].format(when=written, zone=zone)


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


# Update emails ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    name: str
    label: str
    href: str


def _photo(update: Update) -> dict[str, str] | None:
    """The photo to show: only one served from the service's own photos address."""
    photo: Mapping[str, Any] | None = update.photo
    base = get_settings().photos_base_url.rstrip("/")
    if not photo or not base:
        return None
    url, alt = photo.get("url"), photo.get("alt")
    if not isinstance(url, str) or not url.startswith(base + "/") or not isinstance(alt, str):
        return None
    return {"url": url, "alt": one_line(alt)}


def _buttons(
    petition: Petition, update: Update, slot: str, words: dict[str, str]
) -> dict[str, Button]:
    """The update's buttons by name: each action through its counted redirect, then the
    per-recipient links (respond, RSVP) the type asks for."""
    counted = f"?s={slot}-signer" if get_settings().per_person_clicks else ""
    found: dict[str, Button] = {}
    for action in actions.for_update(petition, update):
        href = links.redirect_url(ActionRef(petition.petition_id, update.update_id, action.name))
        label = words["read_more"] if action.name == "link" else words[f"button_{action.name}"]
        found[action.name] = Button(action.name, label, href + counted)
    match update.type:
        case "event":
            found["rsvp"] = Button("rsvp", words["button_rsvp"], f"{slot}-rsvp")
        case "ask_advice":
            found["respond"] = Button("respond", words["button_advice"], f"{slot}-respond")
        case "ask_testimony":
            found["respond"] = Button("respond", words["button_testimony"], f"{slot}-respond")
    return found


def _details(
    petition: Petition, update: Update, fields: Mapping[str, Any], language: str
) -> dict[str, Any]:
    """What the type's block shows, ready to print (dates written out, texts split)."""
    words = texts(language)
    match update.type:
        case "event":
            zone = str(fields["time_zone"])
            start = _moment(fields["starts_at"])
            assert start is not None
            return {
                "kind": words[f"event_kind_{fields['kind']}"],
                "when": when(start, _moment(fields.get("ends_at")), zone, language),
                "place": fields.get("place"),
            }
        case "decision_maker_meeting":
            at, meeting_zone = _moment(fields.get("meeting_at")), fields.get("time_zone")
            return {
                "status": words[f"meeting_{fields['meeting_status']}"],
                "when": when(at, None, str(meeting_zone), language)
                if at and meeting_zone
                else None,
                "outcome": paragraphs(fields["outcome"]) if fields.get("outcome") else [],
            }
        case "call_to_action":
            return {
                "label": words["action_label"].format(
                    name=petition.decision_maker.get("name", "") if petition.decision_maker else ""
                ),
                "message": paragraphs(fields["message"]),
            }
        case "ask_advice":
            return {"question": paragraphs(fields["question"])}
        case "ask_testimony":
            return {"prompt": paragraphs(fields["prompt"])}
        case "start_petition":
            return {"theme": fields["theme"]}
        case "press":
            return {"outlet": fields["outlet"], "headline": fields["headline"]}
    return {}


def render_update(petition: Petition, update: Update, language: str | None = None) -> Rendered:
    """An update's email in ``language`` (the petition's by default), with slots where each
    recipient's own links go (see :meth:`Rendered.personalised`).

    Every button leads through the counted redirect ``/r/{token}`` (never to its target
    directly), or to the recipient's own respond or RSVP page.
    """
    slot = _new_slot()
    language = language or petition.language
    kind = update.type or "news"
    fields: Mapping[str, Any] = update.fields or {}
    buttons = _buttons(petition, update, slot, texts(language))
    context = {
        "kind": kind,
        "petition_title": petition.title,
        "title": update.title,
        "paragraphs": paragraphs(update.body),
        "photo": _photo(update),
        "details": _details(petition, update, fields, language),
        "buttons": buttons,
        "unsubscribe_url": slot,
    }
    needs: set[str] = {name for name in ("respond", "rsvp") if name in buttons}
    if get_settings().per_person_clicks and any(
        name not in ("respond", "rsvp") for name in buttons
    ):
        needs.add("signer")
    return Rendered(
        subject=one_line(update.title),
        html=render("update.html", language, **context),
        text=_BLANK_RUNS.sub("\n\n", render("update.txt", language, **context)),
        slot=slot,
        needs=frozenset(needs),
        fallback=actions.petition_url(petition.petition_id),
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


def render_already_signed(*, petition_title: str, language: str) -> Rendered:
    """The email to a confirmed signer whose address signed the petition again: their
    signature stands (the API answered the signer as it answers everyone)."""
    slot = _new_slot()
    context = {"petition_title": petition_title, "unsubscribe_url": slot}
    subject = texts(language)["already_signed_subject"].format(title=one_line(petition_title))
    return Rendered(
        subject=one_line(subject),
        html=render("already_signed.html", language, **context),
        text=render("already_signed.txt", language, **context),
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
