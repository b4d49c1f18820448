"""An email as a mailbox receives it from Amazon SES: the headers SES and the receiving server
add, written as they appear on mail SES delivers, so that a spam filter judges what a real
recipient's filter judges (and not, say, a message without Date or Message-ID, which SES
never delivers).

What is added, top to bottom (the receiving server prepends its headers):

- ``Return-Path``: the envelope sender, SES's bounce address ``<{message id}@{region}
  .amazonses.com>``, written by the receiving server on delivery;
- ``Received``: the receiving server's trace, from an SES outbound host whose reverse DNS
  names it (``a{n}-{m}.smtp-out.{region}.amazonses.com``), over TLS;
- two ``DKIM-Signature``: the sender domain's Easy DKIM signature and SES's own
  (``d=amazonses.com``), over the headers SES signs. Their values have the form of real
  ones; they cannot verify here (local rules only: no DNS), which SpamAssassin scores as
  signed but unverified, as a filter without network would;
- ``Message-ID`` (``<{message id}@{region}.amazonses.com>``), ``Date``, ``Feedback-ID`` and
  ``X-SES-Outgoing``, which SES adds to every message it sends.
"""

from __future__ import annotations

import base64
import hashlib
from email.utils import format_datetime

from mobilise.core import clock

REGION = "eu-west-1"
SES_HOST = f"a7-28.smtp-out.{REGION}.amazonses.com"
SES_ADDRESS = "54.240.7.28"
MESSAGE_ID = "0102019390f1a2b3-6c1d9e2f-4a5b-4c6d-8e7f-0a1b2c3d4e5f-000000"
FEEDBACK = "R2n0p3k5VWlXm3b8s9Tq4uVwXyZaBcDeFgHiJkLmNoP="
SIGNED = "From:To:Subject:List-Unsubscribe:List-Unsubscribe-Post:MIME-Version:Content-Type"


def _dkim(domain: str, selector: str, body: bytes, when: int) -> str:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    signature = base64.b64encode(hashlib.sha512(domain.encode() + body).digest() * 4).decode()
    folded = "\r\n\t".join(signature[i : i + 72] for i in range(0, len(signature), 72))
    return (
        f"DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/simple;\r\n"
        f"\ts={selector}; d={domain}; t={when};\r\n"
        f"\th={SIGNED}:Message-ID:Date:Feedback-ID;\r\n"
        f"\tbh={digest};\r\n"
        f"\tb={folded}\r\n"
    )


def from_ses(raw: bytes, *, to: str) -> bytes:
    """``raw`` (what Mobilise gives SES, or what SES writes from an update's template: it has
    its Message-ID and Date already) as the mailbox of ``to`` receives it."""
    now = clock.now()
    date = format_datetime(now)
    when = int(now.timestamp())
    _, _, body = raw.partition(b"\r\n\r\n")
    trace = (
        f"Return-Path: <{MESSAGE_ID}@{REGION}.amazonses.com>\r\n"
        f"Received: from {SES_HOST} ({SES_HOST} [{SES_ADDRESS}])\r\n"
        f"\tby mx.example.org (Postfix) with ESMTPS id 4RkT2Z0Xq1z9sWn\r\n"
        f"\tfor <{to}>; {date}\r\n"
        + _dkim("mobilise.example", "x3vq2l7n5dgw6kz4bbtm3ow7r2ksrfxq", body, when)
        + _dkim("amazonses.com", "uku4taia5b5tsbglxyj6zym32efj7xqv", body, when)
    )
    head, _, rest = raw.partition(b"\r\n\r\n")
    written = {line.split(b":", 1)[0].lower() for line in head.split(b"\r\n")}
    ses = "".join(
        line
        for name, line in (
            (b"message-id", f"Message-ID: <{MESSAGE_ID}@{REGION}.amazonses.com>\r\n"),
            (b"date", f"Date: {date}\r\n"),
            (b"", f"Feedback-ID: ::1.{REGION}.{FEEDBACK}:AmazonSES\r\n"),
            (b"", f"X-SES-Outgoing: {now:%Y.%m.%d}-{SES_ADDRESS}\r\n"),
        )
        if name not in written  # a templated email's, SES wrote already (SendBulkEmail)
    )
    return trace.encode() + head + b"\r\n" + ses.encode() + b"\r\n" + rest
