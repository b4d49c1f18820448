"""Photos of updates (issue 4, item 3): a presigned POST to S3, checked when the update is
published, copied to photos/ and shown with its alt text."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from mobilise.core import aws, clock
from mobilise_local.resources import LOCAL_DISTRIBUTION_DOMAIN
from tests.integration.harness import Mobilise

MAX_BYTES = 5 * 1024 * 1024


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JPEG (SOI, then a JFIF APP0 segment), which is what is checked."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def webp() -> bytes:
    payload = b"WEBPVP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00" + b"\x00"
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00;"


def grant(mobilise: Mobilise, petition_id: str, owner: str = "alice", **body: Any) -> Any:
    reply = mobilise.request("POST", f"/petitions/{petition_id}/photos", body, user=owner)
    assert reply.status == 201, reply.text
    return reply.json()


def upload(granted: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    """What a browser does with the grant: a multipart POST, the fields then the file."""
    fields = dict(granted["upload"]["fields"])
    fields.setdefault("Content-Type", content_type)
    return requests.post(
        granted["upload"]["url"],
        data=fields,
        files={"file": ("photo", data, content_type)},
        timeout=10,
    )


def bucket(mobilise: Mobilise) -> str:
    return mobilise.stack.refs["PhotosBucket"]


def publish_with_photo(mobilise: Mobilise, petition_id: str, photo_id: str) -> Any:
    return mobilise.publish(
        petition_id, photo={"photo_id": photo_id, "alt": "Signers at the town hall"}
    )


# Asking for an upload -------------------------------------------------------------------------


def test_the_starter_gets_a_presigned_post_for_one_photo(mobilise: Mobilise) -> None:
    # Given alice's petition, the clock stopped
    petition_id = mobilise.create_petition()
    clock.freeze(clock.now())

    # When she asks for an upload
    granted = grant(mobilise, petition_id)

    # Then she gets a POST to the upload key, limited to 5 MB of JPEG, PNG or WebP, 15 minutes
    photo_id = granted["photo_id"]
    # (the bucket's regional name: the global one redirects browsers while a bucket is new)
    assert granted["upload"]["url"] == f"https://{bucket(mobilise)}.s3.eu-west-1.amazonaws.com/"
    assert granted["upload"]["fields"]["key"] == f"uploads/{petition_id}/{photo_id}"
    assert granted["max_bytes"] == MAX_BYTES
    assert granted["content_types"] == ["image/jpeg", "image/png", "image/webp"]
    assert granted["expires_at"] == clock.isoformat(clock.now() + timedelta(minutes=15))
    assert "policy" in granted["upload"]["fields"]
    # And the photo is recorded for this petition
    photos = [item for item in mobilise.items() if item["sk"] == f"PHOTO#{photo_id}"]
    assert [(p["pk"], p["object_key"]) for p in photos] == [
        (f"PET#{petition_id}", f"uploads/{petition_id}/{photo_id}")
    ]


@pytest.mark.parametrize(
    ("user", "status"), [(None, 401), ("mallory", 403)], ids=["anonymous", "another user"]
)
def test_only_the_starter_may_ask_for_an_upload(
    mobilise: Mobilise, user: str | None, status: int
) -> None:
    # Given alice's petition
    petition_id = mobilise.create_petition()
    before = mobilise.items()

    # When someone else asks for an upload
    reply = mobilise.request("POST", f"/petitions/{petition_id}/photos", {}, user=user)

    # Then it is refused and nothing is written
    assert reply.status == status, reply.text
    assert mobilise.items() == before


def test_an_upload_may_be_asked_for_without_a_body(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.request("POST", f"/petitions/{petition_id}/photos", user="alice")

    assert reply.status == 201, reply.text
    assert "Content-Type" not in reply.json()["upload"]["fields"]  # any image/*, checked later


def test_an_upload_for_a_petition_that_does_not_exist_is_a_404(mobilise: Mobilise) -> None:
    reply = mobilise.request(
        "POST", "/petitions/01JZZZZZZZZZZZZZZZZZZZZZZZ/photos", {}, user="alice"
    )
    assert reply.status == 404, reply.text


def test_a_type_that_is_not_a_photo_cannot_be_asked_for(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/photos", {"content_type": "image/gif"}, user="alice"
    )
    assert reply.status == 422, reply.text
    assert "content_type" in reply.json()["error"]["message"]


def test_uploads_asked_for_are_rate_limited_per_starter(mobilise: Mobilise) -> None:
    # Given a starter who asked for 10 uploads this minute, over two petitions (the clock held
    # at the start of a minute: the windows are fixed, and a real minute may end mid-test)
    clock.freeze(datetime(2026, 12, 7, 9, 0, 1, tzinfo=UTC))
    first, second = mobilise.create_petition(), mobilise.create_petition()
    for index in range(10):
        grant(mobilise, first if index % 2 else second)

    # When she asks for an eleventh
    reply = mobilise.request("POST", f"/petitions/{first}/photos", {}, user="alice")

    # Then she is told to wait
    assert reply.status == 429, reply.text
    assert int(reply.headers["Retry-After"]) >= 1
    # And another starter is not held back by her
    bob = mobilise.create_petition(owner="bob")
    assert mobilise.request("POST", f"/petitions/{bob}/photos", {}, user="bob").status == 201


# What S3 takes (the policy of the presigned POST) ---------------------------------------------


def test_a_file_larger_than_5_mb_is_refused_by_s3_at_upload(mobilise: Mobilise) -> None:
    # Given an upload granted to alice
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)

    # When she sends a 6 MB file
    sent = upload(granted, png() + b"\x00" * (6 * 1024 * 1024), "image/png")

    # Then S3 refuses it and holds nothing
    assert sent.status_code == 400, sent.text
    assert "EntityTooLarge" in sent.text
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket(mobilise))
    assert listed.get("KeyCount", 0) == 0


def test_a_file_declared_as_another_kind_than_an_image_is_refused_by_s3(
    mobilise: Mobilise,
) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)

    sent = upload(granted, b"<html></html>", "text/html")

    assert sent.status_code == 403, sent.text
    assert "Content-Type" in sent.text


def test_an_upload_granted_for_one_type_refuses_another(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id, content_type="image/png")
    assert granted["upload"]["fields"]["Content-Type"] == "image/png"
    fields = {**granted["upload"]["fields"], "Content-Type": "image/jpeg"}

    sent = requests.post(
        granted["upload"]["url"],
        data=fields,
        files={"file": ("photo", jpeg(), "image/jpeg")},
        timeout=10,
    )

    assert sent.status_code == 403, sent.text


def test_the_upload_goes_to_its_key_only(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    fields = {**granted["upload"]["fields"], "key": f"photos/{petition_id}/sneaky.png"}

    sent = requests.post(
        granted["upload"]["url"],
        data={**fields, "Content-Type": "image/png"},
        files={"file": ("photo", png(), "image/png")},
        timeout=10,
    )

    assert sent.status_code == 403, sent.text
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket(mobilise))
    assert listed.get("KeyCount", 0) == 0


# Publishing an update with the photo ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [(png(), "image/png", "png"), (jpeg(), "image/jpeg", "jpg"), (webp(), "image/webp", "webp")],
    ids=["png", "jpeg", "webp"],
)
def test_an_uploaded_photo_is_published_with_the_update(
    mobilise: Mobilise, data: bytes, content_type: str, extension: str
) -> None:
    # Given a photo alice uploaded with her grant
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    photo_id = granted["photo_id"]
    sent = upload(granted, data, content_type)
    assert sent.status_code == 204, sent.text

    # When she publishes an update with it
    reply = publish_with_photo(mobilise, petition_id, photo_id)

    # Then the update shows the photo, its alt text and where the distribution serves it
    assert reply.status == 201, reply.text
    key = f"photos/{petition_id}/{photo_id}.{extension}"
    url = f"https://{LOCAL_DISTRIBUTION_DOMAIN}/{key}"
    shown = {"photo_id": photo_id, "alt": "Signers at the town hall", "url": url}
    assert reply.json()["photo"] == shown
    update_id = reply.json()["update_id"]
    again = mobilise.request("GET", f"/petitions/{petition_id}/updates/{update_id}")
    assert again.json()["photo"] == shown
    # And the checked copy is in photos/, with its type, the same bytes
    copied = boto3.client("s3").get_object(Bucket=bucket(mobilise), Key=key)
    assert copied["ContentType"] == content_type
    assert copied["Body"].read() == data
    # And the stored update carries what the email renders
    stored = next(item for item in mobilise.items() if item["sk"] == f"UPD#{update_id}")
    assert '"content_type": "' + content_type + '"' in stored["photo"]


def _refused_and_window_open(mobilise: Mobilise, petition_id: str, photo_id: str) -> str:
    """Publish with the photo: a 422 naming photo, nothing written, the 24 h window open."""
    before = mobilise.items()
    reply = publish_with_photo(mobilise, petition_id, photo_id)
    assert reply.status == 422, reply.text
    error = reply.json()
    assert error["error"]["message"].startswith("photo: "), error
    assert error["fields"][0]["field"] == "photo"
    assert mobilise.items() == before
    assert (
        mobilise.request("GET", f"/petitions/{petition_id}").json()["next_update_allowed_at"]
        is None
    )
    assert mobilise.publish(petition_id).status == 201  # the window was still open
    message: str = error["error"]["message"]
    return message


def _nothing_published(mobilise: Mobilise) -> None:
    listed = boto3.client("s3").list_objects_v2(Bucket=bucket(mobilise), Prefix="photos/")
    assert listed.get("KeyCount", 0) == 0


def test_a_text_file_named_png_is_refused_when_published(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    sent = requests.post(
        granted["upload"]["url"],
        data={**granted["upload"]["fields"], "Content-Type": "image/png"},
        files={"file": ("notes.png", b"These are my notes, not a photo.\n", "image/png")},
        timeout=10,
    )
    assert sent.status_code == 204, sent.text

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "not a JPEG, PNG or WebP" in message
    _nothing_published(mobilise)


def test_a_gif_is_refused_when_published(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    assert upload(granted, GIF, "image/gif").status_code == 204  # image/*: S3 takes it

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "not a JPEG, PNG or WebP" in message
    _nothing_published(mobilise)


def test_an_image_uploaded_as_another_type_is_refused(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    assert upload(granted, png(), "image/jpeg").status_code == 204

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "the file is image/png but was uploaded as image/jpeg" in message
    _nothing_published(mobilise)


def test_a_photo_never_uploaded_is_refused(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "never uploaded" in message


def test_a_photo_refused_by_s3_for_its_size_cannot_be_published(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    assert upload(granted, png() + b"\x00" * (6 * 1024 * 1024), "image/png").status_code == 400

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "never uploaded" in message


def test_a_photo_larger_than_5_mb_in_the_bucket_is_refused(mobilise: Mobilise) -> None:
    # Given an object at the upload key that is larger than the limit (put there by other means)
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    boto3.client("s3").put_object(
        Bucket=bucket(mobilise),
        Key=granted["upload"]["fields"]["key"],
        Body=png() + b"\x00" * MAX_BYTES,
        ContentType="image/png",
    )

    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "larger than 5 MB" in message
    _nothing_published(mobilise)


def test_another_petitions_photo_is_refused(mobilise: Mobilise) -> None:
    # Given a photo uploaded for alice's first petition
    first, second = mobilise.create_petition(), mobilise.create_petition()
    granted = grant(mobilise, first)
    assert upload(granted, png(), "image/png").status_code == 204

    # Then her second petition cannot use it
    message = _refused_and_window_open(mobilise, second, granted["photo_id"])

    assert "no photo with this id on this petition" in message
    _nothing_published(mobilise)


def test_a_photo_id_that_was_never_granted_is_refused(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    message = _refused_and_window_open(mobilise, petition_id, "01JZZZZZZZZZZZZZZZZZZZZZZZ")

    assert "no photo with this id" in message


def test_an_update_without_a_photo_shows_none(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.publish(petition_id)

    assert reply.status == 201, reply.text
    assert reply.json()["photo"] is None


def test_a_photo_published_once_can_be_used_again_after_its_upload_expired(
    mobilise: Mobilise,
) -> None:
    # Given a photo published with an update, whose upload then expired (lifecycle rule)
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    assert upload(granted, png(), "image/png").status_code == 204
    first = publish_with_photo(mobilise, petition_id, granted["photo_id"])
    assert first.status == 201, first.text
    s3 = boto3.client("s3")
    s3.delete_object(Bucket=bucket(mobilise), Key=granted["upload"]["fields"]["key"])
    clock.freeze(clock.now() + timedelta(hours=25))

    # When the next update uses the same photo
    again = publish_with_photo(mobilise, petition_id, granted["photo_id"])

    # Then it shows the copy already published
    assert again.status == 201, again.text
    assert again.json()["photo"] == first.json()["photo"]


def test_an_upload_replaced_while_it_is_checked_is_refused(mobilise: Mobilise) -> None:
    # Given a PNG uploaded by alice, which a second POST with the same grant replaces by a
    # GIF just after the check read its size and version
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)
    assert upload(granted, png(), "image/png").status_code == 204

    def replace(**_: Any) -> None:
        boto3.client("s3").put_object(
            Bucket=bucket(mobilise),
            Key=granted["upload"]["fields"]["key"],
            Body=GIF,
            ContentType="image/png",
        )

    aws.s3().meta.events.register("after-call.s3.HeadObject", replace)

    # Then the update is refused: the bytes checked are those of the version measured
    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "changed while it was checked" in message
    _nothing_published(mobilise)


def test_a_missing_upload_is_refused_when_s3_answers_403_as_it_does_without_list(
    mobilise: Mobilise,
) -> None:
    # Given a grant never used, and S3 answering as it does on AWS to a role that may not
    # list the bucket: 403 for a key that is not there (moto, which checks no IAM, says 404)
    petition_id = mobilise.create_petition()
    granted = grant(mobilise, petition_id)

    def forbidden(**_: Any) -> None:
        answer: Any = {
            "Error": {"Code": "403", "Message": "Forbidden"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        raise ClientError(answer, "HeadObject")

    aws.s3().meta.events.register("before-call.s3.HeadObject", forbidden)

    # Then the publish is a 422 naming the photo, not a 500
    message = _refused_and_window_open(mobilise, petition_id, granted["photo_id"])

    assert "never uploaded" in message
