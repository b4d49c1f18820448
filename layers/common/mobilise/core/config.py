"""Settings, read once from the environment.

Business code asks :func:`get_settings`; nothing else reads ``os.environ``.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field, HttpUrl, model_validator
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
    origin_secret_arn: str = Field(
        default="",
        description="Secrets Manager secret the site's distribution sends the API with every "
        "request, proving the viewer address it names; empty: no distribution in front.",
    )
    sender_address: str = Field(description='From header, e.g. "Mobilise <updates@example.org>".')
    ses_configuration_set: str = Field(description="SES configuration set for every email.")
    public_base_url: HttpUrl = Field(
        description="Where the public API is reached, used in the links of emails."
    )
    site_url: str = Field(
        default="",
        description="Where petitions are shown to the public (links in emails); "
        "empty: the public API's address.",
    )
    start_petition_url: str = Field(
        default="",
        description="Where someone starts a petition; empty: {site_url}/start.",
    )
    photos_bucket: str = Field(default="", description="S3 bucket of update photos.")
    photos_base_url: str = Field(
        default="",
        description="Where the photos bucket's published photos are served (emails show them).",
    )
    per_person_clicks: bool = Field(
        default=False,
        description="Count clicks per signer as well; off: clicks are only counted per action.",
    )
    nudge_after_days: int = Field(
        default=7, ge=1, description="A petition quiet this long nudges its starter."
    )
    signature_retention_days: int = Field(
        default=365,
        ge=1,
        description="Signatures of a closed petition are deleted (TTL) this long after it closed.",
    )
    signature_shards: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Partition keys a petition's signatures are spread over.",
    )
    recipients_per_message: int = Field(default=100, ge=1, le=100)
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
    signing_email_limits: list[tuple[int, int]] = Field(
        default=[(24 * 3600, 10)],
        description="Emails signing may send one address (confirmations and already-signed "
        "notes), across all petitions, whoever signs: (seconds, count) fixed windows. Past "
        "them the signature is kept and no email is sent until the window has passed.",
    )
    publish_grace_minutes: int = Field(
        default=0,
        ge=0,
        le=60,
        description="A published update waits this long before it goes out (its starter may "
        "cancel or correct it meanwhile); 0: it goes out at once.",
    )
    moderation_enabled: bool = Field(
        default=False,
        description="Risky updates (mobilise.moderation.rules) are held for an operator's "
        "review instead of being sent.",
    )
    fanout_reserve_ms: int = Field(
        default=20_000,
        ge=1_000,
        description="Fan-out stops and checkpoints when the Lambda has less time left than this.",
    )
    signer_daily_cap: bool = Field(
        default=True,
        description="At most one update email a day per person (their address's hash), across "
        "all petitions: a later update waits in their digest until their day has passed; off: "
        "each update is sent at once.",
    )

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        base = str(self.public_base_url).rstrip("/")
        site = (self.site_url or base).rstrip("/")
        object.__setattr__(self, "site_url", site)
        if not self.start_petition_url:
            object.__setattr__(self, "start_petition_url", f"{site}/start")
        return self

    def link(self, path: str) -> str:
        """An absolute link to ``path`` on the public API."""
        return str(self.public_base_url).rstrip("/") + path


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment
