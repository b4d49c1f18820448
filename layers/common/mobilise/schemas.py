"""What the API accepts and returns: pydantic models, strict, every string bounded.

Field names are the contract of DESIGN.md: more may be added, none renamed.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
)

Language = Literal["fr", "en"]


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("must be an https:// link")
    if url.username or url.password:
        raise ValueError("must not carry a user name or password")
    return url


HttpsUrl = Annotated[HttpUrl, AfterValidator(_https_only), Field(max_length=2000)]


def _bounded(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


#: Bidirectional overrides and isolates can make a title read backwards; the marks
#: (U+200E, U+200F) that right-to-left text needs stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _one_line(text: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text):
        raise ValueError("must be one line, without control characters")
    if any(char in _BIDI_CONTROLS for char in text):
        raise ValueError("must not contain bidirectional override characters")
    return text


ShortText = Annotated[str, _bounded(100), AfterValidator(_one_line)]
Title = Annotated[str, _bounded(200), AfterValidator(_one_line)]
UpdateTitle = Annotated[str, _bounded(150), AfterValidator(_one_line)]
LongText = Annotated[str, _bounded(20_000)]


class _In(BaseModel):
    """A request body: unknown fields are refused, so nobody sets what they may not."""

    model_config = ConfigDict(extra="forbid")


class DecisionMaker(_In):
    name: Title
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    x_handle: Annotated[str, StringConstraints(pattern=r"^@?[A-Za-z0-9_]{1,15}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ().-]{6,32}$")] | None = None
    facebook_url: HttpsUrl | None = None


class PetitionIn(_In):
    title: Title
    description: LongText
    language: Language
    decision_maker: DecisionMaker


class PetitionOut(BaseModel):
    petition_id: str
    title: str
    description: str
    language: Language
    decision_maker: DecisionMaker
    status: Literal["open", "victory", "closed"]
    signer_count: int
    next_update_allowed_at: str | None
    created_at: str


class SignatureIn(_In):
    email: Annotated[EmailStr, Field(max_length=254)]
    name: ShortText
    language: Language | None = None
    wants_updates: StrictBool


class SignatureOut(BaseModel):
    petition_id: str
    name: str
    wants_updates: bool
    signed_at: str
    confirmation_required: bool


class UpdateIn(_In):
    """An update as the starter writes it.

    ``type`` will select a model per type of the typology (a discriminated union);
    this first slice knows ``news``, which carries no extra field.
    """

    type: Literal["news"] = "news"
    title: UpdateTitle
    body: LongText
    link: HttpsUrl | None = None


class UpdateOut(BaseModel):
    update_id: str
    petition_id: str
    type: str
    title: str
    body: str
    link: str | None
    status: Literal["published", "sending", "sent"]
    published_at: str
    recipients: int | None = None


class UpdateStats(BaseModel):
    """What the starter sees of a delivery."""

    update_id: str
    state: Literal["queued", "sending", "sent"]
    recipients: int
    sent: int
    failed: int
    bounced: int
    complained: int
    unsubscribed: int


class UpdatePage(BaseModel):
    updates: list[UpdateOut]
    next_cursor: str | None


class Unsubscribed(BaseModel):
    status: Literal["unsubscribed"] = "unsubscribed"
    message: str
