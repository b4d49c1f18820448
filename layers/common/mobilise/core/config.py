"""Settings, read once from the environment.

Business code asks :func:`get_settings`; nothing else reads ``os.environ``.

:meth:`Settings.from_environment` reads each field from the environment variable of its name,
in any case (``TABLE_NAME``); the rate limits are written as JSON, and an argument wins over
the environment. Every missing or invalid value is refused at once, each named, by one
:class:`SettingsError`.

A dataclass read by this module rather than a pydantic model: pydantic's import and the
model's build were 40 to 60 ms of every function's cold start, and most functions use
pydantic for nothing else (issue 14).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit


class SettingsError(ValueError):
    """Settings the environment (or the caller) gives that cannot be used: ``problems`` maps
    each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{name.upper()}: {reason}" for name, reason in sorted(problems.items()))
        super().__init__(f"invalid settings: {listed}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _integer(value: object) -> int:
    """A whole number; written as text, ``"365"`` or ``"365.0"`` (as pydantic read it: a
    CloudFormation ``Number`` parameter may be written either way)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not number.is_integer():
        raise ValueError(f"must be a whole number, not {value!r}")
    return int(number)


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(_text(value).strip())
        except ValueError:
            raise ValueError(f"must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, not {value!r}")
    return number


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).strip().lower()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise ValueError(f"must be true or false, not {value!r}")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _url(value: object) -> str:
    """An http(s) link in its normal form, as pydantic's ``HttpUrl`` gave it: the host lower
    case and in ASCII (IDNA), no default port. Links in emails and calendar entries are
    built from it."""
    text = _text(value).strip()
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
        valid = parts.scheme in _DEFAULT_PORTS and bool(host) and port != 0
    except ValueError:  # a port that is not a number, brackets that do not close...
        valid = False
    if not valid or host is None:
        raise ValueError(f"must be an http:// or https:// link, not {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"must name a host that can be written in ASCII, not {value!r}") from None
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _windows(value: object) -> list[tuple[int, int]]:
    """Rate windows, ``[[seconds, count], ...]``: written as JSON in the environment."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ValueError(f"must be JSON ({error}), not {value!r}") from None
    if not isinstance(value, list | tuple):
        raise ValueError("must be a list of [seconds, count] pairs")
    windows = []
    for window in value:
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise ValueError(f"must be a list of [seconds, count] pairs, not {window!r}")
        seconds, count = (_integer(number) for number in window)
        if seconds < 1 or count < 0:
            raise ValueError("a window's seconds must be positive and its count not negative")
        windows.append((seconds, count))
    return windows


#: How a field's value is read, by its annotation (or the ``read`` its ``setting`` names).
_READERS: dict[str, Callable[[object], Any]] = {
    "str": _text,
    "int": _integer,
    "float": _number,
    "bool": _flag,
    "url": _url,
    "list[tuple[int, int]]": _windows,
}


def setting(
    *,
    description: str = "",
    default: Any = MISSING,
    ge: float | None = None,
    le: float | None = None,
    read: str | None = None,
) -> Any:
    """A field of :class:`Settings`: required without a ``default``; a number within
    ``ge``..``le``; read as its annotation says, or as ``read`` names (:data:`_READERS`)."""
    metadata = {"description": description, "ge": ge, "le": le, "read": read}
    if isinstance(default, list):  # a fresh copy for each Settings
        return field(default_factory=default.copy, metadata=metadata)
    return field(default=default, metadata=metadata)


def _value(spec: Field[Any], given: object) -> Any:
    value = _READERS[spec.metadata["read"] or str(spec.type)](given)
    low, high = spec.metadata["ge"], spec.metadata["le"]
    if low is not None and value < low:
        raise ValueError(f"must be at least {low}, not {value}")
    if high is not None and value > high:
        raise ValueError(f"must be at most {high}, not {value}")
    return value


def _required(spec: Field[Any]) -> bool:
    return spec.default is MISSING and spec.default_factory is MISSING


#: One per process (get_settings): compared as itself, without the generated ``__eq__`` and
#: ``__hash__`` of its thirty fields, which cost a cold start 2 to 5 ms to compile (issue 14).
@dataclass(frozen=True, kw_only=True, eq=False)
class Settings:
    """Everything a function needs to know about where it runs."""

    table_name: str = setting(description="The single DynamoDB table.")
    publish_queue_url: str = setting(description="SQS queue of fan-out jobs.")
    delivery_queue_url: str = setting(description="SQS queue of recipient batches.")
    signing_secret_arn: str = setting(
        description="Secrets Manager secret: keys for email lookup and signed links."
    )
    origin_secret_arn: str = setting(
        default="",
        description="Secrets Manager secret the site's distribution sends the API with every "
        "request, proving the viewer address it names; empty: no distribution in front.",
    )
    sender_address: str = setting(description='From header, e.g. "Mobilise <updates@example.org>".')
    ses_configuration_set: str = setting(description="SES configuration set for every email.")
    public_base_url: str = setting(
        read="url", description="Where the public API is reached, used in the links of emails."
    )
    site_url: str = setting(
        default="",
        description="Where petitions are shown to the public (links in emails); "
        "empty: the public API's address.",
    )
    start_petition_url: str = setting(
        default="",
        description="Where someone starts a petition; empty: {site_url}/start.",
    )
    photos_bucket: str = setting(default="", description="S3 bucket of update photos.")
    photos_base_url: str = setting(
        default="",
        description="Where the photos bucket's published photos are served (emails show them).",
    )
    per_person_clicks: bool = setting(
        default=False,
        description="Count clicks per signer as well; off: clicks are only counted per action.",
    )
    nudge_after_days: int = setting(
        default=7, ge=1, description="A petition quiet this long nudges its starter."
    )
    signature_retention_days: int = setting(
        default=365,
        ge=1,
        description="Signatures of a closed petition are deleted (TTL) this long after it closed.",
    )
    signature_shards: int = setting(
        default=16,
        ge=1,
        le=256,
        description="Partition keys a petition's signatures are spread over.",
    )
    recipients_per_message: int = setting(default=100, ge=1, le=100)
    fanout_page_size: int = setting(default=500, ge=10, le=1000)
    idempotency_table_name: str = setting(description="Powertools idempotency records.")
    ses_max_send_rate: float = setting(
        default=0,
        ge=0,
        description="Emails a second the SES account accepts; 0: ask SES (GetAccount).",
    )
    delivery_concurrency: int = setting(
        default=2,
        ge=1,
        description="The delivery event source's MaximumConcurrency: the rate is shared by it.",
    )
    double_opt_in: bool = setting(
        default=True, description="Updates go only to signers who confirmed their address."
    )
    sign_rate_limits: list[tuple[int, int]] = setting(
        default=[(60, 3), (300, 5)],
        description="Signatures a client IP may make on one petition: (seconds, count) windows.",
    )
    signing_email_limits: list[tuple[int, int]] = setting(
        default=[(24 * 3600, 10)],
        description="Emails signing may send one address (confirmations and already-signed "
        "notes), across all petitions, whoever signs: (seconds, count) fixed windows. Past "
        "them the signature is kept and no email is sent until the window has passed.",
    )
    publish_grace_minutes: int = setting(
        default=0,
        ge=0,
        le=60,
        description="A published update waits this long before it goes out (its starter may "
        "cancel or correct it meanwhile); 0: it goes out at once.",
    )
    moderation_enabled: bool = setting(
        default=False,
        description="Risky updates (mobilise.moderation.rules) are held for an operator's "
        "review instead of being sent.",
    )
    fanout_reserve_ms: int = setting(
        default=20_000,
        ge=1_000,
        description="Fan-out stops and checkpoints when the Lambda has less time left than this.",
    )
    breaker_complaint_rate: float = setting(
        default=0.001,
        ge=0,
        le=1,
        description="An update whose complaints pass this share of its emails sent pauses.",
    )
    breaker_bounce_rate: float = setting(
        default=0.05,
        ge=0,
        le=1,
        description="An update whose permanent bounces pass this share of its emails sent pauses.",
    )
    breaker_min_sent: int = setting(
        default=500,
        ge=1,
        description="The rates that pause an update are read once it has sent this many.",
    )
    alarm_topic_arn: str = setting(
        default="",
        description="SNS topic of the operators' alarms (a paused delivery); empty: none.",
    )
    signer_daily_cap: bool = setting(
        default=True,
        description="At most one update email a day per person (their address's hash), across "
        "all petitions: a later update waits in their digest until their day has passed; off: "
        "each update is sent at once.",
    )

    def __post_init__(self) -> None:
        site = (self.site_url or self.public_base_url).rstrip("/")
        object.__setattr__(self, "site_url", site)
        if not self.start_petition_url:
            object.__setattr__(self, "start_petition_url", f"{site}/start")

    @classmethod
    def from_environment(cls, **given: Any) -> Settings:
        """The settings the environment gives, ``given`` over them; every field checked."""
        written = {name.lower(): value for name, value in os.environ.items()}
        unknown = set(given) - {spec.name for spec in fields(cls)}
        if unknown:
            raise TypeError(f"Settings have no {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for spec in fields(cls):
            raw = given[spec.name] if spec.name in given else written.get(spec.name)
            if raw is None:
                if _required(spec):
                    problems[spec.name] = "missing"
                continue
            try:
                values[spec.name] = _value(spec, raw)
            except ValueError as error:
                problems[spec.name] = str(error)
        if problems:
            raise SettingsError(problems)
        return cls(**values)

    @classmethod
    def variables(cls) -> dict[str, bool]:
        """The environment variables the settings read, and whether each is required."""
        return {spec.name.upper(): _required(spec) for spec in fields(cls)}

    def link(self, path: str) -> str:
        """An absolute link to ``path`` on the public API."""
        return self.public_base_url.rstrip("/") + path


@cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings.from_environment()
