"""The bodies of the queue messages, validated where they are read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FanoutMessage(_Message):
    """Publish queue. Without ``shard``: a new job, to split per shard.

    With ``shard``: that shard's signers from ``cursor`` on (a checkpoint).
    """

    petition_id: str = Field(max_length=64)
    update_id: str = Field(max_length=64)
    shard: int | None = Field(default=None, ge=0)
    cursor: dict[str, Any] | None = None


class DeliveryMessage(_Message):
    """Delivery queue: up to 50 recipients, named by email hash (no address in a queue)."""

    petition_id: str = Field(max_length=64)
    update_id: str = Field(max_length=64)
    recipients: list[str] = Field(min_length=1, max_length=50)
