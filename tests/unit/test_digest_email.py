"""A digest as it leaves: its one-click link names every section's petition and update, on one
header line, even with the most sections a digest holds (mobilise.digests)."""

from __future__ import annotations

import re

import pytest

from mobilise.core import crypto
from mobilise.digests import compose, sending, unsubscribing
from tests import email_examples

pytestmark = pytest.mark.usefixtures("offline")


def _sections(count: int) -> list[compose.Section]:
    found = []
    for index in range(count):
        petition = email_examples.petition(title=f"Pétition {index}")
        petition.petition_id = f"01HZZZZZZZZZZZZZZZZZZZZZ{index:02d}"
        update = email_examples.update(email_examples.EXAMPLES["event"])
        update.petition_id, update.update_id = (
            petition.petition_id,
            f"01J00000000000000000000{index:03d}",
        )
        signature = email_examples.signature(petition.petition_id, "fr")
        found.append(compose.Section(petition, update, signature))
    return found


def test_the_largest_digest_keeps_its_one_click_link_whole_on_one_line() -> None:
    # Given a digest of as many sections as one holds
    sections = _sections(sending.MAX_SECTIONS)

    # When it is built
    raw = compose.digest(email_examples.SIGNER.email_hash, sections).raw

    # Then List-Unsubscribe is one URI on one line of at most 998 octets (RFC 5322, 2369)
    (line,) = re.findall(rb"^List-Unsubscribe: .*$", raw, re.M)
    assert len(line.rstrip(b"\r")) <= 998
    assert b"=?" not in line
    # And its token, signed, names the person and every section's petition and update
    url = line.decode().removeprefix("List-Unsubscribe: <").rstrip("\r").removesuffix(">")
    claims = crypto.verify(unsubscribing.PURPOSE, url.rsplit("/", 1)[1])
    assert claims == {
        "h": email_examples.SIGNER.email_hash,
        "s": [[s.petition.petition_id, s.update.update_id] for s in sections],
    }
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw


def test_a_digest_is_in_the_language_of_the_persons_latest_signature() -> None:
    # Given two sections, the latest signature in English, the earlier in French
    first, second = _sections(2)
    second.signature.language = "en"
    second.signature.created_at = first.signature.created_at.replace(year=2027)

    # Then the digest is in English, and with the order reversed in French
    assert compose.language([first, second]) == "en"
    second.signature.created_at = first.signature.created_at.replace(year=2025)
    assert compose.language([first, second]) == "fr"
