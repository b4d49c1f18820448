"""The share links of every kind of email, as it leaves in the message: the emails that share
(press, victory) have one counted ``/r/`` link per network and the address to copy written out,
naming nobody; no email of any kind carries a script or an image of another host.
(tests/integration/test_share.py follows each link to its network, over HTTP.)"""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from tests.email_examples import PHOTOS_URL, PUBLIC_URL, SHARE_LINKS, Sent
from tests.emails.conftest import html_part
from tests.emails.test_wire import KINDS
from tests.integration.test_share import _Html, third_party

#: The update types whose email shares: a press update its article, a victory the petition.
SHARING = ("update-press-", "update-victory-")
COUNTED = re.compile(rf"^{re.escape(PUBLIC_URL)}/r/[\w-]+\.[\w-]+$")


def _text_part(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.parametrize("name", KINDS)
def test_an_email_that_shares_has_a_counted_link_per_network_and_one_to_copy(
    name: str, every_email: dict[str, Sent]
) -> None:
    # Given an email of this kind as SES receives it
    raw = every_email[name].raw
    html, text = html_part(raw), _text_part(raw)

    # When its share links are read
    shares = [
        attrs["href"]
        for tag, attrs in _Html(html, {}).elements
        if tag == "a" and "share-link" in attrs.get("class", "").split()
    ]
    copied = re.findall(rf"<br>\s*({re.escape(PUBLIC_URL)}/r/\S+?)</p>", html)

    # Then an email that shares has one counted /r/ link per network, in both parts, and the
    # address to copy as text (no ?s=: whoever it is passed on to is not the recipient)
    if name.startswith(SHARING):
        assert len(shares) == len(SHARE_LINKS) == len(set(shares))
        assert all(COUNTED.match(href) for href in shares), shares
        assert len(copied) == 1
        assert COUNTED.match(copied[0]), copied
        for href in [*shares, *copied]:
            assert href in text
    # and any other kind has none
    else:
        assert shares == []
        assert copied == []


@pytest.mark.parametrize("name", KINDS)
def test_no_email_carries_a_script_or_pixel_of_another_host(
    name: str, every_email: dict[str, Sent]
) -> None:
    html = html_part(every_email[name].raw)
    assert third_party(html, name, f"{PHOTOS_URL}/") == []
