"""Domain errors. The API maps each to one HTTP answer, in one place (mobilise.api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class DomainError(Exception):
    """A request the domain refuses, with a message a person understands."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class NotOwner(DomainError):
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__("Only the starter of this petition can do that.")


class AlreadySigned(DomainError):
    """The mailbox had signed this petition. Never an answer of the API (it would tell who
    signed what): signing answers the same, and the email says what happened."""

    code = "already_signed"

    def __init__(self) -> None:
        super().__init__("This email address has already signed this petition.")


class UpdateTooSoon(DomainError):
    code = "update_too_soon"

    def __init__(self, next_update_allowed_at: datetime) -> None:
        super().__init__(
            "A petition can send one update every 24 hours; the next one is allowed at "
            + next_update_allowed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            + "."
        )
        self.next_update_allowed_at = next_update_allowed_at


class InvalidLink(DomainError):
    """A signed link that is tampered, expired or points at nothing: one answer for all."""

    code = "invalid_link"

    def __init__(self) -> None:
        super().__init__("This link is not valid or has expired.")


class Unauthenticated(DomainError):
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("Sign in first: this needs an Authorization bearer token.")


class RateLimited(DomainError):
    code = "too_many_requests"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many signatures from your network for this petition; try later.")
        self.retry_after_seconds = max(1, retry_after_seconds)


class ProofRequired(RateLimited):
    """A signature past its network's burst, without a valid proof of work: the answer
    carries ``challenge``, a new one to solve (:mod:`mobilise.petitions.proof_of_work`); its
    code stays ``too_many_requests``, so that a client of the rate limit reads it as before."""

    def __init__(self, message: str, challenge: dict[str, Any], retry_after_seconds: int) -> None:
        DomainError.__init__(self, message)
        self.challenge = challenge
        self.retry_after_seconds = max(1, retry_after_seconds)


class InvalidField(DomainError):
    """A field that is well formed but that the domain refuses (a 422 naming the field),
    found after the request was validated: an uploaded photo that is not an image."""

    code = "validation_error"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Conflict(DomainError):
    """The request is refused by the state of what it acts on (409)."""

    code = "conflict"


class TooManyResponses(DomainError):
    code = "too_many_responses"

    def __init__(self, limit: int) -> None:
        super().__init__(f"You can answer this update {limit} times at most.")


class RsvpConflict(DomainError):
    code = "conflict"

    def __init__(self) -> None:
        super().__init__("Your answer changed at the same time elsewhere; send it again.")


class InvalidPhoto(InvalidField):
    """The photo an update names cannot be published: a 422 naming ``photo``."""

    def __init__(self, reason: str) -> None:
        super().__init__("photo", reason)


class TooManyUploads(RateLimited):
    def __init__(self, retry_after_seconds: int) -> None:
        DomainError.__init__(self, "Too many photo uploads asked for; try again later.")
        self.retry_after_seconds = max(1, retry_after_seconds)


class InvalidCursor(DomainError):
    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not one this API gave.")


class NoVerifiedAddress(Conflict):
    code = "no_verified_address"

    def __init__(self) -> None:
        super().__init__(
            "A test send goes to the starter's own verified address, and none is known: "
            "sign in with an identity whose email address is verified."
        )


class EmailRefused(Conflict):
    """SES refused, for good, the one email a request sends (a test send to the starter)."""

    code = "email_refused"

    def __init__(self) -> None:
        super().__init__(
            "Our email service refused to send to your address, so nothing was sent: "
            "check the address of your account."
        )


class UnsupportedBody(DomainError):
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__("Send the body as JSON or as a form (application/x-www-form-urlencoded).")


class NotAnEvent(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no published event with this id on this petition.")


class SendingTooSoon(RateLimited):
    """The petition was sent to its decision-maker less than a week ago (429, with when the
    next sending is allowed)."""

    def __init__(self, next_allowed_at: datetime, retry_after_seconds: int) -> None:
        DomainError.__init__(
            self,
            "A petition can be sent to its decision-maker once a week; the next sending is "
            "allowed at " + next_allowed_at.strftime("%Y-%m-%dT%H:%M:%SZ") + ".",
        )
        self.next_allowed_at = next_allowed_at
        self.retry_after_seconds = max(1, retry_after_seconds)


class TooManyAnswers(RateLimited):
    def __init__(self, retry_after_seconds: int) -> None:
        DomainError.__init__(self, "Too many answers sent through this link; try again later.")
        self.retry_after_seconds = max(1, retry_after_seconds)


class AnswerClosed(Conflict):
    """The decision-maker's answer can no longer be changed (its editing time is over)."""

    code = "answer_closed"

    def __init__(self) -> None:
        super().__init__("This answer can no longer be changed.")
