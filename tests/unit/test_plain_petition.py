"""A new petition's body read without pydantic (mobilise.petitions.plain): what it vouches for,
the request model accepts and reads the same; the body clients send, it vouches for; and the
JSON it reads without pydantic-core is the JSON pydantic-core reads."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mobilise.api.wire import UNREAD, plain_json
from mobilise.core.text import BIDI_CONTROLS
from mobilise.petitions.plain import NewPetition
from mobilise.petitions.schemas import PetitionIn

EXAMPLE = {
    "title": "Save the Rue Voltaire library",
    "description": "The council plans to close our library in June. Keep it open.",
    "language": "en",
    "decision_maker": {"name": "Mayor of Lyon", "email": "mayor@example.org"},
}

#: Characters where the rules are: white space of every kind, controls, separators, bidi
#: overrides and marks, surrogates, accents, and the rest of Unicode.
EDGES = st.sampled_from(
    [
        *(" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680"),
        *("\u2000", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u180e"),
        *("\ufeff", "\u200e", "\u200f", *sorted(BIDI_CONTROLS), "\ud800", "\udfff", "\x7f"),
        *("\u00e9", "\u0301"),
    ]
)
CHARACTERS = st.one_of(st.characters(), EDGES, st.sampled_from("aZ 09.@+-_()"))
TEXT = st.text(CHARACTERS, max_size=12)
LONG = st.builds(
    lambda head, size, tail: head + "a" * size + tail,
    TEXT,
    st.sampled_from([0, 1, 150, 185, 190, 195, 199, 200, 201, 19_990, 19_999, 20_000, 20_001]),
    TEXT,
)
EMAILS = st.one_of(
    st.emails(),
    st.from_regex(r"[A-Za-z0-9_+.-]{1,12}@[A-Za-z0-9.-]{1,12}\.[A-Za-z]{2,4}", fullmatch=True),
    st.sampled_from(["Postmaster@example.org", "a@b.test", "a..b@example.org", "a@EXAMPLE.ORG"]),
    st.builds(lambda local: local + "@example.org", st.sampled_from(["a" * 64, "a" * 65])),
    st.builds(lambda n: "a@" + "b" * n + ".org", st.sampled_from([63, 64, 245, 246, 250])),
    TEXT,
)
HANDLES = st.one_of(st.from_regex(r"@?[A-Za-z0-9_]{0,17}", fullmatch=True), TEXT)
PHONES = st.one_of(st.from_regex(r"\+?[0-9 ().-]{4,34}", fullmatch=True), TEXT)
OTHERS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.lists(st.none()))
KEYS = st.sampled_from(["x", "status", "owner_id", "Title", "name"])


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, OTHERS)


def _body(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Dicts of ``required`` (each sometimes left out) and ``optional`` fields, sometimes with
    a field the model does not know."""
    given = st.fixed_dictionaries(
        {},
        optional={**required, **optional},
    ) | st.fixed_dictionaries(required, optional=optional)
    return st.one_of(
        given,
        st.builds(lambda body, extra: {**body, **extra}, given, st.dictionaries(KEYS, OTHERS)),
        OTHERS,
    )


DECISION_MAKERS = _body(
    {"name": _maybe(st.one_of(TEXT, LONG))},
    {
        "email": _maybe(EMAILS),
        "x_handle": _maybe(HANDLES),
        "phone": _maybe(PHONES),
        "facebook_url": _maybe(st.just("https://www.facebook.com/mayor")),
    },
)
BODIES = _body(
    {
        "title": _maybe(st.one_of(TEXT, LONG)),
        "description": _maybe(st.one_of(TEXT, LONG)),
        "language": _maybe(st.sampled_from(["en", "fr", "EN", "de", "fr "])),
        "decision_maker": DECISION_MAKERS,
    },
    {},
)


def _read(body: Any) -> NewPetition | None:
    """What the model reads of ``body``, or None if it refuses it."""
    try:
        return PetitionIn.model_validate(body).plain()
    except pydantic_core.ValidationError:
        return None


@settings(max_examples=1500, deadline=None)
@given(body=BODIES)
@example(body=EXAMPLE)
@example(body={**EXAMPLE, "title": " Padded"})
@example(body={**EXAMPLE, "title": "Unit\x1fseparator"})
@example(body={**EXAMPLE, "title": "Lone \ud800"})
@example(body={**EXAMPLE, "decision_maker": {"name": "M", "email": "Mayor@Example.ORG"}})
@example(body={**EXAMPLE, "decision_maker": {"name": "M", "x_handle": "@mayor\n"}})
def test_what_it_vouches_for_the_model_accepts_and_reads_the_same(body: Any) -> None:
    vouched = NewPetition.vouched(body)

    if vouched is not None:
        assert _read(body) == vouched


#: Each field of a body, and what may be sent in it.
FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("title",): _maybe(st.one_of(TEXT, LONG)),
    ("description",): _maybe(st.one_of(TEXT, LONG)),
    ("language",): _maybe(st.sampled_from(["en", "fr", "EN", "de", "fr "])),
    ("decision_maker", "name"): _maybe(st.one_of(TEXT, LONG)),
    ("decision_maker", "email"): _maybe(EMAILS),
    ("decision_maker", "x_handle"): _maybe(HANDLES),
    ("decision_maker", "phone"): _maybe(PHONES),
}
CHANGES = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda path: st.tuples(st.just(path), FIELDS[path])
)
COMMON_TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S"]), min_size=1, max_size=200
)
COMMON = st.fixed_dictionaries(
    {
        "title": COMMON_TEXT,
        "description": st.text(
            st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]) | st.just("\n"),
            min_size=1,
            max_size=2000,
        )
        .map(str.strip)
        .filter(bool),
        "language": st.sampled_from(["en", "fr"]),
        "decision_maker": st.fixed_dictionaries(
            {"name": COMMON_TEXT},
            optional={
                "email": st.from_regex(
                    r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10})?@[a-z0-9]{1,10}\.(org|fr|com)",
                    fullmatch=True,
                ),
                "x_handle": st.from_regex(r"@?[A-Za-z0-9_]{1,15}", fullmatch=True),
                "phone": st.from_regex(r"\+?[0-9 ]{6,20}", fullmatch=True),
            },
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(body=COMMON)
@example(body=EXAMPLE)
def test_the_body_clients_send_is_read_without_pydantic(body: dict[str, Any]) -> None:
    """Titles and names in any script, with punctuation and symbols; a description of many
    lines; plain addresses, handles and numbers: vouched for, as the model reads them."""
    vouched = NewPetition.vouched(body)

    assert vouched is not None
    assert vouched == _read(body)


def _changed(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    if len(path) == 1:
        return {**body, path[0]: value}
    return {**body, path[0]: {**body[path[0]], path[1]: value}}


@settings(max_examples=1500, deadline=None)
@given(body=COMMON, change=CHANGES)
@example(body=EXAMPLE, change=(("title",), "a" * 200))
@example(body=EXAMPLE, change=(("title",), "a" * 201))
@example(body=EXAMPLE, change=(("description",), "a" * 20_001))
@example(body=EXAMPLE, change=(("decision_maker", "name"), "a" * 201))
@example(body=EXAMPLE, change=(("decision_maker", "x_handle"), "@" + "a" * 16))
@example(body=EXAMPLE, change=(("decision_maker", "phone"), "1" * 33))
@example(body=EXAMPLE, change=(("decision_maker", "email"), "a@" + "b" * 248 + ".org"))
def test_one_field_of_a_common_body_changed_is_read_as_the_model_reads_it(
    body: dict[str, Any], change: tuple[tuple[str, ...], Any]
) -> None:
    """The body clients send with one field sent otherwise, near the rules' edges: what it
    vouches for, the model reads the same."""
    changed = _changed(body, *change)
    vouched = NewPetition.vouched(changed)

    if vouched is not None:
        assert _read(changed) == vouched


@pytest.mark.parametrize(
    "body",
    [
        {**EXAMPLE, "decision_maker": {"name": "M", "facebook_url": "https://facebook.com/m"}},
        {**EXAMPLE, "decision_maker": {"name": "M", "email": "marie@exämple.fr"}},
        {**EXAMPLE, "decision_maker": {"name": "M", "email": None, "facebook_url": None}},
        {**EXAMPLE, "title": "Save the library "},
    ],
)
def test_a_body_it_leaves_to_the_model_is_one_the_model_reads(body: dict[str, Any]) -> None:
    """What pydantic alone reads (a URL to write out, an international address, white space to
    strip) is not vouched for: the model reads it, as it did every body before."""
    assert NewPetition.vouched(body) is None
    assert _read(body) is not None


def _texts(body: dict[str, Any]) -> st.SearchStrategy[str]:
    """JSON texts of ``body`` as clients write them: ASCII or not, spaced, escaped."""
    dumped = st.builds(
        lambda ascii_only, indent: json.dumps(body, ensure_ascii=ascii_only, indent=indent),
        st.booleans(),
        st.sampled_from([None, 0, 2, "\t"]),
    )
    return dumped.flatmap(
        lambda text: st.sampled_from(
            [
                text,
                text.replace("/", "\\/"),
                " \r\n" + text + "\n",
                text.replace('"title"', '"\\u0074itle"'),
                text.replace("{", '{"title": "first", ', 1),  # a name twice
                text.replace('"en"', "NaN").replace('"fr"', "Infinity"),
                text + "x",
                "\ufeff" + text,
                "[" * 3000 + "]" * 3000,
                '{"title": ' + "9" * 5000 + "}",
            ]
        )
    )


@settings(max_examples=400, deadline=None)
@given(text=COMMON.flatmap(_texts) | st.text(max_size=40))
@example(text=json.dumps({**EXAMPLE, "title": "\\ud800"}).replace("\\\\", "\\"))
@example(text=json.dumps(EXAMPLE).replace('"Mayor', '"\\ud83d\\ude00 Mayor'))
def test_the_json_it_reads_is_the_json_pydantic_core_reads(text: str) -> None:
    body = plain_json(text)

    if body is not UNREAD and NewPetition.vouched(body) is not None:
        assert pydantic_core.from_json(text, allow_inf_nan=False) == body
        assert _read(body) == NewPetition.vouched(body)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1, "a": 2}',
        "[" * 3000 + "]" * 3000,
        "9" * 5000,
        "\ufeff{}",
        "{} x",
    ],
)
def test_what_json_loads_reads_otherwise_is_left_to_pydantic_core(text: str) -> None:
    assert plain_json(text) is UNREAD
