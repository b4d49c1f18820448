"""What the public pages show, ready for their templates: a petition with its count, latest
updates and share links; a published update as its email shows it; the tags that make a
shared link show a title, a text and a photo (Open Graph, Twitter cards).

The count is :func:`mobilise.petitions.lifecycle.view`'s (the counters), the updates are
:mod:`mobilise.publishing`'s, every address is :mod:`mobilise.core.links`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from mobilise.answers import shown as answers
from mobilise.core import links
from mobilise.core.config import get_settings
from mobilise.core.errors import NotFound
from mobilise.core.links import ActionRef
from mobilise.emails import rendering
from mobilise.i18n import LANGUAGES, words
from mobilise.petitions import lifecycle, stored_page
from mobilise.petitions.public import PetitionOut
from mobilise.petitions.stored_page import page_language
from mobilise.publishing.actions import SHARE, SHARE_CHANNELS
from mobilise.table import items
from mobilise.table.models import EMAILED, Petition, Update

if TYPE_CHECKING:
    from pydantic import ValidationError

    from mobilise.petitions.schemas import SignatureIn

#: An Open Graph description is a preview: a couple of sentences.
SUMMARY_CHARS = 200
#: The buttons of an update's email that name their recipient: a page has none.
PER_RECIPIENT = ("respond", "rsvp")


class Share(NamedTuple):
    """A share link: through the counted redirect to the network's own share page (no script
    of theirs); ``copy``'s is the address to copy, which leads to the page itself."""

    name: str  # the channel: see mobilise.publishing.actions.SHARE_CHANNELS
    href: str


class Card(NamedTuple):
    """The tags a shared link is previewed from."""

    title: str
    description: str
    url: str
    image: str | None = None
    image_alt: str = ""


class UpdateLink(NamedTuple):
    title: str
    url: str
    published: str


@dataclass(frozen=True)
class PetitionPage:
    petition: PetitionOut
    signers: str  # its count, written (stored_page.signers), or where it goes (SIGNERS)
    description: list[list[str]]
    updates: list[UpdateLink]
    share: list[Share]
    card: Card
    url: str
    language: str
    languages: dict[str, str] = field(default_factory=dict)
    answer: answers.Shown | None = None  # the decision-maker's latest answer


def switch_links(url: str) -> dict[str, str]:
    """The page in each language, for the language switch."""
    return {language: f"{url}?lang={language}" for language in LANGUAGES}


def share_links(petition_id: str, update_id: str | None = None) -> list[Share]:
    """The share links of the petition's page (no ``update_id``) or of an update's, one per
    channel, each through ``/r/{token}``: the token names the petition, the update and the
    channel, never a target, which the redirect finds again from what is stored
    (:func:`mobilise.publishing.actions.target`) and counts per channel."""
    return [
        Share(channel, links.redirect_url(ActionRef(petition_id, update_id, SHARE + channel)))
        for channel in SHARE_CHANNELS
    ]


def _summary(text: str) -> str:
    flat = rendering.one_line(text)
    if len(flat) <= SUMMARY_CHARS:
        return flat
    return flat[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _card(title: str, text: str, url: str, photo: dict[str, str] | None) -> Card:
    if photo is None:
        return Card(title, _summary(text), url)
    return Card(title, _summary(text), url, photo["url"], photo["alt"])


def _published(update: Update, language: str) -> str:
    return words(language).date(update.published_at or update.created_at)


def petition_page(petition_id: str, language: str | None) -> PetitionPage:
    """The petition's page; :class:`NotFound` if there is none."""
    return page_of(stored_page.read(petition_id, language))


def page_of(read: stored_page.Read) -> PetitionPage:
    """The petition's page from what :func:`mobilise.petitions.stored_page.read` read."""
    petition, chosen, latest = read.petition, read.language, read.latest
    petition_id = petition.petition_id
    shown = lifecycle.view(petition)
    url = links.petition_page_url(petition_id)
    photo = next((found for found in map(rendering_photo, latest) if found), None)
    return PetitionPage(
        petition=shown,
        signers=stored_page.signers(shown.signer_count, chosen),
        description=rendering.paragraphs(petition.description),
        updates=[
            UpdateLink(
                update.title,
                links.update_page_url(petition_id, update.update_id),
                _published(update, chosen),
            )
            for update in latest
        ],
        share=share_links(petition_id),
        card=_card(petition.title, petition.description, url, photo),
        url=url,
        language=chosen,
        languages=switch_links(url),
        answer=answers.of(read.answer, chosen),
    )


def rendering_photo(update: Update) -> dict[str, str] | None:
    """The update's photo as its email shows it (only one from the service's photos)."""
    return rendering._photo(update)  # the email's own rule, kept in one place


# The sign form --------------------------------------------------------------------------------

#: The fields of the sign form (``lang``: the page's language; ``language``: the emails').
FORM_FIELDS = ("lang", "name", "email", "language", "wants_updates", "altcha")


def form_values(fields: Mapping[str, list[str]]) -> dict[str, str]:
    """The form's fields as posted (the first of each; an absent one is empty): what the
    form shows again when it comes back."""
    return {name: (fields.get(name) or [""])[0] for name in FORM_FIELDS}


def signature_of(values: Mapping[str, str]) -> SignatureIn:
    """The signature the form asks for (the box ticked or not); :class:`ValidationError`.
    Its model is imported by the form's post: showing the page loads no pydantic."""
    from mobilise.petitions.schemas import SignatureIn

    return SignatureIn.model_validate(
        {
            "name": values["name"],
            "email": values["email"],
            "language": values["language"],
            "wants_updates": values["wants_updates"] == "yes",
        }
    )


def problems(error: ValidationError) -> dict[str, bool]:
    """The fields the form shows a problem next to (its words are the page's, translated)."""
    return {str(problem["loc"][0]): True for problem in error.errors()}


@dataclass(frozen=True)
class UpdatePage:
    petition: Petition
    update: Update
    context: dict[str, Any]
    share: list[Share]
    card: Card
    url: str
    petition_url: str
    language: str
    languages: dict[str, str]


def update_page(petition_id: str, update_id: str, language: str | None) -> UpdatePage:
    """A published update's page; :class:`NotFound` for an unknown, scheduled or cancelled one."""
    petition = items.get_petition(petition_id)
    update = items.get_update(petition_id, update_id)
    if update.status not in EMAILED:
        raise NotFound("There is no published update with this id.")
    chosen = page_language(language, petition.language)
    url = links.update_page_url(petition_id, update_id)
    photo = rendering_photo(update)
    return UpdatePage(
        petition=petition,
        update=update,
        context=_email_context(petition, update, chosen),
        share=share_links(petition_id, update_id),
        card=_card(update.title, update.body, url, photo),
        url=url,
        petition_url=links.petition_page_url(petition_id),
        language=chosen,
        languages=switch_links(url),
    )


def _email_context(petition: Petition, update: Update, language: str) -> dict[str, Any]:
    """What the update's email shows (its type's block and buttons, through the counted
    redirect), without what names a recipient: their respond and RSVP buttons, and the
    ``?s=`` of per-person clicks; and without its share links, which the page has below
    (the same ones)."""
    slot = "page"
    counted = f"?s={slot}-signer" if get_settings().per_person_clicks else ""
    buttons = {
        name: button._replace(href=button.href.removesuffix(counted) if counted else button.href)
        for name, button in rendering._buttons(petition, update, slot, words(language)).items()
        if name not in PER_RECIPIENT and not name.startswith(SHARE)
    }
    return {
        "kind": update.type or "news",
        "petition_title": petition.title,
        "title": update.title,
        "paragraphs": rendering.paragraphs(update.body),
        "photo": rendering_photo(update),
        "details": rendering._details(petition, update, update.fields or {}, language),
        "buttons": buttons,
    }
