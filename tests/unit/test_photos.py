"""What a photo is taken to be from its first bytes, and what S3 makes of a POST policy."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise.publishing.photos import EXTENSIONS, published_key, sniff
from mobilise_local.moto_patches import policy_refusal

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
        (b"\xff\xd8\xff\xdb\x00\x43\x00\x08\x06\x06", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBP", "image/webp"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00", None),
        (b"RIFF\x24\x00\x00\x00WAVE", None),  # a RIFF that is sound, not WebP
        (b"\x89PNG\r\n\x1a", None),  # cut short
        (b"RIFF\x24\x00\x00\x00WEB", None),
        (b"<svg xmlns='", None),
        (b"%PDF-1.7\n", None),
        (b"", None),
    ],
)
def test_the_first_bytes_say_what_a_file_is(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


def test_each_allowed_type_is_published_with_its_extension() -> None:
    assert {kind: published_key("P", "F", kind) for kind in EXTENSIONS} == {
        "image/jpeg": "photos/P/F.jpg",
        "image/png": "photos/P/F.png",
        "image/webp": "photos/P/F.webp",
    }


def _form(conditions: list[Any], fields: dict[str, str]) -> dict[str, str]:
    """The form of a browser POST: the fields, and a policy that expires in 15 minutes."""
    expires = NOW + timedelta(minutes=15)
    policy = {"expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "conditions": conditions}
    return {"policy": base64.b64encode(json.dumps(policy).encode()).decode(), **fields}


CONDITIONS: list[Any] = [
    ["content-length-range", 1, 5 * 1024 * 1024],
    ["starts-with", "$Content-Type", "image/"],
    {"bucket": "photos"},
    {"key": "uploads/P/F"},
]


def test_a_post_within_its_policy_is_taken() -> None:
    form = _form(CONDITIONS, {"key": "uploads/P/F", "Content-Type": "image/png"})
    assert policy_refusal(form, 100, "photos", NOW) is None


@pytest.mark.parametrize(
    ("size", "fields", "bucket", "now", "refusal"),
    [
        (5 * 1024 * 1024 + 1, {}, "photos", NOW, "EntityTooLarge"),
        (0, {}, "photos", NOW, "EntityTooSmall"),
        (100, {"Content-Type": "text/plain"}, "photos", NOW, "Content-Type"),
        (100, {"key": "photos/P/F.png"}, "photos", NOW, "key"),
        (100, {}, "other", NOW, "bucket"),
        (100, {}, "photos", NOW + timedelta(minutes=16), "expired"),
        (100, {"x-amz-meta-owner": "mallory"}, "photos", NOW, "Extra input fields"),
    ],
    ids=["too large", "empty", "not an image", "other key", "other bucket", "expired", "extra"],
)
def test_a_post_outside_its_policy_is_refused(
    size: int, fields: dict[str, str], bucket: str, now: datetime, refusal: str
) -> None:
    form = _form(CONDITIONS, {"key": "uploads/P/F", "Content-Type": "image/png", **fields})
    found = policy_refusal(form, size, bucket, now)
    assert found is not None
    assert refusal in found
