"""Settings, read once from the environment.

Business code asks :func:`get_settings`; nothing else reads ``os.environ``.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a function needs to know about where it runs."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    table_name: str = Field(description="The single DynamoDB table.")
    publish_queue_url: str = Field(description="SQS queue of fan-out jobs.")
    delivery_queue_url: str = Field(description="SQS queue of recipient batches.")
    signing_secret_arn: str = Field(
        description="Secrets Manager secret: keys for email lookup and signed links."
    )
    sender_address: str = Field(description='From header, e.g. "Mobilise <updates@example.org>".')
    ses_configuration_set: str = Field(description="SES configuration set for every email.")
    public_base_url: HttpUrl = Field(
        description="Where the public API is reached, used in the links of emails."
    )
    signature_shards: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Partition keys a petition's signatures are spread over.",
    )
    recipients_per_message: int = Field(default=50, ge=1, le=50)
    fanout_page_size: int = Field(default=500, ge=10, le=1000)
    idempotency_table_name: str = Field(description="Powertools idempotency records.")
    ses_max_send_rate: float = Field(
        default=0,
        ge=0,
        description="Emails a second the SES account accepts; 0: ask SES (GetAccount).",
    )
    delivery_concurrency: int = Field(
        default=2,
        ge=1,
        description="The delivery event source's MaximumConcurrency: the rate is shared by it.",
    )
    double_opt_in: bool = Field(
        default=True, description="Updates go only to signers who confirmed their address."
    )
    sign_rate_limits: list[tuple[int, int]] = Field(
        default=[(60, 3), (300, 5)],
        description="Signatures a client IP may make on one petition: (seconds, count) windows.",
    )
    fanout_reserve_ms: int = Field(
        default=20_000,
        ge=1_000,
        description="Fan-out stops and checkpoints when the Lambda has less time left than this.",
    )

    def link(self, path: str) -> str:
        """An absolute link to ``path`` on the public API."""
        return str(self.public_base_url).rstrip("/") + path


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment
