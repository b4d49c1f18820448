"""What the API accepts and returns: pydantic models, strict, every string bounded.

Field names are the contract of DESIGN.md: more may be added, none renamed.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    EmailStr,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mobilise.core import clock

Language = Literal["fr", "en"]


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("must be an https:// link")
    if url.username or url.password:
        raise ValueError("must not carry a user name or password")
    host = (url.host or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return url
    raise ValueError("must name a host, not an IP address")


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
    signer_count: int = Field(
        description="Confirmed signatures (with double opt-in, unconfirmed ones do not count)."
    )
    next_update_allowed_at: str | None
    created_at: str


def _deliverable(address: str) -> str:
    """An address SES can deliver to, in the form our emails carry it: SES does not speak
    SMTPUTF8, so the part before the @ must be ASCII; an internationalised domain is fine,
    written in its ASCII form (IDNA), which a To header carries as it is."""
    try:
        parts = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        accented = "".join(sorted({char for char in address.rpartition("@")[0] if ord(char) > 127}))
        raise PydanticCustomError(
            "value_error",
            "our email service cannot deliver to an address with {characters} before the @: "
            "use an address with only letters without accents, digits and . _ - + before the @",
            {"characters": accented or "these characters"},
        ) from None
    return str(parts.ascii_email)


class SignatureIn(_In):
    email: Annotated[EmailStr, Field(max_length=254), AfterValidator(_deliverable)]
    name: ShortText
    language: Language | None = None
    wants_updates: StrictBool


class SignatureOut(BaseModel):
    """The same answer whether the address is new, had signed, or had confirmed: which
    petitions a person signed is theirs to know (their email tells them)."""

    petition_id: str
    name: str
    wants_updates: bool
    signed_at: str = Field(description="When the signature was received.")
    confirmation_required: bool
    message: str = Field(description="What happens next, for people.")


class SignatureCounts(BaseModel):
    """A petition's signatures as its starter sees them; the public sees ``confirmed``."""

    petition_id: str
    confirmed: int = Field(description="Signatures whose address was confirmed: the public count.")
    unconfirmed: int = Field(description="Signatures still waiting for their confirmation.")


class PhotoIn(_In):
    """A photo uploaded through ``POST /petitions/{id}/photos``, and its alternative text."""

    photo_id: Annotated[str, StringConstraints(pattern=r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    alt: Annotated[str, _bounded(300), AfterValidator(_one_line)]


#: Validation context key: the names of times an edit leaves as they were stored (an event
#: that has started may still have its title corrected); they are not checked again.
KEPT_TIMES = "kept_times"


def _future(moment: datetime, info: ValidationInfo) -> datetime:
    """A time still to come (the one clock of :mod:`mobilise.core.clock`), within two years."""
    if info.field_name in (info.context or {}).get(KEPT_TIMES, ()):
        return moment.astimezone(UTC)
    now = clock.now()
    if moment <= now:
        raise ValueError("must be in the future")
    if moment > now + timedelta(days=731):
        raise ValueError("must be within two years")
    return moment.astimezone(UTC)


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be a time zone such as Europe/Paris") from None
    return name


FutureTime = Annotated[AwareDatetime, AfterValidator(_future)]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]
Paragraphs = Annotated[str, _bounded(2_000)]


class _UpdateIn(_In):
    """What every update carries; each type of the typology adds its own fields."""

    title: UpdateTitle
    body: LongText
    link: HttpsUrl | None = None
    photo: PhotoIn | None = None
    publish_at: FutureTime | None = None


class NewsIn(_UpdateIn):
    type: Literal["news"] = "news"


class PressIn(_UpdateIn):
    type: Literal["press"]
    article_url: HttpsUrl
    outlet: ShortText
    headline: Title


EventKind = Literal["demonstration", "hand_over", "meeting", "online"]


class EventIn(_UpdateIn):
    type: Literal["event"]
    kind: EventKind
    starts_at: FutureTime
    ends_at: AwareDatetime | None = None
    time_zone: TimeZone
    place: Title | None = None
    online_url: HttpsUrl | None = None

    @model_validator(mode="after")
    def _where_and_when(self) -> EventIn:
        if self.ends_at is not None:
            if self.ends_at <= self.starts_at:
                raise PydanticCustomError("ends_at", "ends_at: must be after starts_at")
            if self.ends_at - self.starts_at > timedelta(days=7):
                raise PydanticCustomError("ends_at", "ends_at: must be within 7 days of starts_at")
            self.ends_at = self.ends_at.astimezone(UTC)
        if self.kind == "online" and self.online_url is None:
            raise PydanticCustomError("online_url", "online_url: an online event needs its link")
        if self.place is None and self.online_url is None:
            raise PydanticCustomError("place", "place: give a place or an online_url")
        return self


MeetingStatus = Literal["requested", "obtained", "held"]


class DecisionMakerMeetingIn(_UpdateIn):
    type: Literal["decision_maker_meeting"]
    meeting_status: MeetingStatus
    meeting_at: AwareDatetime | None = None
    time_zone: TimeZone | None = None
    outcome: Paragraphs | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DecisionMakerMeetingIn:
        if self.meeting_status != "requested" and self.meeting_at is None:
            raise PydanticCustomError(
                "meeting_at", "meeting_at: an obtained or held meeting has a date"
            )
        if self.meeting_at is not None:
            if self.time_zone is None:
                raise PydanticCustomError("time_zone", "time_zone: needed with meeting_at")
            self.meeting_at = self.meeting_at.astimezone(UTC)
        if self.outcome is not None and self.meeting_status != "held":
            raise PydanticCustomError("outcome", "outcome: only a held meeting has an outcome")
        return self


Channel = Literal["email", "tweet", "phone", "facebook"]
TWEET_LIMIT = 250  # leaves room for the link X adds


class CallToActionIn(_UpdateIn):
    """Signers act through the decision-maker's channels, with the starter's message."""

    type: Literal["call_to_action"]
    channels: Annotated[list[Channel], Field(min_length=1, max_length=4)]
    message: Paragraphs
    subject: ShortText | None = None
    tweet_text: Annotated[str, _bounded(TWEET_LIMIT), AfterValidator(_one_line)] | None = None

    @model_validator(mode="after")
    def _channels(self) -> CallToActionIn:
        if len(set(self.channels)) != len(self.channels):
            raise PydanticCustomError("channels", "channels: each channel once")
        too_long = len(self.message) > TWEET_LIMIT or "\n" in self.message
        if "tweet" in self.channels and self.tweet_text is None and too_long:
            raise PydanticCustomError(
                "tweet_text",
                "tweet_text: the message is too long for a tweet; give a tweet_text "
                f"of at most {TWEET_LIMIT} characters, on one line",
            )
        return self


class AskAdviceIn(_UpdateIn):
    type: Literal["ask_advice"]
    question: Paragraphs


class AskTestimonyIn(_UpdateIn):
    type: Literal["ask_testimony"]
    prompt: Paragraphs


class StartPetitionIn(_UpdateIn):
    type: Literal["start_petition"]
    theme: Title


class VictoryIn(_UpdateIn):
    """Celebrates; publishing it sets the petition's status to ``victory``."""

    type: Literal["victory"]


UPDATE_TYPES = (
    "news",
    "press",
    "event",
    "decision_maker_meeting",
    "call_to_action",
    "ask_advice",
    "ask_testimony",
    "start_petition",
    "victory",
)


def _update_type(body: Any) -> str:
    """The tag of an update body; ``news`` when it names none (the first clients sent none)."""
    kind = body.get("type", "news") if isinstance(body, dict) else getattr(body, "type", "news")
    return kind if isinstance(kind, str) else ""


UpdateIn = Annotated[
    Annotated[NewsIn, Tag("news")]
    | Annotated[PressIn, Tag("press")]
    | Annotated[EventIn, Tag("event")]
    | Annotated[DecisionMakerMeetingIn, Tag("decision_maker_meeting")]
    | Annotated[CallToActionIn, Tag("call_to_action")]
    | Annotated[AskAdviceIn, Tag("ask_advice")]
    | Annotated[AskTestimonyIn, Tag("ask_testimony")]
    | Annotated[StartPetitionIn, Tag("start_petition")]
    | Annotated[VictoryIn, Tag("victory")],
    Discriminator(
        _update_type,
        custom_error_type="invalid_type",
        custom_error_message="must be one of " + ", ".join(UPDATE_TYPES),
        # A callable discriminator does not name its field; the API's 422 reads it here.
        custom_error_context={"discriminator": "type"},
    ),
]
AnyUpdateIn = (
    NewsIn
    | PressIn
    | EventIn
    | DecisionMakerMeetingIn
    | CallToActionIn
    | AskAdviceIn
    | AskTestimonyIn
    | StartPetitionIn
    | VictoryIn
)
update_in: TypeAdapter[AnyUpdateIn] = TypeAdapter(UpdateIn)

#: The fields an update type adds to the common ones (stored as the update's ``fields``).
COMMON_FIELDS = frozenset(_UpdateIn.model_fields) | {"type"}


def type_fields(request: AnyUpdateIn) -> dict[str, Any]:
    """The type-specific fields of ``request``, as JSON values."""
    return request.model_dump(mode="json", exclude=set(COMMON_FIELDS), exclude_none=True)


class PhotoOut(BaseModel):
    photo_id: str
    alt: str
    url: str


PhotoType = Literal["image/jpeg", "image/png", "image/webp"]


class PhotoUploadIn(_In):
    """An upload asked for; with ``content_type`` the upload must declare exactly that type."""

    content_type: PhotoType | None = None


class PhotoUpload(BaseModel):
    """A presigned POST: send ``fields`` then the file (as ``file``, last) to ``url``, as
    multipart/form-data, with a ``Content-Type`` field when ``fields`` has none."""

    url: str
    fields: dict[str, str]


class PhotoUploadOut(BaseModel):
    photo_id: str
    upload: PhotoUpload
    max_bytes: int
    content_types: list[str]
    expires_at: str


UpdateStatus = Literal["scheduled", "published", "sending", "sent", "cancelled"]


class UpdateOut(BaseModel):
    update_id: str
    petition_id: str
    type: str
    title: str
    body: str
    link: str | None
    photo: PhotoOut | None = None
    details: dict[str, Any] = Field(
        default_factory=dict, description="The fields of the update's type (see the typology)."
    )
    status: UpdateStatus = Field(
        description="published (stored, its delivery queued), sending (its emails going out), "
        "sent (every recipient counted as sent, failed or skipped); scheduled and cancelled "
        "are the starter's only."
    )
    published_at: str | None
    publish_at: str | None = None
    edited_at: str | None = None
    recipients: int | None = None


class RsvpCounts(BaseModel):
    yes: int
    no: int


class UpdateStats(BaseModel):
    """What the starter sees of a delivery."""

    update_id: str
    state: Literal["queued", "sending", "sent"] = Field(
        description="The update's status, as a delivery: queued while it is published, "
        "then sending and sent with it."
    )
    recipients: int
    sent: int
    failed: int
    bounced: int
    complained: int
    unsubscribed: int
    clicks: dict[str, int] = Field(
        default_factory=dict,
        description="Clicks on each button of the email by people, by action (aggregated, "
        "nobody named): neither HEAD requests nor the clicks counted in machine_clicks.",
    )
    machine_clicks: dict[str, int] = Field(
        default_factory=dict,
        description="Clicks on each button held to be a mail scanner's, by action: within "
        "30 seconds of the email's sending, or (per-person clicks) within 2 seconds of the "
        "same recipient's click on another button. Redirected all the same.",
    )
    rsvp: RsvpCounts | None = Field(
        default=None, description="An event's answers to its invitation; null for other types."
    )


class UpdatePage(BaseModel):
    updates: list[UpdateOut]
    next_cursor: str | None


class Unsubscribed(BaseModel):
    status: Literal["unsubscribed"] = "unsubscribed"
    message: str


class NudgesOff(BaseModel):
    """The starter switched a petition's reminders off."""

    status: Literal["nudges_off"] = "nudges_off"
    message: str


class PreviewOut(BaseModel):
    """An update's email as its signers would receive it (with harmless links)."""

    subject: str
    html: str
    text: str
    recipients: int = Field(
        description="Signers who receive updates now (confirmed, subscribed); addresses "
        "suppressed since are not subtracted: the delivery statistics count exactly."
    )


class StarterCopyOut(BaseModel):
    """Where a test send went: the starter's own verified address, never anyone else's."""

    sent_to: str
