"""A photo from upload to the update's page, over HTTP on the local stack only."""

from __future__ import annotations

import struct
import zlib
from urllib.parse import urlsplit

import requests

from tests.e2e.conftest import Client


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x80\xff"))
        + chunk(b"IEND", b"")
    )


def test_a_photo_is_uploaded_with_the_presigned_post_and_served_once_published(
    stack: Client,
) -> None:
    # Given a petition of Alice's and an upload granted for it
    alice = stack.token("alice")
    petition = {
        "title": "A bench in the square",
        "description": "Somewhere to sit.",
        "language": "en",
        "decision_maker": {"name": "The Mayor"},
    }
    petition_id = stack.create_petition(petition, token=alice)
    granted = stack.call("POST", f"/petitions/{petition_id}/photos", {}, token=alice)
    assert granted.status == 201, granted.body
    grant = granted.json()
    upload_url = urlsplit(grant["upload"]["url"])
    assert upload_url.hostname == "127.0.0.1", upload_url  # moto's server, never AWS

    # When her browser posts a PNG to the upload URL with the fields
    photo = _png()
    sent = requests.post(
        grant["upload"]["url"],
        data={**grant["upload"]["fields"], "Content-Type": "image/png"},
        files={"file": ("bench.png", photo, "image/png")},
        timeout=30,
    )
    assert sent.status_code == 204, sent.text
    # And a file over 5 MB is refused by the upload URL itself
    too_large = requests.post(
        grant["upload"]["url"],
        data={**grant["upload"]["fields"], "Content-Type": "image/png"},
        files={"file": ("big.png", photo + b"\x00" * (5 * 1024 * 1024), "image/png")},
        timeout=30,
    )
    assert too_large.status_code == 400, too_large.text
    # And an upload is not served before an update publishes it
    served_at = f"{stack.base}/_local/photos/{petition_id}/{grant['photo_id']}.png"
    assert stack.call("GET", served_at).status == 404

    # And she publishes an update with the photo
    update = {
        "title": "The bench is coming",
        "body": "The council voted for it.",
        "photo": {"photo_id": grant["photo_id"], "alt": "The square, without a bench"},
    }
    published = stack.call("POST", f"/petitions/{petition_id}/updates", update, token=alice)
    assert published.status == 201, published.body

    # Then the update shows the photo, served by the local stack over its HTTP
    shown = published.json()["photo"]
    assert shown["alt"] == "The square, without a bench"
    assert shown["url"] == served_at
    served = stack.call("GET", shown["url"])
    assert served.status == 200, served.body
    assert served.headers["Content-Type"] == "image/png"
    assert served.body == photo
