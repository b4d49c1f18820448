"""What a photo is taken to be from its first bytes (what S3 makes of a POST policy is in
``tests/integration/test_photo_post_policy.py``: the check is moto's)."""

from __future__ import annotations

import pytest

from mobilise.publishing.photos import EXTENSIONS, published_key, sniff


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
