"""A new petition (``POST /petitions``), read without pydantic when its body is one the request
model would accept and read the same.

pydantic's import and the build of the request models are some 85 ms of the API's first
request with a body (Lambda's Python, the built layer: ``docs/performance.md``), and starting
a petition is the first request of many an environment. :meth:`NewPetition.vouched` reads the
body nearly every client sends, as :mod:`mobilise.core.addresses` reads the plain addresses
most people have: every field a string within its bounds with no white space around it, the
title and the decision-maker's name each one line, a language of ours, the decision-maker's
address a plain one, their X handle and phone as the model's patterns want them, no Facebook
link (its URL is pydantic's to read and write out). It answers None for any other body, valid
or not, which :class:`~mobilise.petitions.schemas.PetitionIn` then reads as before, with
pydantic's errors (:class:`mobilise.api.http.Body`'s ``model``).

``tests/unit/test_plain_petition.py`` checks, on every body hypothesis makes, that what this
vouches for the model accepts and reads the same (:meth:`PetitionIn.plain`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from mobilise.core import addresses
from mobilise.core.text import LONG_TEXT_LENGTH, TITLE_LENGTH, one_line
from mobilise.i18n import Language

#: The model's patterns (:class:`~mobilise.petitions.schemas.DecisionMaker`), whole-string.
X_HANDLE = r"@?[A-Za-z0-9_]{1,15}"
PHONE = r"\+?[0-9 ().-]{6,32}"

_LANGUAGES = frozenset(get_args(Language))
_FIELDS = frozenset({"title", "description", "language", "decision_maker"})
_X_HANDLE = re.compile(X_HANDLE, re.ASCII)
_PHONE = re.compile(PHONE, re.ASCII)
#: Each optional field of the decision-maker: its value as the model reads it, or None.
_OPTIONAL: dict[str, Callable[[str], str | None]] = {
    "email": addresses.plain,  # the model's length too (254)
    "x_handle": lambda value: value if _X_HANDLE.fullmatch(value) else None,
    "phone": lambda value: value if _PHONE.fullmatch(value) else None,
}
_DECISION_MAKER = frozenset({"name", *_OPTIONAL})
#: A UTF-16 surrogate, which JSON's ``\\ud800`` writes and no UTF-8 text holds alone.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class NewPetition:
    """What a new petition's starter sent, read: the decision-maker's fields given, in the
    model's order, as the petition stores them."""

    title: str
    description: str
    language: str
    decision_maker: dict[str, str]

    @classmethod
    def vouched(cls, body: Any) -> NewPetition | None:
        """``body`` (parsed JSON) read, if the model would accept it and read the same."""
        if type(body) is not dict or body.keys() != _FIELDS:
            return None
        title, description = body["title"], body["description"]
        language, maker = body["language"], body["decision_maker"]
        if not (_line(title) and _text(description, LONG_TEXT_LENGTH)):
            return None
        if type(language) is not str or language not in _LANGUAGES:
            return None
        decision_maker = _decision_maker(maker)
        if decision_maker is None:
            return None
        return cls(title, description, language, decision_maker)


def _decision_maker(given: Any) -> dict[str, str] | None:
    if (
        type(given) is not dict
        or not given.keys() <= _DECISION_MAKER
        or not _line(given.get("name"))
    ):
        return None
    read = {"name": given["name"]}
    for name, reader in _OPTIONAL.items():
        value = given.get(name)
        if value is None:
            continue
        written = reader(value) if type(value) is str else None
        if written is None:
            return None
        read[name] = written
    return read


def _text(value: Any, length: int) -> bool:
    """A string of 1 to ``length`` characters, with no white space to strip around it and no
    lone surrogate."""
    return (
        type(value) is str
        and 0 < len(value) <= length
        and not value[0].isspace()
        and not value[-1].isspace()
        and _SURROGATE.search(value) is None
    )


def _line(value: Any) -> bool:
    """A title: :func:`_text` of :data:`~mobilise.core.text.TITLE_LENGTH`, one line."""
    if not _text(value, TITLE_LENGTH):
        return False
    try:
        one_line(value)
    except ValueError:
        return False
    return True
