"""Days, times and counts written as each language writes them (CLDR's conventions).

The words use few of CLDR's conventions: the names of the months and weekdays, am and pm, and
how a count's digits are grouped. Babel wrote them until issue 14; it was 33 MB of the
layer's 111 on disk and, imported and a locale loaded by the first date or count written,
some 20 ms of a first event (a petition's page, a release's email). They are now
``locales/cldr.json``, which ``infra/cldr_data.py`` asks Babel for (``make catalogs``; a test
checks it is current), and this module reads the patterns the catalogs give (``EEEE d MMMM y``,
``EEEE d'er' MMMM y``, ``h:mm a``, ``H 'h' mm``: LDML's syntax, the fields below). The tests
write every day of twelve years, every minute of a day and counts of every size here and with
Babel, in every language, and compare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

DATA: Final = Path(__file__).resolve().parent / "locales" / "cldr.json"

Field = Callable[[datetime, dict[str, Any]], str]
#: The fields of LDML's date patterns the catalogs may use.
FIELDS: Final[dict[str, Field]] = {
    "EEEE": lambda moment, words: str(words["weekdays"][moment.weekday()]),
    "d": lambda moment, _: str(moment.day),
    "MMMM": lambda moment, words: str(words["months"][moment.month - 1]),
    "y": lambda moment, _: str(moment.year),
    "H": lambda moment, _: str(moment.hour),
    "h": lambda moment, _: str(moment.hour % 12 or 12),
    "mm": lambda moment, _: f"{moment.minute:02d}",
    "a": lambda moment, words: str(words["am"] if moment.hour < 12 else words["pm"]),
}
#: A pattern's parts: a quoted text ('' is a quote, inside quotes or not), a field (a run of
#: one letter), or other text.
_PART = re.compile(r"'((?:[^']|'')*)'|(([A-Za-z])\3*)|([^A-Za-z']+)")


@cache
def _data() -> dict[str, dict[str, Any]]:
    """Each language's conventions."""
    languages: dict[str, dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["languages"]
    return languages


@cache
def _parts(pattern: str) -> tuple[str | Field, ...]:
    """The pattern as texts and fields; ValueError for a field this module does not write."""
    parts: list[str | Field] = []
    position = 0
    while position < len(pattern):
        if pattern.startswith("''", position):
            parts.append("'")
            position += 2
            continue
        found = _PART.match(pattern, position)
        if found is None:
            raise ValueError(f"unclosed quote in the date pattern {pattern!r}")
        quoted, field, _, text = found.groups()
        if field is not None:
            if field not in FIELDS:
                raise ValueError(
                    f"the date pattern {pattern!r} has {field!r}, which is not one "
                    f"of {', '.join(FIELDS)}"
                )
            parts.append(FIELDS[field])
        else:
            parts.append(quoted.replace("''", "'") if quoted is not None else text)
        position = found.end()
    return tuple(parts)


def written(moment: datetime, pattern: str, language: str) -> str:
    """``moment``'s fields (as they are, in its own zone) on ``pattern``, in ``language``."""
    words = _data()[language]
    return "".join(
        part if isinstance(part, str) else part(moment, words) for part in _parts(pattern)
    )


def count(number: int, language: str) -> str:
    """``number``'s digits, grouped by three as ``language`` groups them ("1,000", "1 000")."""
    words = _data()[language]
    digits = str(abs(number))
    if len(digits) >= words["grouped_from_digits"]:
        head = len(digits) % 3 or 3
        groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
        digits = str(words["group"]).join(groups)
    return f"-{digits}" if number < 0 else digits
