"""Settings, read once from the environment.

Business code asks :func:`get_settings`; nothing else reads ``os.environ``.

``Settings()`` reads each field from the environment variable of its name, in any case
(``TABLE_NAME``), a list, tuple, set, mapping or model as JSON, as pydantic-settings reads
them, and an argument given to ``Settings(...)`` wins over the environment. It is read by
the model itself rather than by pydantic-settings, which with python-dotenv and argparse was
10 to 25 ms of every function's cold start (issue 14).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import is_dataclass
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails


def _is_json(annotation: Any) -> bool:
    """Whether a value of this type is written in the environment as JSON (pydantic-settings'
    "complex" fields): a collection, a mapping, a model or a dataclass, not a string."""
    kind = get_origin(annotation) or annotation
    if not isinstance(kind, type) or issubclass(kind, str | bytes):
        return False
    return issubclass(kind, BaseModel | Mapping | Sequence | set | frozenset) or is_dataclass(kind)


def _json_written(field: FieldInfo) -> tuple[bool, bool]:
    """Whether the field's value is written as JSON, and whether text that is not JSON may
    still be a value of it (a union with a plain member: ``list[int] | str``)."""
    annotation = field.annotation
    if _is_json(annotation):
        return True, False
    if get_origin(annotation) in (Union, UnionType):
        return any(_is_json(member) for member in get_args(annotation)), True
    return False, False


def _read(fields: dict[str, FieldInfo], environment: Mapping[str, str]) -> dict[str, Any]:
    """The values ``environment`` gives the fields, by name or validation alias in any case.
    JSON that does not parse is refused as pydantic-settings refused it: before any value is
    validated, the field named."""
    written = {name.lower(): value for name, value in environment.items()}
    found: dict[str, Any] = {}
    invalid: list[InitErrorDetails] = []
    for name, field in fields.items():
        key = field.validation_alias if isinstance(field.validation_alias, str) else name
        if key.lower() not in written:
            continue
        text = found[key] = written[key.lower()]
        is_json, may_be_text = _json_written(field)
        if is_json:
            try:
                found[key] = json.loads(text)
            except ValueError as error:
                if not may_be_text:
                    details = {"error": str(error)}
                    invalid.append(
                        InitErrorDetails(type="json_invalid", loc=(key,), input=text, ctx=details)
                    )
    if invalid:
        raise ValidationError.from_exception_data("Settings", invalid)
    return found


class Settings(BaseModel):
    """Everything a function needs to know about where it runs."""

    # validate_default: as pydantic-settings does, the defaults are validated too.
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _environment(cls, given: Any) -> Any:
        """The environment's values of the fields, under those given to ``Settings(...)``."""
        if not isinstance(given, dict):
            return given
        return {**_read(cls.model_fields, os.environ), **given}

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
    breaker_complaint_rate: float = Field(
        default=0.001,
        ge=0,
        le=1,
        description="An update whose complaints pass this share of its emails sent pauses.",
    )
    breaker_bounce_rate: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="An update whose permanent bounces pass this share of its emails sent pauses.",
    )
    breaker_min_sent: int = Field(
        default=500,
        ge=1,
        description="The rates that pause an update are read once it has sent this many.",
    )
    alarm_topic_arn: str = Field(
        default="",
        description="SNS topic of the operators' alarms (a paused delivery); empty: none.",
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
