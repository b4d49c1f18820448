"""The bodies of the queue messages, checked when they are made and where they are read.

Frozen dataclasses whose JSON is written and read here, rather than pydantic models: the
queues' functions use pydantic for nothing else, and its import and the models' build were
40 to 60 ms of each of their cold starts (issue 14). The JSON is what the models wrote:
every field, in order, compact. A body that is not one of these messages raises
:class:`InvalidMessage`, which says what is wrong; its record fails, and SQS's redrive
policy takes it to the dead-letter queue.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

Message = TypeVar("Message", bound="QueueMessage")

_EMAIL_HASH = re.compile(r"[0-9a-f]{64}")


class InvalidMessage(ValueError):
    """A queue message's body that is not a message of its queue."""


def _id(name: str, value: object) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise InvalidMessage(f"{name} must be text of 1 to 64 characters, not {value!r:.80}")


def _email_hash(name: str, value: object) -> None:
    if not isinstance(value, str) or not _EMAIL_HASH.fullmatch(value):
        raise InvalidMessage(f"{name} must be a SHA-256 in hex, not {value!r:.80}")


@dataclass(frozen=True, kw_only=True)
class QueueMessage:
    def __post_init__(self) -> None:
        self._check()

    def _check(self) -> None:
        """Raise :class:`InvalidMessage` if a field's value is not one the queue carries."""

    def to_json(self) -> str:
        """The message's body. Its fields as they are (``dataclasses.asdict`` would copy
        each recipient deeply first: 90 µs a message of 100 against 20)."""
        fields = {spec.name: getattr(self, spec.name) for spec in dataclasses.fields(self)}
        return json.dumps(fields, separators=(",", ":"))

    @classmethod
    def from_json(cls: type[Message], body: str | bytes) -> Message:
        """The message a body holds: every field known, the required ones there."""
        return cls.from_dict(_object(body))

    @classmethod
    def from_dict(cls: type[Message], data: dict[str, Any]) -> Message:
        known = {spec.name for spec in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidMessage(f"{cls.__name__} has no field {', '.join(unknown):.200}")
        missing = [
            spec.name
            for spec in dataclasses.fields(cls)
            if spec.name not in data and spec.default is dataclasses.MISSING
        ]
        if missing:
            raise InvalidMessage(f"{cls.__name__} needs {', '.join(missing)}")
        return cls(**data)


def _object(body: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, TypeError, RecursionError) as error:  # not text, not JSON, too deep
        raise InvalidMessage(f"the body is not JSON: {error!s:.200}") from None
    if not isinstance(data, dict):
        raise InvalidMessage("the body is not a JSON object")
    return data


@dataclass(frozen=True, kw_only=True)
class FanoutMessage(QueueMessage):
    """Publish queue. Without ``shard``: a new job, to split per shard.

    With ``shard``: that shard's signers from ``cursor`` on (a checkpoint).
    """

    petition_id: str
    update_id: str
    shard: int | None = None
    cursor: dict[str, Any] | None = None

    def _check(self) -> None:
        _id("petition_id", self.petition_id)
        _id("update_id", self.update_id)
        shard = self.shard
        if shard is not None and (type(shard) is not int or shard < 0):
            raise InvalidMessage(f"shard must be a whole number from 0, not {shard!r:.80}")
        if self.cursor is not None and not isinstance(self.cursor, dict):
            raise InvalidMessage("cursor must be a JSON object")


@dataclass(frozen=True, kw_only=True)
class DeliveryMessage(QueueMessage):
    """Delivery queue: an update for up to 100 recipients, named by email hash
    (no address ever travels through a queue)."""

    MAX_RECIPIENTS: ClassVar[int] = 100

    kind: Literal["update"] = "update"
    petition_id: str
    update_id: str
    recipients: list[str]

    def _check(self) -> None:
        _kind(self, ("update",))
        _id("petition_id", self.petition_id)
        _id("update_id", self.update_id)
        recipients = self.recipients
        if not isinstance(recipients, list) or not 1 <= len(recipients) <= self.MAX_RECIPIENTS:
            raise InvalidMessage(f"recipients must be a list of 1 to {self.MAX_RECIPIENTS}")
        for recipient in recipients:
            _email_hash("each recipient", recipient)


@dataclass(frozen=True, kw_only=True)
class ConfirmationMessage(QueueMessage):
    """Delivery queue: the email that follows a signature (double opt-in). ``confirm``: a new
    signature, asked to confirm its address. ``signed_again``: an address that had signed
    signed again; the deliver function sends the confirmation again if it is unconfirmed,
    or tells it its signature stands (the API answered both alike, and as fast)."""

    kind: Literal["confirm", "signed_again"]
    petition_id: str
    email_hash: str
    requested_at: str  # makes a resent request a new email

    def _check(self) -> None:
        _kind(self, ("confirm", "signed_again"))
        _id("petition_id", self.petition_id)
        _email_hash("email_hash", self.email_hash)
        if not isinstance(self.requested_at, str) or len(self.requested_at) > 40:
            raise InvalidMessage("requested_at must be text of at most 40 characters")


@dataclass(frozen=True, kw_only=True)
class DigestMessage(QueueMessage):
    """Delivery queue: one person's digest, the updates that waited for their day to pass
    (:mod:`mobilise.digests`), named by their address's hash."""

    kind: Literal["digest"] = "digest"
    email_hash: str

    def _check(self) -> None:
        _kind(self, ("digest",))
        _email_hash("email_hash", self.email_hash)


def _kind(message: QueueMessage, kinds: tuple[str, ...]) -> None:
    kind = getattr(message, "kind", None)
    if kind not in kinds:
        raise InvalidMessage(f"kind must be one of {', '.join(kinds)}, not {kind!r:.80}")


DeliveryQueueMessage = DeliveryMessage | ConfirmationMessage | DigestMessage

_BY_KIND: dict[str, type[DeliveryMessage | ConfirmationMessage | DigestMessage]] = {
    "update": DeliveryMessage,
    "confirm": ConfirmationMessage,
    "signed_again": ConfirmationMessage,
    "digest": DigestMessage,
}


def delivery_queue_message(body: str | bytes) -> DeliveryQueueMessage:
    """A delivery queue's message, of the class its ``kind`` names."""
    data = _object(body)
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _BY_KIND:
        raise InvalidMessage(f"kind must be one of {', '.join(_BY_KIND)}, not {kind!r:.80}")
    return _BY_KIND[kind].from_dict(data)
