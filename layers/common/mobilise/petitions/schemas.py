"""What the API accepts and returns about petitions and signatures (pydantic, strict,
every string bounded). Field names are the contract: more may be added, none renamed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StrictBool, StringConstraints, WithJsonSchema
from pydantic import validate_email as pydantic_email
from pydantic_core import PydanticCustomError

from mobilise.core import addresses
from mobilise.core.fields import HttpsUrl, LongText, RequestBody, ShortText, Title
from mobilise.i18n import Language
from mobilise.petitions.plain import PHONE, X_HANDLE, NewPetition
from mobilise.petitions.public import EMAIL_SCHEMA


def _email(value: str) -> str:
    """pydantic's ``EmailStr``: the same rules, normal form and messages, but email-validator
    (some 20 to 50 ms) is imported by the first address validated that is not a plain one
    (:mod:`mobilise.core.addresses`), not by every function and route that imports these
    models (issue 14)."""
    return addresses.plain(value) or pydantic_email(value)[1]


_EMAIL_SCHEMA = WithJsonSchema(EMAIL_SCHEMA)
#: An email address, as ``Annotated[EmailStr, Field(max_length=254)]`` validates and documents it.
Email = Annotated[
    str, AfterValidator(_email), Field(max_length=addresses.MAX_LENGTH), _EMAIL_SCHEMA
]


class DecisionMaker(RequestBody):
    name: Title
    email: Email | None = None
    x_handle: Annotated[str, StringConstraints(pattern=f"^{X_HANDLE}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=f"^{PHONE}$")] | None = None
    facebook_url: HttpsUrl | None = None


class PetitionIn(RequestBody):
    title: Title
    description: LongText
    language: Language
    decision_maker: DecisionMaker

    def plain(self) -> NewPetition:
        """What the petition keeps of it: the decision-maker's fields given, as JSON."""
        maker = self.decision_maker.model_dump(mode="json", exclude_none=True)
        return NewPetition(self.title, self.description, self.language, maker)


def _deliverable(address: str) -> str:
    """An address SES can deliver to, in the form our emails carry it: SES does not speak
    SMTPUTF8, so the part before the @ must be ASCII; an internationalised domain is fine,
    written in its ASCII form (IDNA), which a To header carries as it is. A plain address
    is all ASCII already."""
    known = addresses.plain(address)
    if known is not None:
        return known
    from email_validator import EmailNotValidError, validate_email  # see _email

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


class SignatureIn(RequestBody):
    email: Annotated[Email, AfterValidator(_deliverable)]
    name: ShortText
    language: Language | None = None
    wants_updates: StrictBool
    altcha: Annotated[str, Field(max_length=4000)] | None = Field(
        default=None,
        description="Past a few signatures a minute from one address: the solved challenge of "
        "the 429's `altcha` (ALTCHA's base64 payload, as its widget or "
        "`altcha.solve_challenge` makes it); it pays for one signature.",
    )


class SignatureOut(BaseModel):
    """The same answer whether the address is new, had signed, or had confirmed: which
    petitions a person signed is theirs to know (their email tells them)."""

    petition_id: str
    name: str
    wants_updates: bool
    signed_at: str = Field(description="When the signature was received.")
    confirmation_required: bool
    message: str = Field(description="What happens next, for people.")


class DayCount(BaseModel):
    """One day (UTC) of a petition's signatures."""

    date: str = Field(description="The day, YYYY-MM-DD (UTC).", examples=["2026-12-05"])
    signed: int = Field(description="Signatures received that day.")
    confirmed: int = Field(
        description="Confirmations made that day (with double opt-in off, each signature is "
        "confirmed as it is received)."
    )


class SignatureCounts(BaseModel):
    """A petition's signatures as its starter sees them; the public sees ``confirmed``."""

    petition_id: str
    confirmed: int = Field(description="Signatures whose address was confirmed: the public count.")
    unconfirmed: int = Field(description="Signatures still waiting for their confirmation.")
    history: list[DayCount] = Field(
        description="What each day (UTC) brought, oldest first; days with nothing are left out."
    )
