"""The bodies of the queue messages, validated where they are read."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=64)]
EmailHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FanoutMessage(_Message):
    """Publish queue. Without ``shard``: a new job, to split per shard.

    With ``shard``: that shard's signers from ``cursor`` on (a checkpoint).
    """

    petition_id: Id
    update_id: Id
    shard: int | None = Field(default=None, ge=0)
    cursor: dict[str, Any] | None = None


class DeliveryMessage(_Message):
    """Delivery queue: an update for up to 100 recipients, named by email hash
    (no address ever travels through a queue)."""

    kind: Literal["update"] = "update"
    petition_id: Id
    update_id: Id
    recipients: list[EmailHash] = Field(min_length=1, max_length=100)


class ConfirmationMessage(_Message):
    """Delivery queue: the email that follows a signature (double opt-in). ``confirm``: a new
    signature, asked to confirm its address. ``signed_again``: an address that had signed
    signed again; the deliver function sends the confirmation again if it is unconfirmed,
    or tells it its signature stands (the API answered both alike, and as fast)."""

    kind: Literal["confirm", "signed_again"]
    petition_id: Id
    email_hash: EmailHash
    requested_at: str = Field(max_length=40)  # makes a resent request a new email


class DigestMessage(_Message):
    """Delivery queue: one person's digest, the updates that waited for their day to pass
    (:mod:`mobilise.digests`), named by their address's hash."""

    kind: Literal["digest"] = "digest"
    email_hash: EmailHash


DeliveryQueueMessage = Annotated[
    DeliveryMessage | ConfirmationMessage | DigestMessage, Field(discriminator="kind")
]
