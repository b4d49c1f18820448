"""What the API accepts: strict request models, every string bounded, one-line fields one line."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from mobilise.api import field_of
from mobilise.petitions.schemas import DecisionMaker, PetitionIn, SignatureIn
from mobilise.publishing.schemas import NewsIn, update_in


def _petition(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Sauvons le parc des Buttes",
        "description": "Le parc va être vendu.\n\nSignez pour l’empêcher.",
        "language": "fr",
        "decision_maker": {"name": "Mairie de Paris"},
    }
    body.update(changes)
    return body


def _decision_maker(**changes: Any) -> dict[str, Any]:
    return _petition(decision_maker={"name": "Mairie de Paris", **changes})


def _signature(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"email": "zoe@example.org", "name": "Zoé", "wants_updates": True}
    body.update(changes)
    return body


def _update(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Nous avons 10 000 signatures",
        "body": "Merci à toutes et tous.",
    }
    body.update(changes)
    return body


def _refused(model: type[BaseModel], body: dict[str, Any]) -> list[str]:
    """The error types of refusing ``body``; fails if it is accepted."""
    with pytest.raises(ValidationError) as refusal:
        model.model_validate(body)
    return [error["type"] for error in refusal.value.errors()]


# --- unknown fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "body"),
    [
        pytest.param(PetitionIn, _petition(status="victory"), id="petition status"),
        pytest.param(PetitionIn, _petition(owner_id="someone-else"), id="petition owner"),
        pytest.param(PetitionIn, _petition(signer_count=10**6), id="petition signer count"),
        pytest.param(PetitionIn, _decision_maker(verified=True), id="decision maker field"),
        pytest.param(SignatureIn, _signature(signed_at="2001-01-01T00:00:00Z"), id="signed at"),
        pytest.param(NewsIn, _update(status="sent"), id="update status"),
        pytest.param(NewsIn, _update(recipients=0), id="update recipients"),
    ],
)
def test_unknown_fields_are_refused(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Given a request body with a field the client may not set
    # When it is validated
    errors = _refused(model, body)

    # Then it is refused for that field
    assert errors == ["extra_forbidden"]


@pytest.mark.parametrize(
    ("model", "body"),
    [(PetitionIn, _petition()), (SignatureIn, _signature()), (NewsIn, _update())],
    ids=["petition", "signature", "update"],
)
def test_a_valid_body_is_accepted(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Given a valid request body (the control for the refusals in this file)
    # When it is validated
    request = model.model_validate(body)

    # Then it is accepted
    assert isinstance(request, model)


# --- lengths, at the exact boundary -----------------------------------------------------

BOUNDED = [
    pytest.param(PetitionIn, _petition, "title", 200, id="petition title"),
    pytest.param(PetitionIn, _petition, "description", 20_000, id="petition description"),
    pytest.param(SignatureIn, _signature, "name", 100, id="signer name"),
    pytest.param(NewsIn, _update, "title", 150, id="update title"),
    pytest.param(NewsIn, _update, "body", 20_000, id="update body"),
]


@pytest.mark.parametrize(("model", "make", "field", "limit"), BOUNDED)
def test_a_string_of_exactly_the_limit_is_accepted(model, make, field, limit) -> None:
    # Given a field exactly as long as its limit
    body = make(**{field: "é" * limit})

    # When it is validated
    request = model.model_validate(body)

    # Then it is accepted whole
    assert getattr(request, field) == "é" * limit


@pytest.mark.parametrize(("model", "make", "field", "limit"), BOUNDED)
def test_a_string_one_over_the_limit_is_refused(model, make, field, limit) -> None:
    # Given a field one character over its limit
    body = make(**{field: "é" * (limit + 1)})

    # When it is validated
    errors = _refused(model, body)

    # Then it is refused as too long
    assert errors == ["string_too_long"]


def test_the_decision_makers_name_is_bounded_at_200() -> None:
    # Given decision makers named with 200 and 201 characters
    at_limit, over = _decision_maker(name="x" * 200), _decision_maker(name="x" * 201)

    # When they are validated
    accepted = PetitionIn.model_validate(at_limit)
    errors = _refused(PetitionIn, over)

    # Then 200 is accepted and 201 refused
    assert accepted.decision_maker.name == "x" * 200
    assert errors == ["string_too_long"]


def test_surrounding_whitespace_does_not_count_towards_the_limit() -> None:
    # Given a title of exactly 150 characters with spaces around it
    body = _update(title="   " + "a" * 150 + " \t ")

    # When it is validated
    request = NewsIn.model_validate(body)

    # Then it is accepted, stripped to the 150 characters
    assert request.title == "a" * 150


def test_a_link_of_2000_characters_is_accepted_and_2001_refused() -> None:
    # Given https links of 2000 and 2001 characters
    prefix = "https://example.org/"
    at_limit = prefix + "a" * (2000 - len(prefix))
    over = prefix + "a" * (2001 - len(prefix))

    # When they are validated
    accepted = NewsIn.model_validate(_update(link=at_limit))
    errors = _refused(NewsIn, _update(link=over))

    # Then the first is accepted and the second refused as too long
    assert str(accepted.link) == at_limit
    assert errors == ["too_long"]


def test_an_email_of_254_characters_is_accepted_and_255_refused() -> None:
    # Given addresses of 254 and 255 characters (64-character local part, long domain)
    domain = ".".join(["b" * 63, "c" * 63, "d" * 57]) + ".org"
    at_limit = "a" * 64 + "@" + domain
    over = "a" * 64 + "@" + "d" + domain
    assert (len(at_limit), len(over)) == (254, 255)

    # When they are validated
    accepted = SignatureIn.model_validate(_signature(email=at_limit))
    errors = _refused(SignatureIn, _signature(email=over))

    # Then the first is accepted and the second refused
    assert accepted.email == at_limit
    assert errors == ["value_error"]


# --- whitespace and blank values --------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "make", "field"),
    [
        (PetitionIn, _petition, "title"),
        (PetitionIn, _petition, "description"),
        (SignatureIn, _signature, "name"),
        (NewsIn, _update, "title"),
        (NewsIn, _update, "body"),
    ],
    ids=["petition title", "description", "signer name", "update title", "update body"],
)
def test_surrounding_whitespace_is_stripped(model, make, field) -> None:
    # Given a text field with white space around it
    body = make(**{field: " \t Sauvons le parc \n "})

    # When it is validated
    request = model.model_validate(body)

    # Then the white space is gone and the text kept
    assert getattr(request, field) == "Sauvons le parc"


@pytest.mark.parametrize(
    ("model", "make", "field"),
    [
        (PetitionIn, _petition, "title"),
        (PetitionIn, _petition, "description"),
        (PetitionIn, _decision_maker, "name"),
        (SignatureIn, _signature, "name"),
        (NewsIn, _update, "title"),
        (NewsIn, _update, "body"),
    ],
    ids=[
        "petition title",
        "description",
        "decision maker",
        "signer name",
        "update title",
        "update body",
    ],
)
@pytest.mark.parametrize("blank", ["", "   ", " \t\n "], ids=["empty", "spaces", "mixed"])
def test_a_blank_text_field_is_refused(model, make, field, blank) -> None:
    # Given a required text field that is empty or only white space
    body = make(**{field: blank})

    # When it is validated
    errors = _refused(model, body)

    # Then it is refused as too short
    assert errors == ["string_too_short"]


# --- one-line fields --------------------------------------------------------------------

ONE_LINE_FIELDS = [
    pytest.param(PetitionIn, _petition, "title", id="petition title"),
    pytest.param(PetitionIn, _decision_maker, "name", id="decision maker"),
    pytest.param(SignatureIn, _signature, "name", id="signer name"),
    pytest.param(NewsIn, _update, "title", id="update title"),
]
LINE_BREAKS_AND_CONTROLS = [
    pytest.param("\n", id="LF"),
    pytest.param("\r", id="CR"),
    pytest.param("\r\n", id="CRLF"),
    pytest.param("\t", id="tab"),
    pytest.param("\x00", id="NUL"),
    pytest.param("\x0b", id="vertical tab"),
    pytest.param("\x0c", id="form feed"),
    pytest.param("\x1b", id="escape"),
    pytest.param("\x7f", id="DEL"),
    pytest.param("\x85", id="next line"),
    pytest.param("\u2028", id="line separator"),
    pytest.param("\u2029", id="paragraph separator"),
]


@pytest.mark.parametrize(("model", "make", "field"), ONE_LINE_FIELDS)
@pytest.mark.parametrize("control", LINE_BREAKS_AND_CONTROLS)
def test_a_line_break_or_control_inside_a_one_line_field_is_refused(
    model, make, field, control
) -> None:
    # Given a one-line field with a line break or control character inside it
    body = make(**{field: f"Sauvons{control}Bcc: eve@attacker.example"})

    # When it is validated
    errors = _refused(model, body)

    # Then it is refused
    assert errors == ["value_error"]


@pytest.mark.parametrize(("model", "make", "field"), ONE_LINE_FIELDS)
def test_accents_punctuation_and_emoji_are_fine_in_a_one_line_field(model, make, field) -> None:
    # Given a one-line field with accents, typographic quotes, a no-break space and an emoji
    text = "Zoé « l’Écolo » O'Brien-Dupont\u00a0& co ✊"

    # When it is validated
    request = model.model_validate(make(**{field: text}))

    # Then it is accepted as is
    owner = request.decision_maker if make is _decision_maker else request
    assert getattr(owner, field) == text


@pytest.mark.parametrize(
    ("model", "make", "field"),
    [(PetitionIn, _petition, "description"), (NewsIn, _update, "body")],
    ids=["description", "update body"],
)
def test_a_long_text_keeps_its_line_breaks(model, make, field) -> None:
    # Given a long text with paragraphs, a Windows line break and a tab
    text = "Premier paragraphe.\nDeuxième ligne.\n\nSecond paragraphe.\r\nFin\tici."

    # When it is validated
    request = model.model_validate(make(**{field: text}))

    # Then it is accepted with its line breaks
    assert getattr(request, field) == text


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        pytest.param("http://example.org/", id="http"),
        pytest.param("ftp://example.org/", id="ftp"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("//example.org/", id="scheme-relative"),
        pytest.param("example.org", id="no scheme"),
        pytest.param("https://user:secret@example.org/", id="user and password"),
        pytest.param("https://user@example.org/", id="user only"),
        pytest.param("https://:secret@example.org/", id="password only"),
        pytest.param("https://", id="no host"),
        pytest.param("", id="empty"),
    ],
)
def test_a_link_that_is_not_a_plain_https_link_is_refused(link: str) -> None:
    # Given an update whose link is not a plain https link
    # When it is validated
    # Then it is refused
    _refused(NewsIn, _update(link=link))


def test_the_decision_makers_facebook_url_must_be_https_too() -> None:
    # Given decision makers with an http and an https Facebook page
    # When they are validated
    accepted = PetitionIn.model_validate(
        _decision_maker(facebook_url="https://facebook.com/mairie")
    )
    _refused(PetitionIn, _decision_maker(facebook_url="http://facebook.com/mairie"))

    # Then only the https one is accepted
    assert accepted.decision_maker.facebook_url is not None
    assert accepted.decision_maker.facebook_url.scheme == "https"


def test_an_https_link_is_accepted() -> None:
    # Given an update with an https link with a path and a query
    # When it is validated
    request = NewsIn.model_validate(_update(link="https://example.org/news?id=1&lang=fr"))

    # Then it keeps the link
    assert str(request.link) == "https://example.org/news?id=1&lang=fr"


def test_an_update_needs_no_link() -> None:
    # Given an update without a link
    # When it is validated
    request = NewsIn.model_validate(_update())

    # Then it has none, and is news
    assert request.link is None
    assert request.type == "news"


def test_an_update_type_other_than_news_is_refused() -> None:
    # Given an update of a type this slice does not know
    # When it is validated
    errors = _refused(NewsIn, _update(type="victory"))

    # Then it is refused
    assert errors == ["literal_error"]


# --- wants_updates: a real JSON boolean --------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_wants_updates_accepts_a_json_boolean(value: bool) -> None:
    # Given a signature as JSON with a boolean wants_updates
    raw = json.dumps(_signature(wants_updates=value))

    # When it is validated
    request = SignatureIn.model_validate_json(raw)

    # Then the choice is kept
    assert request.wants_updates is value


@pytest.mark.parametrize(
    "value",
    ["yes", "true", "false", "on", 1, 0, 1.0, None, [], {}],
    ids=["yes", "'true'", "'false'", "on", "1", "0", "1.0", "null", "list", "object"],
)
def test_wants_updates_refuses_anything_but_a_boolean(value: object) -> None:
    # Given a signature whose wants_updates only looks like a boolean
    body = _signature(wants_updates=value)

    # When it is validated, as JSON and as decoded JSON
    with pytest.raises(ValidationError) as from_json:
        SignatureIn.model_validate_json(json.dumps(body))
    errors = _refused(SignatureIn, body)

    # Then it is refused both ways: consent is never inferred
    assert [error["type"] for error in from_json.value.errors()] == ["bool_type"]
    assert errors == ["bool_type"]


def test_wants_updates_is_required() -> None:
    # Given a signature that does not say whether it wants updates
    body = _signature()
    del body["wants_updates"]

    # When it is validated
    errors = _refused(SignatureIn, body)

    # Then it is refused: consent is never assumed
    assert errors == ["missing"]


# --- languages --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_french_and_english_are_accepted(language: str) -> None:
    # Given a petition and a signature in a known language
    # When they are validated
    petition = PetitionIn.model_validate(_petition(language=language))
    signature = SignatureIn.model_validate(_signature(language=language))

    # Then the language is kept
    assert petition.language == language
    assert signature.language == language


@pytest.mark.parametrize("language", ["de", "FR", "En", "fr-FR", "", " fr", None])
def test_a_petition_in_another_language_is_refused(language: object) -> None:
    # Given a petition in a language that is not fr or en, exactly
    # When it is validated
    # Then it is refused
    _refused(PetitionIn, _petition(language=language))


@pytest.mark.parametrize("language", ["de", "FR", "fr-FR", ""])
def test_a_signature_in_another_language_is_refused(language: str) -> None:
    # Given a signature in a language that is not fr or en
    # When it is validated
    errors = _refused(SignatureIn, _signature(language=language))

    # Then it is refused
    assert errors == ["literal_error"]


def test_a_signature_may_omit_its_language() -> None:
    # Given a signature without a language
    # When it is validated
    request = SignatureIn.model_validate(_signature())

    # Then its language is left to the petition
    assert request.language is None


# --- decision maker: X handle and phone -------------------------------------------------


@pytest.mark.parametrize("handle", ["@mairie_paris", "mairie", "@" + "a" * 15, "a" * 15, "@_1"])
def test_a_well_formed_x_handle_is_accepted(handle: str) -> None:
    # Given a decision maker with a well-formed X handle
    # When it is validated
    request = PetitionIn.model_validate(_decision_maker(x_handle=handle))

    # Then the handle is kept as written
    assert request.decision_maker.x_handle == handle


@pytest.mark.parametrize(
    "handle",
    [
        pytest.param("@" + "a" * 16, id="16 characters"),
        pytest.param("", id="empty"),
        pytest.param("@", id="only the at sign"),
        pytest.param("@@mairie", id="two at signs"),
        pytest.param("@mairie paris", id="space"),
        pytest.param("@mairie-paris", id="hyphen"),
        pytest.param("@mairié", id="accent"),
        pytest.param("@mairie\n", id="trailing newline"),
        pytest.param("https://x.com/mairie", id="a URL"),
    ],
)
def test_a_malformed_x_handle_is_refused(handle: str) -> None:
    # Given a decision maker with a malformed X handle
    # When it is validated
    errors = _refused(PetitionIn, _decision_maker(x_handle=handle))

    # Then it is refused as not matching the pattern
    assert errors == ["string_pattern_mismatch"]


@pytest.mark.parametrize(
    "phone", ["+33 1 42 76 40 40", "(555) 123-4567", "01.42.76.40.40", "123456", "1" * 32]
)
def test_a_well_formed_phone_number_is_accepted(phone: str) -> None:
    # Given a decision maker with a well-formed phone number
    # When it is validated
    request = PetitionIn.model_validate(_decision_maker(phone=phone))

    # Then it is kept as written
    assert request.decision_maker.phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("12345", id="5 characters"),
        pytest.param("1" * 33, id="33 characters"),
        pytest.param("++33142764040", id="two plus signs"),
        pytest.param("33+142764040", id="plus inside"),
        pytest.param("call the mayor", id="words"),
        pytest.param("+33 1 42 76 40 40\n", id="trailing newline"),
        pytest.param("+33 1 42 76 40 40 ext. 3", id="letters"),
    ],
)
def test_a_malformed_phone_number_is_refused(phone: str) -> None:
    # Given a decision maker with a malformed phone number
    # When it is validated
    errors = _refused(PetitionIn, _decision_maker(phone=phone))

    # Then it is refused as not matching the pattern
    assert errors == ["string_pattern_mismatch"]


def test_a_decision_maker_needs_only_a_name() -> None:
    # Given a decision maker with a name only
    # When it is validated
    maker = DecisionMaker.model_validate({"name": "Mairie de Paris"})

    # Then every way to reach them is optional
    assert (maker.email, maker.x_handle, maker.phone, maker.facebook_url) == (None,) * 4


def test_a_decision_makers_email_must_be_an_address() -> None:
    # Given a decision maker with something that is not an email address
    # When it is validated
    errors = _refused(PetitionIn, _decision_maker(email="mairie at paris.fr"))

    # Then it is refused
    assert errors == ["value_error"]


# Which field a 422 names --------------------------------------------------------------------


class _Cat(BaseModel):
    kind: Literal["cat"]


class _Dog(BaseModel):
    kind: Literal["dog"]


class _Pets(BaseModel):
    pets: list[Annotated[_Cat | _Dog, Field(discriminator="kind")]]


def _fields(model: Any, body: object) -> list[str]:
    """The fields the API's 422 names for ``body``, as the resolver hands its errors over."""
    with pytest.raises(ValidationError) as refused:
        model.validate_python(body)
    return [
        field_of({**problem, "loc": ("body", *problem["loc"])})
        for problem in refused.value.errors()
    ]


@pytest.mark.parametrize("kind", ["poem", 5, None])
def test_an_unknown_update_type_names_the_field_type(kind: object) -> None:
    assert _fields(update_in, _update(type=kind)) == ["type"]


@pytest.mark.parametrize(
    ("pets", "field"),
    [([{"kind": "cat"}, {"kind": "fish"}], "pets.1.kind"), ([{}], "pets.0.kind")],
)
def test_any_unknown_or_missing_discriminator_names_its_own_field(
    pets: list[dict[str, str]], field: str
) -> None:
    # Given a union told apart by a field, nested in a list (not the update's)
    # When a member names no known tag, or none / Then the field named is the discriminator's
    assert _fields(TypeAdapter(_Pets), {"pets": pets}) == [field]


def test_any_other_problem_names_its_place() -> None:
    assert _fields(TypeAdapter(_Pets), {"pets": "all of them"}) == ["pets"]
