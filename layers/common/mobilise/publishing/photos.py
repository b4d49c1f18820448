"""Photos of updates: an upload granted to the starter, checked when the update is published.

The starter's browser sends the file straight to S3 with a presigned POST: the
policy S3 enforces limits the key, the size (1 byte to 5 MB) and the declared
type (``image/...``). Nothing the browser says is trusted: when an update that
names the photo is published, :func:`verify` reads the object's size and first
bytes, and only a real JPEG, PNG or WebP of the declared type is copied to
``photos/``, the one prefix the photo distribution can read. An upload that is
never used expires with the bucket's lifecycle rule on ``uploads/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from mobilise.core import aws, clock, ids
from mobilise.core.config import get_settings
from mobilise.core.errors import InvalidPhoto, NotOwner, RateLimited, TooManyUploads
from mobilise.core.observability import logger
from mobilise.publishing import store
from mobilise.publishing.schemas import (
    PhotoIn,
    PhotoOut,
    PhotoUpload,
    PhotoUploadIn,
    PhotoUploadOut,
)
from mobilise.table import items, rates
from mobilise.table.models import Photo

MAX_BYTES = 5 * 1024 * 1024
UPLOAD_SECONDS = 15 * 60
#: The allowed types, and the extension of their published copy.
EXTENSIONS: dict[str, str] = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
#: Upload grants a starter may take: (seconds, count) windows, whatever the petition.
GRANT_LIMITS: list[tuple[int, int]] = [(60, 10), (3600, 50)]
_SNIFF_BYTES = 12


def sniff(head: bytes) -> str | None:
    """The type the first bytes of a file prove it to be (JPEG, PNG or WebP), if any."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= _SNIFF_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def upload_key(petition_id: str, photo_id: str) -> str:
    return f"uploads/{petition_id}/{photo_id}"


def published_key(petition_id: str, photo_id: str, content_type: str) -> str:
    return f"photos/{petition_id}/{photo_id}.{EXTENSIONS[content_type]}"


def grant(caller: str, petition_id: str, request: PhotoUploadIn) -> PhotoUploadOut:
    """Record a photo for the petition and presign the POST that uploads it (owner only)."""
    petition = items.get_petition(petition_id)
    if petition.owner_id != caller:
        raise NotOwner()
    try:
        rates.take_rate(f"PHOTO#{caller}", GRANT_LIMITS)
    except RateLimited as limited:
        raise TooManyUploads(limited.retry_after_seconds) from None
    now = clock.now()
    photo_id = ids.new_id()
    key = upload_key(petition_id, photo_id)
    store.add_photo(
        Photo(
            *Photo.key(petition_id, photo_id),
            petition_id=petition_id,
            photo_id=photo_id,
            object_key=key,
            created_at=now,
        )
    )
    fields: dict[str, Any] = {}
    conditions: list[Any] = [["content-length-range", 1, MAX_BYTES]]
    if request.content_type is None:
        conditions.append(["starts-with", "$Content-Type", "image/"])
    else:
        fields["Content-Type"] = request.content_type
        conditions.append({"Content-Type": request.content_type})
    post = aws.s3().generate_presigned_post(
        Bucket=get_settings().photos_bucket,
        Key=key,
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=UPLOAD_SECONDS,
    )
    logger.info("photo upload granted", petition_id=petition_id, photo_id=photo_id)
    return PhotoUploadOut(
        photo_id=photo_id,
        upload=PhotoUpload(url=post["url"], fields=post["fields"]),
        max_bytes=MAX_BYTES,
        content_types=list(EXTENSIONS),
        expires_at=clock.isoformat(now + timedelta(seconds=UPLOAD_SECONDS)),
    )


def verify(petition_id: str, photo: PhotoIn) -> dict[str, str]:
    """Check the uploaded object of ``photo`` and publish a copy of it; :class:`InvalidPhoto`
    (nothing copied, nothing stored) when it is missing, too large or not a real image of
    an allowed type that matches what it was uploaded as.

    The object is read and copied at one version (its ETag), so a second upload with the
    same grant between the check and the copy cannot slip an unchecked file through.
    """
    granted = store.find_photo(petition_id, photo.photo_id)
    if granted is None:
        raise InvalidPhoto("there is no photo with this id on this petition")
    checked: str | None = granted.content_type  # set once an update published it
    if checked is not None:
        # Checked and copied by an earlier update: the copy never changes (only this
        # function writes photos/), and the upload may have expired since.
        return _published(petition_id, photo, checked)
    s3 = aws.s3()
    bucket = get_settings().photos_bucket
    source = upload_key(petition_id, photo.photo_id)
    try:
        head = s3.head_object(Bucket=bucket, Key=source)
    except ClientError as error:
        if _status(error) in _MISSING:
            raise InvalidPhoto("the photo was never uploaded, or its upload expired") from None
        raise
    if head["ContentLength"] > MAX_BYTES:
        raise InvalidPhoto(f"the photo is larger than {MAX_BYTES // (1024 * 1024)} MB")
    etag = head["ETag"]
    declared = head.get("ContentType", "").split(";")[0].strip().lower()
    try:
        first = s3.get_object(
            Bucket=bucket, Key=source, Range=f"bytes=0-{_SNIFF_BYTES - 1}", IfMatch=etag
        )["Body"].read()
    except ClientError as error:
        if _status(error) in (*_MISSING, 412):
            raise InvalidPhoto("the photo changed while it was checked; publish again") from None
        raise
    found = sniff(first)
    if found is None:
        raise InvalidPhoto("the file is not a JPEG, PNG or WebP image")
    if found != declared:
        raise InvalidPhoto(f"the file is {found} but was uploaded as {declared or 'no type'}")
    target = published_key(petition_id, photo.photo_id, found)
    try:
        s3.copy_object(
            Bucket=bucket,
            Key=target,
            CopySource={"Bucket": bucket, "Key": source},
            CopySourceIfMatch=etag,
            ContentType=found,
            CacheControl="public, max-age=31536000, immutable",
            MetadataDirective="REPLACE",
        )
    except ClientError as error:
        if _status(error) in (*_MISSING, 412):
            raise InvalidPhoto("the photo changed while it was checked; publish again") from None
        raise
    store.set_photo_type(petition_id, photo.photo_id, found)
    logger.info("photo published", petition_id=petition_id, photo_id=photo.photo_id)
    return _published(petition_id, photo, found)


def _published(petition_id: str, photo: PhotoIn, content_type: str) -> dict[str, str]:
    """What an update stores of its photo (the email shows ``url`` and ``alt``)."""
    key = published_key(petition_id, photo.photo_id, content_type)
    return {
        "photo_id": photo.photo_id,
        "alt": photo.alt,
        "content_type": content_type,
        "url": get_settings().photos_base_url.rstrip("/") + "/" + key,
    }


def view(stored: dict[str, Any] | None) -> PhotoOut | None:
    """What an update shows of its photo (stored as :func:`verify` returned it)."""
    if not stored:
        return None
    return PhotoOut(photo_id=stored["photo_id"], alt=stored["alt"], url=stored["url"])


#: How S3 answers for a key that is not there: 404, or 403 to a role that may not list the
#: bucket (the API's role may not, on purpose: S3 then hides whether a key exists).
_MISSING = (403, 404)


def _status(error: ClientError) -> int:
    status: int = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status
