"""Write ``mobilise/i18n/locales/cldr.json``: the few CLDR conventions the words use, taken from
Babel's CLDR data (``make catalogs`` runs it; a test checks the file is current).

    .venv/bin/python infra/cldr_data.py

For each language of the catalogs: the names of the months and of the weekdays, am and pm, and
how a count's digits are grouped, each asked of Babel's own formatting functions (not of its
data's internals), so that :mod:`mobilise.i18n.cldr` writes what Babel would. Dates are written
in the locale of :data:`DATE_LOCALES`, counts in the language's own.
"""

from __future__ import annotations

import json
import sys
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "layers" / "common" / "mobilise" / "i18n" / "locales" / "cldr.json"
#: The locale whose conventions write dates: the English of the emails is British
#: ("Saturday 12 December 2026, 2:30 pm").
DATE_LOCALES = {"en": "en_GB", "fr": "fr"}
#: Counts of four and five digits: CLDR groups the digits of a count from four digits on
#: (minimumGroupingDigits 1, English, French) or from five (2: Spanish, Polish).
_PROBES = (9_999, 99_999)


def conventions(language: str) -> dict[str, Any]:
    """What :mod:`mobilise.i18n.cldr` needs of ``language``, written by Babel."""
    from babel.dates import format_date, format_time
    from babel.numbers import format_decimal

    dates = DATE_LOCALES[language]
    monday = date(2026, 11, 30)
    million = format_decimal(1_000_000, locale=language)
    group = million.removeprefix("1").split("000")[0]  # "1,000,000" -> ","
    if million != f"1{group}000{group}000":
        raise ValueError(f"{language} does not group a count's digits by three: {million!r}")
    grouped_from = next(
        (len(str(n)) for n in _PROBES if group in format_decimal(n, locale=language)), None
    )
    if grouped_from is None:
        raise ValueError(f"{language} does not group the digits of {_PROBES[-1]}")
    return {
        "dates_locale": dates,
        "months": [
            format_date(date(2026, month, 1), "MMMM", locale=dates) for month in range(1, 13)
        ],
        "weekdays": [  # Monday first, as datetime.weekday() counts
            format_date(monday + timedelta(days=day), "EEEE", locale=dates) for day in range(7)
        ],
        "am": format_time(time(1), "a", locale=dates),
        "pm": format_time(time(13), "a", locale=dates),
        "group": group,
        "grouped_from_digits": grouped_from,
    }


def generated() -> str:
    """The file's text, for every language of the catalogs."""
    import babel

    from mobilise.i18n import LANGUAGES

    document = {
        "source": f"Babel {babel.__version__}: infra/cldr_data.py (do not edit by hand)",
        "languages": {language: conventions(language) for language in LANGUAGES},
    }
    # ASCII, so that the French group separator (U+202F, a narrow no-break space) shows.
    return json.dumps(document, ensure_ascii=True, indent=2, sort_keys=True) + "\n"


def main() -> int:
    OUT.write_text(generated(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUT.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
