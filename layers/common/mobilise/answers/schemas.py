"""What the decision-maker's page accepts, and what the starter reads of their sendings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from mobilise.answers.items import FORM_FIELDS
from mobilise.core.fields import RequestBody, ShortText, Title, bounded

TEXT_MAX = 5_000
Stance = Literal["agree", "disagree", "other"]
#: Built by their first use, not at import: only the answer routes of the API use them.
DEFERRED = ConfigDict(defer_build=True)


class AnswerIn(RequestBody):
    """The decision-maker's answer: their stance, their words (needed when they neither
    agree nor disagree), and who they are, published as they give them."""

    model_config = DEFERRED

    stance: Stance
    text: Annotated[str, bounded(TEXT_MAX)] | None = None
    name: ShortText
    role: Title

    @model_validator(mode="after")
    def _said_something(self) -> AnswerIn:
        if self.stance == "other" and self.text is None:
            raise PydanticCustomError("text", "text: write your answer")
        return self


def form_values(fields: Mapping[str, list[str]]) -> dict[str, str]:
    """The form's fields as posted (the first of each, absent ones empty); others ignored."""
    return {name: (fields.get(name) or [""])[0] for name in FORM_FIELDS}


def shown_again(values: Mapping[str, str]) -> dict[str, str]:
    """The values the form shows back: a one-line field's line breaks as spaces (an input's
    value cannot hold one; the refusal next to it says why)."""
    return {
        name: " ".join(value.splitlines()) if name in ("name", "role") else value
        for name, value in values.items()
    }


def answer_of(values: Mapping[str, str]) -> AnswerIn:
    """The answer the form gives (an empty text is no text); :class:`ValidationError`."""
    text = values["text"].strip()
    return AnswerIn.model_validate(
        {
            "stance": values["stance"],
            "text": text or None,
            "name": values["name"],
            "role": values["role"],
        }
    )


def problems(error: ValidationError) -> dict[str, bool]:
    """The fields the form shows a problem next to (a model-level one is named by its type)."""
    found: dict[str, bool] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else str(problem["type"])
        found[field if field in FORM_FIELDS else "text"] = True
    return found


class SendingOut(BaseModel):
    """One sending of the petition to its decision-maker, and whether they answered."""

    model_config = DEFERRED

    sending_id: str
    sent_at: str
    link_expires_at: str = Field(description="The answer link works until then (30 days).")
    answered_at: str | None = Field(description="When they first answered; null: not yet.")
    edited_at: str | None = None
    editable_until: str | None = Field(
        default=None, description="They may change their answer through the link until then."
    )
    stance: Stance | None = None
    update_id: str | None = Field(
        default=None, description="The decision_maker_response update the answer became."
    )


class SentOut(SendingOut):
    """A new sending: where the email went."""

    sent_to: str
    next_sending_allowed_at: str


class SendingsOut(BaseModel):
    """The starter's view: the decision-maker's address, when the petition may be sent again,
    and its sendings, newest first."""

    model_config = DEFERRED

    decision_maker_email: str | None
    next_sending_allowed_at: str | None = Field(
        description="Null: the petition can be sent now (once a week at most)."
    )
    sendings: list[SendingOut]
