"""Every text exists in every language, with the same placeholders; a text that holds a count
has a form for every plural category of each language (CLDR's rules, through Babel)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel import Locale

from mobilise.i18n import PLURAL, TEXTS, plural, texts

TEMPLATES = (
    Path(__file__).resolve().parents[2] / "layers" / "common" / "mobilise" / "emails" / "templates"
)
NNBSP = "\u202f"  # French groups digits with a narrow no-break space


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _names(words: dict[str, str]) -> set[str]:
    return {key.split(PLURAL)[0] for key in words}


def _forms(words: dict[str, str], name: str) -> dict[str, str]:
    return {
        key.split(PLURAL)[1]: text for key, text in words.items() if key.startswith(name + PLURAL)
    }


def test_french_and_english_have_the_same_texts_with_the_same_placeholders() -> None:
    english, french = texts("en"), texts("fr")

    assert _names(english) == _names(french)
    for key in english.keys() & french.keys():
        assert _placeholders(english[key]) == _placeholders(french[key]), key


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_every_text_with_a_count_has_each_plural_form_of_the_language(language: str) -> None:
    words = texts(language)
    categories = Locale.parse(language).plural_form.tags | {"other"}
    plurals = {key.split(PLURAL)[0] for key in words if PLURAL in key}

    # Every text that writes a count is a plural text...
    for key, text in words.items():
        if "count" in _placeholders(text):
            assert PLURAL in key, f"{key} writes a count without plural forms"
    # ...with a form for each category of the language, all with the same placeholders
    assert plurals
    for name in plurals:
        forms = _forms(words, name)
        assert set(forms) == categories, name
        assert len({frozenset(_placeholders(text)) for text in forms.values()}) == 1, name


def test_no_template_formats_a_count_itself() -> None:
    for template in TEMPLATES.iterdir():
        found = re.search(r"\.format\([^)]*\b(count|days|limit)=", template.read_text())
        assert found is None, f"{template.name}: {found and found.group()} (use plural)"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 0, "0 days"),
        ("en", 1, "1 day"),
        ("en", 2, "2 days"),
        ("en", 10_000, "10,000 days"),
        ("fr", 0, "0 jour"),
        ("fr", 1, "1 jour"),
        ("fr", 2, "2 jours"),
        ("fr", 10_000, f"10{NNBSP}000 jours"),
        ("fr", 1_000_000, f"1{NNBSP}000{NNBSP}000 de jours"),
    ],
)
def test_a_count_takes_the_plural_form_and_the_digits_of_its_language(
    language: str, count: int, expected: str
) -> None:
    assert plural(language, "days", count) == expected


def test_a_language_we_do_not_have_reads_english() -> None:
    assert texts("de") == texts("en")
    assert texts(None) == texts("en")
    assert plural("de", "days", 1) == "1 day"
