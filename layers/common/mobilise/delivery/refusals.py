"""What a send to SES may end in besides an email sent, as exceptions: their own module, so
that the API, which answers each with its status, imports neither the sender nor botocore's
SES request (:mod:`mobilise.delivery.ses` raises them)."""

from __future__ import annotations


class SesUnavailable(Exception):
    """SES throttled or failed on its side: the record is retried through SQS."""


class SendingPaused(SesUnavailable):
    """SES refuses to send any email of the account: it may pass (once an operator has it
    lifted), so no email is failed for it; delivery pauses (mobilise.delivery.pausing), and
    the other senders try again later as after throttling."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class EmailUnconfirmed(Exception):
    """SES took the request of an email sent at once but did not answer it in time
    (:data:`mobilise.core.aws.SES_READ_TIMEOUT`): the email may well have left, so it counts
    as sent, and the person is told to check before sending it again."""
