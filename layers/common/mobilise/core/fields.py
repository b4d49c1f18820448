"""The field types every request shares: bounded text, one-line text, HTTPS URLs,
languages; and the base of every request body (unknown fields refused).
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints


def _https_only(url: HttpUrl) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError("must be an https:// link")
    if url.username or url.password:
        raise ValueError("must not carry a user name or password")
    host = (url.host or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return url
    raise ValueError("must name a host, not an IP address")


HttpsUrl = Annotated[HttpUrl, AfterValidator(_https_only), Field(max_length=2000)]


def bounded(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


#: Bidirectional overrides and isolates can make a title read backwards; the marks
#: (U+200E, U+200F) that right-to-left text needs stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: str) -> str:
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text):
        raise ValueError("must be one line, without control characters")
    if any(char in _BIDI_CONTROLS for char in text):
        raise ValueError("must not contain bidirectional override characters")
    return text


ShortText = Annotated[str, bounded(100), AfterValidator(one_line)]
Title = Annotated[str, bounded(200), AfterValidator(one_line)]


UpdateTitle = Annotated[str, bounded(150), AfterValidator(one_line)]
LongText = Annotated[str, bounded(20_000)]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, so nobody sets what they may not."""

    model_config = ConfigDict(extra="forbid")
