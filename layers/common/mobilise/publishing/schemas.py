"""What the API accepts and returns about updates and photos: one request model per
type of the typology, the update as shown, its statistics, a preview. Field names are the
contract: more may be added, none renamed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mobilise.core import clock
from mobilise.core.fields import (
    HttpsUrl,
    LongText,
    RequestBody,
    ShortText,
    Title,
    UpdateTitle,
    bounded,
    one_line,
)

#: Built by their first use, not at import: five functions import these models with the
#: update workflow and most of their events validate none (issue 14: 12-17 ms of their imports).
DEFERRED = ConfigDict(defer_build=True)


class _Request(RequestBody):
    model_config = DEFERRED


class _Shown(BaseModel):
    model_config = DEFERRED


class PhotoIn(_Request):
    """A photo uploaded through ``POST /petitions/{id}/photos``, and its alternative text."""

    photo_id: Annotated[str, StringConstraints(pattern=r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    alt: Annotated[str, bounded(300), AfterValidator(one_line)]


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


Paragraphs = Annotated[str, bounded(2_000)]


class _UpdateIn(_Request):
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
    tweet_text: Annotated[str, bounded(TWEET_LIMIT), AfterValidator(one_line)] | None = None

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


#: The decision-maker's answer as an update (:mod:`mobilise.answers`): published by Mobilise,
#: never by a starter (no request model takes it), outside the starter's 24-hour window.
RESPONSE_TYPE = "decision_maker_response"
#: Every type an update as shown may have.
SHOWN_TYPES = (*UPDATE_TYPES, RESPONSE_TYPE)


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


update_in: TypeAdapter[AnyUpdateIn] = TypeAdapter(UpdateIn, config=DEFERRED)


#: The fields an update type adds to the common ones (stored as the update's ``fields``).
COMMON_FIELDS = frozenset(_UpdateIn.model_fields) | {"type"}


def type_fields(request: AnyUpdateIn) -> dict[str, Any]:
    """The type-specific fields of ``request``, as JSON values."""
    return request.model_dump(mode="json", exclude=set(COMMON_FIELDS), exclude_none=True)


class PhotoOut(_Shown):
    photo_id: str
    alt: str
    url: str


PhotoType = Literal["image/jpeg", "image/png", "image/webp"]


class PhotoUploadIn(_Request):
    """An upload asked for; with ``content_type`` the upload must declare exactly that type."""

    content_type: PhotoType | None = None


class PhotoUpload(_Shown):
    """A presigned POST: send ``fields`` then the file (as ``file``, last) to ``url``, as
    multipart/form-data, with a ``Content-Type`` field when ``fields`` has none."""

    url: str
    fields: dict[str, str]


class PhotoUploadOut(_Shown):
    photo_id: str
    upload: PhotoUpload
    max_bytes: int
    content_types: list[str]
    expires_at: str


UpdateStatus = Literal[
    "scheduled",
    "pending",
    "in_review",
    "published",
    "sending",
    "paused",
    "sent",
    "stopped",
    "cancelled",
    "rejected",
]


class UpdateOut(_Shown):
    update_id: str
    petition_id: str
    type: str = Field(
        description="A type of the typology, or `decision_maker_response`: the "
        "decision-maker's answer, which they gave through the link the starter sent them; "
        "it does not count in the 24-hour window, and its `details` are `stance` (agree, "
        "disagree, other), `text`, `name`, `role` and `sending_id`.",
        examples=list(SHOWN_TYPES),
    )
    title: str
    body: str
    link: str | None
    photo: PhotoOut | None = None
    details: dict[str, Any] = Field(
        default_factory=dict, description="The fields of the update's type (see the typology)."
    )
    status: UpdateStatus = Field(
        description="published (stored, its delivery queued), sending (its emails going out), "
        "sent (every recipient counted as sent, failed or skipped), stopped (its starter "
        "stopped the delivery: the rest spared), paused (too many of its recipients reported "
        "it as spam or bounced: the rest is kept until an operator resumes or cancels it, "
        "see `paused_reason`); scheduled, pending (its grace period, until "
        "`release_at`: it may still be cancelled or corrected), in_review (held by "
        "moderation), cancelled and rejected (by moderation) are the starter's only."
    )
    published_at: str | None
    publish_at: str | None = None
    release_at: str | None = Field(
        default=None, description="When a pending update goes out (its grace period ends)."
    )
    edited_at: str | None = None
    recipients: int | None = None
    paused_reason: Literal["complaints", "bounces"] | None = Field(
        default=None,
        description="Why a paused update's delivery paused: complaints (its complaint rate "
        "passed 0.1 % of the emails sent, once 500 were) or bounces (its permanent bounces "
        "passed 5 %); the rates are the deployment's settings.",
    )


class RsvpCounts(_Shown):
    yes: int
    no: int


class UpdateStats(_Shown):
    """What the starter sees of a delivery."""

    update_id: str
    state: Literal["queued", "sending", "paused", "sent", "stopped"] = Field(
        description="The update's status, as a delivery: queued while it is published, "
        "then sending and sent (or paused, or stopped) with it."
    )
    recipients: int = Field(
        description="Everyone the update was for; once delivery is over, "
        "sent + failed + skipped + spared + digested."
    )
    sent: int
    failed: int
    skipped: int = Field(
        description="Unsubscribed or suppressed after the update was published, or sent "
        "already by another message."
    )
    spared: int = Field(description="Not sent because the starter stopped the delivery.")
    digested: int = Field(
        default=0,
        description="Not sent on its own because the person had an update email in the last "
        "24 hours: the update waits in their daily digest.",
    )
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


class UpdatePage(_Shown):
    updates: list[UpdateOut]
    next_cursor: str | None


class PreviewOut(_Shown):
    """An update's email as its signers would receive it (with harmless links)."""

    subject: str
    html: str
    text: str
    recipients: int = Field(
        description="Signers who receive updates now (confirmed, subscribed); addresses "
        "suppressed since are not subtracted: the delivery statistics count exactly."
    )


class StarterCopyOut(_Shown):
    """Where a test send went: the starter's own verified address, never anyone else's."""

    sent_to: str
