"""The address fields of petitions/schemas.py validate as pydantic's ``EmailStr`` does (the
same normal form, the same refusals and messages, the same JSON schema), while email-validator
is imported by the first address rather than by the models' import (issue 14)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, EmailStr, Field, TypeAdapter, ValidationError

from mobilise.petitions.schemas import Email

ADDRESSES = [
    "a@example.org",
    " A.B@Example.ORG ",
    "Jo <jo@example.org>",
    "bad",
    "é@example.org",
    "a@exämple.org",
    "x" * 250 + "@example.org",
    "a" * 64 + "@" + "b" * 190 + ".org",
    "a@b",
    "a@localhost",
    "a@@example.org",
    "",
    '"quoted"@example.org',
]

OURS: TypeAdapter[str] = TypeAdapter(Email)
PYDANTICS: TypeAdapter[str] = TypeAdapter(Annotated[EmailStr, Field(max_length=254)])


def _outcome(adapter: TypeAdapter[str], address: str) -> Any:
    try:
        return adapter.validate_python(address)
    except ValidationError as error:
        return error.errors(include_url=False)


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_is_validated_as_emailstr_validates_it(address: str) -> None:
    assert _outcome(OURS, address) == _outcome(PYDANTICS, address)


def test_the_json_schema_is_emailstrs() -> None:
    class Ours(BaseModel):
        email: Email | None = None

    class Pydantics(BaseModel):
        email: Annotated[EmailStr, Field(max_length=254)] | None = None

    assert Ours.model_json_schema()["properties"] == Pydantics.model_json_schema()["properties"]
