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
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

if TYPE_CHECKING:
    from css_inline import CSSInliner

from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.links import ActionRef
from mobilise.emails import rendered
from mobilise.emails.precompiled import Precompiled
from mobilise.emails.rendered import PER_RECIPIENT as PER_RECIPIENT
from mobilise.emails.rendered import RecipientLinks as RecipientLinks
from mobilise.emails.rendered import addressed as addressed
from mobilise.i18n import Words, words
from mobilise.publishing import actions
from mobilise.table.models import Petition, Update

#: Starts the placeholder that stands, in an email rendered once, for each recipient's own
#: unsubscribe link. Each rendering adds random characters to it, so that no text a starter
#: writes can name the placeholder and receive the recipients' links.
UNSUBSCRIBE_SLOT = "mobilise-unsubscribe-url-slot"
_WHITESPACE = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")  # the text part: one blank line between blocks at most


@cache
def _templates() -> Environment:
    """The templates, with Jinja2's i18n extension: ``_()``, ``gettext()``, ``ngettext()`` and
    ``{% trans %}`` read the catalog of the language each rendering gives (:func:`render`),
    so that one compiled template serves every language, and threads never share one. Each
    template comes compiled from the layer (:mod:`mobilise.emails.precompiled`)."""
    environment = Environment(
        loader=Precompiled(PackageLoader("mobilise.emails", "templates")),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.newstyle_gettext = True  # type: ignore[attr-defined]  # see _template_gettext
    return environment


@cache
def _template_gettext(language: Words) -> dict[str, object]:
    """``gettext`` and ``ngettext`` for templates, in the i18n extension's "new style" (the
    placeholders as keyword arguments): in an HTML template the message is trusted and the
    values escaped, as Jinja2's own do; ``ngettext`` writes ``%(count)s`` as the language
    writes numbers (:meth:`Words.ngettext`)."""

    def trusted(context: Context, message: str) -> str:
        # A message of our own catalogs, not user text (S704): only the values are escaped.
        return Markup(message) if context.eval_ctx.autoescape else message  # noqa: S704

    @pass_context
    def gettext(context: Context, key: str, **values: object) -> str:
        return trusted(context, language.catalog.gettext(key)) % values

    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, count: int, /, **values: object
    ) -> str:
        message = language.catalog.ngettext(singular, plural, count)
        return trusted(context, message) % language.counted(count, values)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def one_line(text: str) -> str:
    """``text`` with every run of white space (CR and LF included) made one space."""
    return _WHITESPACE.sub(" ", text).strip()


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines), each a list of lines."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return [block.split("\n") for block in blocks if block.strip()]


@cache
def _inliner() -> CSSInliner:
    from css_inline import CSSInliner  # with the first email: a page is not inlined

    return CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def inlined(html: str) -> str:
    """``html`` with the rules of its ``<style>`` written into each element's ``style``
    attribute (css-inline): Gmail with other accounts than Google's and several mobile
    clients drop ``<style>``. Only at-rules (the media queries) stay there, for the clients
    that read them. Inlining inlined HTML changes nothing."""
    return _inliner().inline(html)


@dataclass(frozen=True)
class Rendered(rendered.Rendered):
    """An email rendered from the templates: its HTML is inlined when it is made
    (:func:`inlined`), so every email, whatever builds it, reaches clients styled inline."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "html", inlined(self.html))


def _new_slot() -> str:
    return f"{UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"


def load_templates() -> None:
    """Load every template now, not with its first use (a SnapStart hook:
    :mod:`mobilise.core.snapstart`)."""
    environment = _templates()
    for name in environment.list_templates():
        environment.get_template(name)


def render(template: str, language: str, **context: object) -> str:
    """Render a page or email template with the words of ``language`` (English when we have
    no catalog for it; ``lang`` stays the language asked for)."""
    gettext = _template_gettext(words(language))
    return _templates().get_template(template).render(lang=language, **gettext, **context)


# Dates, written out in the event's own time zone, by Babel ----------------------------------


def _day_text(moment: datetime, language: Words) -> str:
    return language.gettext("date_time", date=language.date(moment), time=language.time(moment))


def when(start: datetime, end: datetime | None, zone: str, language: str) -> str:
    """``start`` (to ``end``) in ``zone``, written out in ``language``, with the zone's name:
    "samedi 12 décembre 2026, 14 h 30 (fuseau Europe/Paris)"."""
    from zoneinfo import ZoneInfo  # with the first event's date: 4 ms, sysconfig with it

    chosen = words(language)
    local_start = start.astimezone(ZoneInfo(zone))
    written = _day_text(local_start, chosen)
    if end is not None:
        local_end = end.astimezone(ZoneInfo(zone))
        same_day = local_end.date() == local_start.date()
        until = chosen.time(local_end) if same_day else _day_text(local_end, chosen)
        written = chosen.gettext("date_until", start=written, end=until)
    return chosen.gettext("date_zone", when=written, zone=zone)


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


# Update emails ------------------------------------------------------------------------------


class Button(NamedTuple):
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


def _buttons(petition: Petition, update: Update, slot: str, language: Words) -> dict[str, Button]:
    """The update's buttons by name: each action through its counted redirect, then the
    per-recipient links (respond, RSVP) the type asks for."""
    counted = f"?s={slot}-signer" if get_settings().per_person_clicks else ""
    found: dict[str, Button] = {}
    for action in actions.for_update(petition, update):
        href = links.redirect_url(ActionRef(petition.petition_id, update.update_id, action.name))
        if action.name == "link":
            label = language.gettext("read_more")
        else:
            label = language.named("button", action.name)
        found[action.name] = Button(action.name, label, href + counted)
    match update.type:
        case "event":
            found["rsvp"] = Button("rsvp", language.gettext("button_rsvp"), f"{slot}-rsvp")
        case "ask_advice":
            label = language.gettext("button_advice")
            found["respond"] = Button("respond", label, f"{slot}-respond")
        case "ask_testimony":
            label = language.gettext("button_testimony")
            found["respond"] = Button("respond", label, f"{slot}-respond")
    return found


def _details(
    petition: Petition, update: Update, fields: Mapping[str, Any], language: str
) -> dict[str, Any]:
    """What the type's block shows, ready to print (dates written out, texts split)."""
    chosen = words(language)
    match update.type:
        case "event":
            zone = str(fields["time_zone"])
            start = _moment(fields["starts_at"])
            assert start is not None
            return {
                "kind": chosen.named("event_kind", fields["kind"]),
                "when": when(start, _moment(fields.get("ends_at")), zone, language),
                "place": fields.get("place"),
            }
        case "decision_maker_meeting":
            at, meeting_zone = _moment(fields.get("meeting_at")), fields.get("time_zone")
            return {
                "status": chosen.named("meeting", fields["meeting_status"]),
                "when": when(at, None, str(meeting_zone), language)
                if at and meeting_zone
                else None,
                "outcome": paragraphs(fields["outcome"]) if fields.get("outcome") else [],
            }
        case "call_to_action":
            return {
                "label": chosen.gettext(
                    "action_label",
                    name=petition.decision_maker.get("name", "") if petition.decision_maker else "",
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
        case "decision_maker_response":
            return quoted(fields)
    return {}


def quoted(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The decision-maker's answer as ``answer_block.html`` quotes it, wherever it is shown."""
    return {
        "stance": fields["stance"],
        "paragraphs": paragraphs(fields.get("text") or ""),
        "name": fields["name"],
        "role": fields["role"],
    }


def update_context(
    petition: Petition, update: Update, language: str, slot: str, *, test: bool = False
) -> dict[str, Any]:
    """What an update's templates show (``update_text``, ``update_block``), in ``language``,
    with ``slot`` where each recipient's own links go: its email's, and a digest's section."""
    return {
        "kind": update.type or "news",
        "petition_title": petition.title,
        "title": update.title,
        "paragraphs": paragraphs(update.body),
        "photo": _photo(update),
        "details": _details(petition, update, update.fields or {}, language),
        "buttons": _buttons(petition, update, slot, words(language)),
        "unsubscribe_url": slot,
        "test": test,
        "view_url": None if test else links.update_page_url(petition.petition_id, update.update_id),
    }


def render_update(
    petition: Petition, update: Update, language: str | None = None, *, test: bool = False
) -> Rendered:
    """An update's email in ``language`` (the petition's by default), with slots where each
    recipient's own links go (see :meth:`Rendered.personalised`).

    ``test``: the starter's test send, which says so (subject, a banner) and has no
    unsubscribe link: it reaches the starter alone, who signed nothing.

    Every button leads through the counted redirect ``/r/{token}`` (never to its target
    directly), or to the recipient's own respond or RSVP page.
    """
    slot = _new_slot()
    language = language or petition.language
    context = update_context(petition, update, language, slot, test=test)
    buttons: dict[str, Button] = context["buttons"]
    needs: set[str] = {name for name in ("respond", "rsvp") if name in buttons}
    if get_settings().per_person_clicks and any(
        name not in ("respond", "rsvp") for name in buttons
    ):
        needs.add("signer")
    subject = update.title
    if test:
        prefix = words(language).gettext("test_send_prefix")
        subject = f"{prefix} {subject}"
    return Rendered(
        subject=one_line(subject),
        html=render("update.html", language, **context),
        text=_BLANK_RUNS.sub("\n\n", render("update.txt", language, **context)),
        slot=slot,
        needs=frozenset(needs),
        fallback=actions.petition_url(petition.petition_id),
    )


def render_confirmation(*, petition_title: str, confirm_url: str, language: str) -> Rendered:
    """The double opt-in email: one button that confirms the address."""
    return _signing_email("confirm", petition_title, language, confirm_url=confirm_url)


def render_already_signed(*, petition_title: str, language: str) -> Rendered:
    """The email to a confirmed signer whose address signed the petition again: their
    signature stands (the API answered the signer as it answers everyone)."""
    return _signing_email("already_signed", petition_title, language)


def _signing_email(name: str, petition_title: str, language: str, **context: str) -> Rendered:
    """One of the emails that follow a signature: templates ``{name}.html`` and ``.txt``,
    subject ``{name}_subject``."""
    slot = _new_slot()
    context = {**context, "petition_title": petition_title, "unsubscribe_url": slot}
    subject = words(language).named("signing_subject", name, title=one_line(petition_title))
    return Rendered(
        subject=one_line(subject),
        html=render(f"{name}.html", language, **context),
        text=render(f"{name}.txt", language, **context),
        slot=slot,
    )
