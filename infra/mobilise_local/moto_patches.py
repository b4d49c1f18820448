"""Where moto differs from AWS in ways the system relies on, made faithful.

DynamoDB: one request at a time, as a linearizable server does.

moto's DynamoDB backend is not thread-safe: two concurrent TransactWriteItems
can crash it (``dictionary changed size during iteration`` while it snapshots a
table). DynamoDB itself applies each request atomically, so a lock around each
request is a faithful model: it serialises requests, never the steps of a
handler, and a read-then-write in our code would still lose a race against it.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from moto.dynamodb.responses import DynamoHandler
from moto.s3.responses import S3Response

_lock = threading.RLock()
_applied = False


def serialise_dynamodb_requests() -> None:
    global _applied
    if _applied:
        return
    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self: DynamoHandler, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(self, *args, **kwargs)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    _applied = True


# S3 POST policies -----------------------------------------------------------------------------

_FORM_FIELDS_EXEMPT = {"policy", "file", "x-amz-signature", "signature", "awsaccesskeyid"}
_post_policies_enforced = False


def policy_refusal(form: dict[str, str], size: int, bucket: str, now: datetime) -> str | None:
    """Why S3 would refuse a browser POST upload under its policy, if it would.

    What S3 checks (its POST policy documentation): the policy has not expired, every
    condition holds (exact match, ``starts-with``, ``content-length-range``), and every
    form field but the signature, the file and ``x-ignore-*`` is named by a condition.
    """
    fields = {name.lower(): value for name, value in form.items()}
    encoded = fields.get("policy")
    if encoded is None:
        return "no policy"
    policy = json.loads(base64.b64decode(encoded))
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    if expiration < now:
        return "Invalid according to Policy: Policy expired."
    values = {**fields, "bucket": bucket}
    covered = {"bucket"}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, wanted),) = condition.items()
            operator, name = "eq", name.lstrip("$").lower()
        elif condition[0] == "content-length-range":
            if not int(condition[1]) <= size <= int(condition[2]):
                return "EntityTooLarge" if size > int(condition[2]) else "EntityTooSmall"
            continue
        else:
            operator, name, wanted = condition[0], condition[1].lstrip("$").lower(), condition[2]
        covered.add(name)
        value = values.get(name)
        if operator == "eq":
            held = value == wanted
        elif operator == "starts-with":
            held = value is not None and value.startswith(wanted)
        else:
            held = False
        if not held:
            return f"Invalid according to Policy: Policy Condition failed: {condition}"
    extra = sorted(
        name
        for name in fields
        if name not in covered
        and name not in _FORM_FIELDS_EXEMPT
        and not name.startswith("x-ignore-")
    )
    if extra:
        return f"Invalid according to Policy: Extra input fields: {extra[0]}"
    return None


def enforce_s3_post_policies() -> None:
    """Make moto's S3 refuse a browser POST upload that its policy does not allow.

    moto stores whatever a POST carries; S3 checks the policy the uploader was given
    (size range, key, Content-Type, expiry). The signature itself is not verified here.
    """
    global _post_policies_enforced
    if _post_policies_enforced:
        return
    original = S3Response._bucket_response_post

    @functools.wraps(original)
    def bucket_response_post(self: S3Response, request: Any, bucket_name: str) -> Any:
        form = {name: value for name, value in (self.form_data or {}).items()}
        if "policy" in {name.lower() for name in form}:
            size = len(self.raw_body or b"")
            refused = policy_refusal(form, size, bucket_name, datetime.now(UTC))
            if refused is not None:
                code = refused if refused.startswith("Entity") else "AccessDenied"
                status = 400 if code.startswith("Entity") else 403
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f"<Error><Code>{code}</Code><Message>{escape(refused)}</Message></Error>"
                )
                return status, {"Content-Type": "application/xml"}, body
        return original(self, request, bucket_name)

    S3Response._bucket_response_post = bucket_response_post  # type: ignore[method-assign]
    _post_policies_enforced = True
