"""A petition as anyone may see it: the API's answer about a petition, and what its page
shows.

Plain dataclasses, not pydantic models: a cold start that answers with a petition (the
api function's ``GET /petitions/{petition_id}``) loads no pydantic (issue 14,
docs/performance.md). pydantic writes their schema in the OpenAPI document all the same: it
reads a dataclass's fields, its docstring and its attributes' docstrings
(``use_attribute_docstrings``) as it reads a model's. Their values were validated when they
were received (``mobilise.petitions.schemas``), so nothing here validates them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from mobilise.i18n import Language

if TYPE_CHECKING:
    from pydantic import ConfigDict

#: The schema of an address in the document (the requests' ``Email`` writes it too).
EMAIL_SCHEMA = {"type": "string", "format": "email", "maxLength": 254}


def _email_schema(schema: dict[str, Any]) -> None:
    schema["properties"]["email"]["anyOf"][0] = EMAIL_SCHEMA


@dataclass(frozen=True)
class DecisionMakerOut:
    """Whom the petition is addressed to, as its starter gave them."""

    __pydantic_config__: ClassVar[ConfigDict] = {"json_schema_extra": _email_schema}

    name: str
    email: str | None = None
    x_handle: str | None = None
    phone: str | None = None
    facebook_url: str | None = None

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> DecisionMakerOut:
        """As the petition holds them (what was received, without its empty fields)."""
        return cls(
            name=stored["name"],
            email=stored.get("email"),
            x_handle=stored.get("x_handle"),
            phone=stored.get("phone"),
            facebook_url=stored.get("facebook_url"),
        )


@dataclass(frozen=True)
class PetitionOut:
    __pydantic_config__: ClassVar[ConfigDict] = {"use_attribute_docstrings": True}

    petition_id: str
    title: str
    description: str
    language: Language
    decision_maker: DecisionMakerOut
    status: Literal["open", "victory", "closed"]
    signer_count: int
    """Confirmed signatures (with double opt-in, unconfirmed ones do not count)."""
    next_update_allowed_at: str | None
    created_at: str
