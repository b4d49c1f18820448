"""The catalogs: every message of the code and templates exists in every language, with the
same placeholders and every plural form; the template, the ``.po`` files and their compiled
``.mo`` are current; the catalogs' plural rules are CLDR's (through Babel) for every count."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from mobilise.emails import rendering
from mobilise.i18n import DOMAIN, LANGUAGES, LOCALES, catalog_path, words

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "layers" / "common" / "mobilise" / "emails" / "templates"
TEMPLATE = LOCALES.parent / f"{DOMAIN}.pot"
EXTRACT = [
    "pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "--add-location=file",
    "--no-wrap", "--project=mobilise", "-o",
]  # fmt: skip
NNBSP = "\u202f"  # French groups digits with a narrow no-break space
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: The CLDR plural categories of each language, in the order of its catalog's forms.
CATEGORIES = {"en": ("one", "other"), "fr": ("one", "many", "other")}
#: Every count the tests and examples write, and the edges of the rules.
COUNTS = sorted(
    {*range(0, 2_100), 10_000, 999_999, 1_000_001, 1_500_000, 10**9 + 1}
    | {k * 1_000_000 for k in range(1, 21)}
    | {10**k for k in range(7, 13)}
)


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def _catalog(language: str) -> Catalog:
    return _read(catalog_path(language, ".po"), language)


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {message.id if isinstance(message.id, str) else message.id[0]: message
            for message in catalog if message.id}  # fmt: skip


def _forms(message: Message) -> tuple[str, ...]:
    string = message.string
    return tuple(string) if isinstance(string, tuple) else (str(string or ""),)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_template_holds_every_message_of_the_code_and_the_templates(tmp_path: Path) -> None:
    extracted = tmp_path / "extracted.pot"
    CommandLineInterface().run([*EXTRACT, str(extracted), str(ROOT)])  # type: ignore[no-untyped-call]

    found, committed = _messages(_read(extracted)), _messages(_read(TEMPLATE))

    assert {key: m.id for key, m in found.items()} == {key: m.id for key, m in committed.items()}, (
        "run: pybabel extract -F babel.cfg --add-location=file --no-wrap --project=mobilise "
        f"-o {TEMPLATE.relative_to(ROOT)} . (then pybabel update, see mobilise/i18n)"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation_with_the_placeholders_and_plural_forms(
    language: str,
) -> None:
    template, catalog = _messages(_read(TEMPLATE)), _catalog(language)
    translated = _messages(catalog)

    assert set(translated) == set(template), "pybabel update, then translate"
    for key, message in translated.items():
        forms = _forms(message)
        assert message.id == template[key].id, key  # singular, or the same plural ids
        assert not message.fuzzy, f"{language}: {key} is fuzzy"
        assert all(forms), f"{language}: {key} is not translated"
        if isinstance(message.id, tuple):
            assert len(forms) == catalog.num_plurals == len(CATEGORIES[language]), key
        # every form has the placeholders the English singular has
        english = _forms(_messages(_catalog("en"))[key])[-1]
        for form in forms:
            assert _placeholders(form) == _placeholders(english), f"{language}: {key}: {form}"
        # a message that writes a count is a plural message, which writes it as numbers go
        if "count" in _placeholders(forms[0]):
            assert isinstance(message.id, tuple), f"{language}: {key} writes a count"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogs_are_current(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))

    assert catalog_path(language).read_bytes() == compiled.getvalue(), (
        f"run: pybabel compile -d {LOCALES.relative_to(ROOT)} -D {DOMAIN}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plural_forms_of_the_catalogs_are_cldr_s_for_every_count(language: str) -> None:
    catalog, rules = words(language).catalog, Locale.parse(language).plural_form

    for count in COUNTS:
        category = rules(count)
        assert catalog.plural(count) == CATEGORIES[language].index(category), count


def test_no_template_formats_a_count_itself() -> None:
    for template in TEMPLATES.iterdir():
        text = template.read_text()
        found = re.search(r"\.format\(|\b_\([^)]*\b(count|days|limit)=", text)
        assert found is None, f"{template.name}: {found and found.group()} (use ngettext)"


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
    assert words(language).ngettext("days", "days", count) == expected


def test_a_language_we_do_not_have_reads_english() -> None:
    assert words("de") is words("en")
    assert words(None) is words("en")
    assert words("de").ngettext("days", "days", 1) == "1 day"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "Merci : votre signature de la pétition « a &lt;b&gt; » est confirmée. "
            f"1{NNBSP}000{NNBSP}000 de jours",
        ),
        (
            "en",
            "Thank you: your signature on the petition “a &lt;b&gt;” is confirmed. 1,000,000 days",
        ),
    ],
)
def test_trans_blocks_in_a_template_read_the_catalog_and_escape_the_values(
    language: str, expected: str
) -> None:
    template = rendering._templates().from_string(
        "{% trans title=title %}confirmed{% endtrans %} "
        "{% trans count=n %}days{% pluralize %}days{% endtrans %}"
    )

    written = template.render(
        title="a <b>", n=1_000_000, **rendering._template_gettext(words(language))
    )

    assert written == expected
