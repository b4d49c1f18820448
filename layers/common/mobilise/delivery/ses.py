"""The one SES sender of every email Mobilise sends (updates, confirmations, test sends,
reminders): SESv2 SendEmail with the raw MIME (:mod:`mobilise.delivery.send_email`: the
client's request without the client's work around each call), the configuration set (whose
bounce and complaint events come back through :mod:`mobilise.delivery.ses_events`) and the
email's tags;
and the one reading of what SES's refusals mean."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.core.observability import metrics
from mobilise.delivery.send_email import SendEmail

#: Refusals that may pass: the email is tried again later (the SQS record is retried).
TRANSIENT = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "ServiceUnavailable",
        "InternalFailure",
        "RequestTimeout",
    }
)
#: Refusals SES would give again: the email is not tried again.
PERMANENT = frozenset(
    {
        "MessageRejected",
        "AccountSuspendedException",
        "MailFromDomainNotVerifiedException",
        "BadRequestException",
        "NotFoundException",
    }
)


#: Refusals of every email, for the whole account (or its configuration set): no email is
#: failed for them; delivery pauses until an operator resumes it (mobilise.delivery.pausing).
SENDING_PAUSED = frozenset({"AccountSendingPausedException", "SendingPausedException"})


class SesUnavailable(Exception):
    """SES throttled or failed on its side: the record is retried through SQS."""


class SendingPaused(SesUnavailable):
    """SES refuses to send any email of the account: it may pass (once an operator has it
    lifted), so no email is failed for it; delivery pauses (mobilise.delivery.pausing), and
    the other senders try again later as after throttling."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def send(to: str, raw: bytes, tags: Mapping[str, str]) -> str:
    """Send one email as it is on the wire; its SES message id. A refusal is SES's
    :class:`ClientError`, read by :func:`permanent_refusal`."""
    settings = get_settings()
    response = _send_email(aws.sesv2())(
        sender=settings.sender_address,
        to=to,
        raw=raw,
        configuration_set=settings.ses_configuration_set,
        tags=list(tags.items()),
    )
    return str(response["MessageId"])


@lru_cache(maxsize=1)
def _send_email(client: Any) -> SendEmail:
    """SendEmail through the current SES client (:func:`mobilise.core.aws.reset` makes a new
    one: its own sender then)."""
    return SendEmail(client)


def transient(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    return code in TRANSIENT or (status >= 500 and code not in PERMANENT | SENDING_PAUSED)


def permanent_refusal(error: ClientError) -> str:
    """The code of a refusal SES would give again, counted in ``EmailsRejected`` (the email is
    not tried again); raises :class:`SesUnavailable` instead for one that may pass, and
    :class:`SendingPaused` for one of the whole account's sending."""
    code = error.response.get("Error", {}).get("Code", "Unknown")
    if code in SENDING_PAUSED:
        raise SendingPaused(code) from error
    if transient(error):
        raise SesUnavailable(code) from error
    metrics.add_metric(name="EmailsRejected", unit="Count", value=1)
    return code
