"""The rules of the text a request sends that need no pydantic: what one line of text may hold,
and the length of each kind of field. :mod:`mobilise.core.fields` applies them to the request
models; :mod:`mobilise.petitions.plain` to a new petition's body read without them.
"""

from __future__ import annotations

import unicodedata

#: The longest title (a petition's, a decision-maker's name, a question's), short text (a
#: signer's name, an answer), update title and long text (a petition's description), in
#: characters, once the white space around them is stripped.
TITLE_LENGTH = 200
SHORT_TEXT_LENGTH = 100
UPDATE_TITLE_LENGTH = 150
LONG_TEXT_LENGTH = 20_000

#: Bidirectional overrides and isolates can make a title read backwards; the marks
#: (U+200E, U+200F) that right-to-left text needs stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What one line of text may not hold: controls (Cc), line and paragraph separators.
_NOT_IN_A_LINE = ("Cc", "Zl", "Zp")


def one_line(text: str) -> str:
    """``text``, if it is one line without control or bidirectional override characters."""
    if any(unicodedata.category(char) in _NOT_IN_A_LINE for char in text):
        raise ValueError("must be one line, without control characters")
    if any(char in BIDI_CONTROLS for char in text):
        raise ValueError("must not contain bidirectional override characters")
    return text
