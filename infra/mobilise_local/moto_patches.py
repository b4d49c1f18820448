"""Where moto differs from AWS in ways the system relies on, made faithful.

DynamoDB: one request at a time, as a linearizable server does.

moto's DynamoDB backend is not thread-safe: two concurrent TransactWriteItems
can crash it (``dictionary changed size during iteration`` while it snapshots a
table). DynamoDB itself applies each request atomically, so a lock around each
request is a faithful model: it serialises requests, never the steps of a
handler, and a read-then-write in our code would still lose a race against it.

DynamoDB: a transaction costs what it touches, not the size of its tables.

moto makes each TransactWriteItems undoable by deep-copying every table it names,
every item of it, before it starts. Signing and delivering are transactions, so a
100-email scenario copied the whole table thousands of times: the local stack
grew by 0.5-1 GB a run, slowed down run after run, and took minutes to free it
all when stopped. A transaction touches at most 100 items; saving those and
putting them back when it is cancelled is the same all-or-nothing.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import threading
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
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


# DynamoDB transactions ------------------------------------------------------------------------

_Saved = tuple[Table, DynamoType, DynamoType | None, Item | None]
_transactions_cheap = False


class _CopyAllButTables:
    """``copy`` as moto's DynamoDB backend uses it, minus the copy of whole tables."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _item_named(backend: DynamoDBBackend, kind: str, request: dict[str, Any]) -> _Saved | None:
    """The item an operation names, as it is now (None in the last place: absent); None if
    its table or key cannot be read: moto refuses that operation, which writes nothing."""
    try:
        table = backend.get_table(request["TableName"])
        key = request["Item"] if kind == "Put" else request["Key"]
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        before = table.get_item(hash_key, range_key)
    except Exception:  # whatever moto makes of a malformed request, it writes nothing
        return None
    return table, hash_key, range_key, copy.deepcopy(before)


def _saved_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[_Saved]:
    """Each item a transaction names, as it is before the transaction."""
    named = (
        _item_named(backend, kind, request)
        for operation in transact_items
        for kind, request in operation.items()
    )
    return [saved for saved in named if saved is not None]


def _put_back(saved: list[_Saved]) -> None:
    for table, hash_key, range_key, before in reversed(saved):
        if before is None:
            table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = before
        else:
            table.items[hash_key] = before  # type: ignore[assignment]


def cheap_dynamodb_transactions() -> None:
    """Undo a cancelled TransactWriteItems from the items it names, not from table copies."""
    global _transactions_cheap
    if _transactions_cheap:
        return
    original = DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = _saved_items(self, transact_items)
        try:
            original(self, transact_items)
        except Exception:
            _put_back(saved)
            raise

    dynamodb_models.copy = _CopyAllButTables  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _transactions_cheap = True


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
