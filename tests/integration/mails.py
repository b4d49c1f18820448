"""Reading the emails SES accepted, from their raw MIME as it was sent."""

from __future__ import annotations

import email
import email.policy
import re


def sections_of(raw: bytes) -> list[str]:
    """The petitions a digest's sections name, in order (its text part)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    text = str(plain.get_content()).replace("\r\n", "\n")
    return re.findall(r"^News from the petition: (.+)$", text, re.M)
