"""The field types every request shares: bounded text, one-line text, HTTPS URLs,
languages; and the base of every request body (unknown fields refused).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from mobilise.core.text import (
    LONG_TEXT_LENGTH,
    SHORT_TEXT_LENGTH,
    TITLE_LENGTH,
    UPDATE_TITLE_LENGTH,
)
from mobilise.core.text import one_line as one_line  # the rule the models' lines follow


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


ShortText = Annotated[str, bounded(SHORT_TEXT_LENGTH), AfterValidator(one_line)]
Title = Annotated[str, bounded(TITLE_LENGTH), AfterValidator(one_line)]


UpdateTitle = Annotated[str, bounded(UPDATE_TITLE_LENGTH), AfterValidator(one_line)]
LongText = Annotated[str, bounded(LONG_TEXT_LENGTH)]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, so nobody sets what they may not."""

    model_config = ConfigDict(extra="forbid")
