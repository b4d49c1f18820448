"""Every text exists in every language, with the same placeholders."""

from __future__ import annotations

import string

from mobilise.i18n import texts


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_french_and_english_have_the_same_texts_with_the_same_placeholders() -> None:
    english, french = texts("en"), texts("fr")

    assert english.keys() == french.keys()
    for key in english:
        assert _placeholders(english[key]) == _placeholders(french[key]), key


def test_a_language_we_do_not_have_reads_english() -> None:
    assert texts("de") == texts("en")
    assert texts(None) == texts("en")
