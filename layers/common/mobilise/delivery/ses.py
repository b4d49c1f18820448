"""The SES sender of every email Mobilise sends: an update's, to up to 50 signers at once,
with SESv2 SendBulkEmail and the update's email as an inline template
(:mod:`mobilise.emails.bulk`); every other (confirmations, test sends, reminders, digests)
with SendEmail and its raw MIME (:mod:`mobilise.delivery.send_email`: the client's request
without the client's work around each call). Both through the configuration set (whose
bounce and complaint events come back through :mod:`mobilise.delivery.ses_events`) with the
email's tags; and the one reading of what SES's refusals mean, of a whole request or of one
destination of a bulk one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.core.observability import metrics, sampled
from mobilise.delivery.refusals import EmailUnconfirmed as EmailUnconfirmed
from mobilise.delivery.refusals import SendingPaused as SendingPaused
from mobilise.delivery.refusals import SesUnavailable as SesUnavailable
from mobilise.delivery.send_email import Prepared, SendEmail, parameters
from mobilise.emails.bulk import Template
from mobilise.emails.bulk import sender as bulk_sender

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


#: Refusals of the request itself, not of its recipient: our credentials, our signature or
#: our IAM policy (AWS's common errors, 403). They are ours to fix: the email is tried again
#: later (and its SQS record ends in its dead-letter queue, redrivable), never failed for good.
OURS = frozenset(
    {
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "AccessDenied",
        "AccessDeniedException",
        "MissingAuthenticationToken",
    }
)


#: Refusals of every email, for the whole account (or its configuration set): no email is
#: failed for them; delivery pauses until an operator resumes it (mobilise.delivery.pausing).
SENDING_PAUSED = frozenset({"AccountSendingPausedException", "SendingPausedException"})


#: The refusal that is the recipient's address's own: the one a person can do something about.
ADDRESS_REFUSED = frozenset({"MessageRejected"})


def send(to: str, raw: bytes, tags: Mapping[str, str]) -> str:
    """Send one email as it is on the wire; its SES message id. A refusal is SES's
    :class:`ClientError`, read by :func:`permanent_refusal`."""
    return send_ready(ready(to, raw, tags))


class Ready(NamedTuple):
    """An email made ready to send (:func:`ready`): its SendEmail request signed; or, in an
    invocation X-Ray samples, none (the client sends it, traced)."""

    to: str
    raw: bytes
    tags: Mapping[str, str]
    prepared: Prepared | None


def ready(to: str, raw: bytes, tags: Mapping[str, str]) -> Ready:
    """Make an email ready to send, all but the sending: its request built and signed, so
    that the work is done before a wait of the pacer, and the email sent after it
    (:mod:`mobilise.delivery.confirmations`). AWS refuses a signature some minutes old
    (five, for many services): send it within the minute."""
    if sampled():  # the X-Ray SDK traces the client's calls (a subsegment, the trace header)
        return Ready(to, raw, tags, None)
    return Ready(to, raw, tags, _send_email(aws.sesv2()).prepare(**_email(to, raw, tags)))


def send_ready(email: Ready) -> str:
    """Send an email made ready: its SES message id. A refusal is SES's :class:`ClientError`,
    read by :func:`permanent_refusal`. (Every email Mobilise sends goes through here.)"""
    if email.prepared is not None:
        response: Any = _send_email(aws.sesv2()).send(email.prepared)
    else:
        response = aws.sesv2().send_email(**parameters(**_email(email.to, email.raw, email.tags)))
    return str(response["MessageId"])


def _email(to: str, raw: bytes, tags: Mapping[str, str]) -> dict[str, Any]:
    settings = get_settings()
    return {
        "sender": settings.sender_address,
        "to": to,
        "raw": raw,
        "configuration_set": settings.ses_configuration_set,
        "tags": list(tags.items()),
    }


@lru_cache(maxsize=1)
def _send_email(client: Any) -> SendEmail:
    """SendEmail through the current SES client (:func:`mobilise.core.aws.reset` makes a new
    one: its own sender then)."""
    return SendEmail(client)


#: The most destinations SES takes in one SendBulkEmail.
MAX_BULK = 50

#: What a destination's status in a SendBulkEmail answer (the sesv2 model's
#: ``BulkEmailStatus``) means, as the error code SendEmail would have raised for it: read as
#: those codes are (:func:`refusal`). A status not known here is a refusal of that one
#: destination (``FAILED``'s reading).
BULK_STATUS = {
    "MESSAGE_REJECTED": "MessageRejected",
    "MAIL_FROM_DOMAIN_NOT_VERIFIED": "MailFromDomainNotVerifiedException",
    "CONFIGURATION_SET_NOT_FOUND": "NotFoundException",
    "TEMPLATE_NOT_FOUND": "NotFoundException",
    "ACCOUNT_SUSPENDED": "AccountSuspendedException",
    "ACCOUNT_THROTTLED": "TooManyRequestsException",
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": "LimitExceededException",
    "INVALID_SENDING_POOL_NAME": "BadRequestException",
    "ACCOUNT_SENDING_PAUSED": "AccountSendingPausedException",
    "CONFIGURATION_SET_SENDING_PAUSED": "SendingPausedException",
    "INVALID_PARAMETER": "BadRequestException",
    "TRANSIENT_FAILURE": "ServiceUnavailable",
    "FAILED": "MessageRejected",
}


class Destination(NamedTuple):
    """One recipient of a SendBulkEmail: their address (as :func:`mobilise.emails.bulk.
    destination` writes it), their template data (JSON) and their ``List-Unsubscribe``."""

    to: str
    data: str
    unsubscribe: str  # the header's value (mobilise.emails.bulk.unsubscribe_header)


class Accepted(NamedTuple):
    """What SES said of one destination: its message id, or the code of its refusal."""

    message_id: str | None
    code: str | None = None


def send_bulk(
    template: Template, default_data: str, to: Sequence[Destination], tags: Mapping[str, str]
) -> list[Accepted]:
    """Send one templated email to each of ``to`` (at most :data:`MAX_BULK`) in one request:
    what SES said of each, in order. A refusal of the whole request is SES's
    :class:`ClientError`, read by :func:`permanent_refusal`. Through the client: its work
    is shared by the call's destinations (and X-Ray traces it when it samples)."""
    settings = get_settings()
    answer = aws.sesv2().send_bulk_email(
        FromEmailAddress=bulk_sender(settings.sender_address),
        DefaultContent={
            "Template": {
                "TemplateContent": {
                    "Subject": template.subject,
                    "Text": template.text,
                    "Html": template.html,
                },
                "TemplateData": default_data,
                "Headers": [
                    {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"}
                ],
            }
        },
        BulkEmailEntries=[
            {
                "Destination": {"ToAddresses": [each.to]},
                "ReplacementEmailContent": {
                    "ReplacementTemplate": {"ReplacementTemplateData": each.data}
                },
                "ReplacementHeaders": [{"Name": "List-Unsubscribe", "Value": each.unsubscribe}],
            }
            for each in to
        ],
        ConfigurationSetName=settings.ses_configuration_set,
        DefaultEmailTags=[{"Name": name, "Value": value} for name, value in tags.items()],
    )
    results = answer["BulkEmailEntryResults"]
    if len(results) != len(to):
        raise SesUnavailable("BulkEmailEntryResults")  # not an answer of this request: again
    return [
        Accepted(result["MessageId"])
        if result.get("Status") == "SUCCESS"
        else Accepted(None, BULK_STATUS.get(result.get("Status", ""), "MessageRejected"))
        for result in results
    ]


class AddressRefused(Exception):
    """SES refuses, for good, to send to the address (:data:`ADDRESS_REFUSED`)."""


def at_once(error: Exception) -> Exception:
    """What a request that sends one email at once (a test send, the petition to its
    decision-maker) answers for a failed send: :class:`SesUnavailable` if it may pass, or SES
    was not reached (a 503: nothing left), :class:`EmailUnconfirmed` if SES did not answer in
    time (a 504: it may have left), :class:`AddressRefused` if the address is refused for good
    (the person is told), else ``error`` itself (ours or the operator's to fix)."""
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        return SesUnavailable("unreachable")
    if isinstance(error, ReadTimeoutError):
        return EmailUnconfirmed()
    if not isinstance(error, ClientError):
        return error
    try:
        code = permanent_refusal(error)
    except SendingPaused as paused:
        # As a delivery would find it: the pause set (deliveries park), operators alerted once.
        from mobilise.delivery import pausing  # this rare answer only (pausing imports ours)

        pausing.account_refused(paused.code)
        return paused
    except SesUnavailable as unavailable:
        return unavailable
    return AddressRefused(code) if code in ADDRESS_REFUSED else error


def transient(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    return _transient(code, status)


def passing(error: ClientError) -> bool:
    """Whether a refusal may pass, or pauses the account's sending: the email is not failed."""
    return error.response.get("Error", {}).get("Code", "") in SENDING_PAUSED or transient(error)


def _transient(code: str, status: int) -> bool:
    return code in TRANSIENT | OURS or (status >= 500 and code not in PERMANENT | SENDING_PAUSED)


def permanent_refusal(error: ClientError) -> str:
    """The code of a refusal SES would give again, counted in ``EmailsRejected`` (the email is
    not tried again); raises :class:`SesUnavailable` instead for one that may pass, and
    :class:`SendingPaused` for one of the whole account's sending."""
    code = error.response.get("Error", {}).get("Code", "Unknown")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
    try:
        return refusal(code, status)
    except (SendingPaused, SesUnavailable) as passing:
        raise passing from error


def refusal(code: str, status: int = 400) -> str:
    """:func:`permanent_refusal` of a refusal known by its code (and HTTP status): one
    destination's of a SendBulkEmail (:data:`BULK_STATUS`)."""
    if code in SENDING_PAUSED:
        raise SendingPaused(code)
    if _transient(code, status):
        raise SesUnavailable(code)
    metrics.add_metric(name="EmailsRejected", unit="Count", value=1)
    return code
