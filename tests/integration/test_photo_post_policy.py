"""What S3 makes of a POST policy: the check the local stack and the tests add to moto
(:func:`mobilise_local.moto_patches.policy_refusal`), called directly. It lives with moto's
patches, so it is tested here rather than in tests/unit, which never imports moto."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mobilise_local.moto_patches import policy_refusal

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


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
