"""CLDR's conventions without Babel (mobilise.i18n.cldr): every day of twelve years, every
minute of a day in three zones and counts of every size, in every language and on every pattern
the catalogs give, are written as Babel writes them; the file of conventions is the one Babel
makes today; a pattern with a field the module does not write is refused, not guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from mobilise.i18n import LANGUAGES, cldr, words
from tests import infra_scripts

ZONES = (UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"))
#: LDML patterns beyond the catalogs' (Babel's format_datetime writes them): quotes inside and
#: around text, every field the module writes.
MORE_PATTERNS = ("d'er' MMMM", "'It''s' h:mm a", "''H''", "EEEE, d MMMM y 'à' H 'h' mm", "y-d")


GENERATOR = infra_scripts.load("cldr_data")


def _patterns(language: str, *keys: str) -> list[str]:
    return [words(language).gettext(key) for key in keys]


def test_the_conventions_are_the_ones_babel_gives_today() -> None:
    assert cldr.DATA.read_text(encoding="utf-8") == GENERATOR.generated(), (
        "run: make catalogs (or .venv/bin/python infra/cldr_data.py)"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_day_of_twelve_years_is_written_as_babel_writes_it(language: str) -> None:
    locale = GENERATOR.DATE_LOCALES[language]
    patterns = _patterns(language, "date", "date_first_of_month")
    first, zone = date(2020, 1, 1), ZONES[1]
    for offset in range((date(2032, 1, 1) - first).days):
        day = datetime.combine(first + timedelta(days=offset), time(23, 30), tzinfo=zone)
        for pattern in patterns:
            assert cldr.written(day, pattern, language) == format_date(day, pattern, locale=locale)
        for pattern in MORE_PATTERNS:
            expected = format_datetime(day, pattern, tzinfo=zone, locale=locale)
            assert cldr.written(day, pattern, language) == expected
        chosen = "date_first_of_month" if day.day == 1 else "date"
        assert words(language).date(day) == format_date(
            day, words(language).gettext(chosen), locale=locale
        )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_every_minute_of_a_day_is_written_as_babel_writes_it(language: str, zone: object) -> None:
    locale = GENERATOR.DATE_LOCALES[language]
    patterns = _patterns(language, "time", "time_on_the_hour")
    midnight = datetime(2026, 3, 29, tzinfo=zone)  # type: ignore[arg-type]  # Europe's clocks change
    for minute in range(24 * 60):
        moment = (midnight + timedelta(minutes=minute)).astimezone(zone)  # type: ignore[arg-type]
        for pattern in patterns:
            expected = format_time(moment, pattern, tzinfo=moment.tzinfo, locale=locale)
            assert cldr.written(moment, pattern, language) == expected, (pattern, moment)
        for pattern in MORE_PATTERNS:
            expected = format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=locale)
            assert cldr.written(moment, pattern, language) == expected, (pattern, moment)
        chosen = "time_on_the_hour" if moment.minute == 0 else "time"
        assert words(language).time(moment) == format_time(
            moment, words(language).gettext(chosen), tzinfo=moment.tzinfo, locale=locale
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts_of_every_length_are_grouped_as_babel_groups_them(language: str) -> None:
    for length in range(1, 19):
        for number in (10 ** (length - 1), 10**length - 1, int("1234567890123456789"[:length])):
            for signed in (number, -number):
                assert cldr.count(signed, language) == format_decimal(signed, locale=language)
    assert cldr.count(0, language) == format_decimal(0, locale=language)


@given(
    number=st.integers(min_value=-(10**20), max_value=10**20), language=st.sampled_from(LANGUAGES)
)
def test_any_count_is_grouped_as_babel_groups_it(number: int, language: str) -> None:
    assert cldr.count(number, language) == format_decimal(number, locale=language)


@pytest.mark.parametrize("pattern", ["EEE d MMM", "yy", "hh:mm", "d 'unclosed", "z"])
def test_a_pattern_with_a_field_it_does_not_write_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="date pattern"):
        cldr.written(datetime(2026, 12, 6, tzinfo=UTC), pattern, "en")
