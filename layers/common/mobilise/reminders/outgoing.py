"""How every reminder goes out: the due work a page at a time while the invocation has
time, one record per email written before it is sent (at most once), and the send itself
through the one SES sender.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from mobilise.core import clock
from mobilise.core.config import get_settings
from mobilise.core.observability import logger, metrics
from mobilise.delivery import ses
from mobilise.delivery.pacing import pacer
from mobilise.delivery.ses import SesUnavailable
from mobilise.emails import rendering
from mobilise.table import job_records
from mobilise.table.models import Petition, Update

Remaining = Callable[[], int]
#: A run stops taking new work when its invocation has less time left than this.
RESERVE_MS = 15_000
T = TypeVar("T")
#: What the due index holds: petitions (nudges), updates (events, meetings).
Due = TypeVar("Due", Petition, Update)
#: How many due items a run reads at a time.
PAGE = 25


@dataclass
class Run:
    """What one run did."""

    sent: int = 0
    skipped: int = 0
    finished: bool = True

    def report(self) -> dict[str, Any]:
        return {"sent": self.sent, "skipped": self.skipped, "finished": self.finished}


def each_due(
    fetch: Callable[[str, datetime, int, dict[str, Any] | None], tuple[list[Due], Any]],
    kind: str,
    remaining_ms: Remaining,
    do: Callable[[Due, str, datetime], bool],
) -> Run:
    """``do(item, due_at, now)`` for every item of ``kind`` due by now, counted as sent (it
    returned True) or skipped; the run stops between pages when time runs short."""
    done = Run()
    now = clock.now()
    for due, more in due_pages(fetch, kind, now):
        for item in due:
            assert item.outbox_sk is not None  # the index holds only items with its keys
            if do(item, item.outbox_sk, now):
                done.sent += 1
            else:
                done.skipped += 1
        if more and remaining_ms() < RESERVE_MS:
            done.finished = False
            return done
    return done


def due_pages(
    fetch: Callable[[str, datetime, int, dict[str, Any] | None], tuple[list[T], Any]],
    kind: str,
    now: datetime,
) -> Iterator[tuple[list[T], bool]]:
    """The pages of the work of ``kind`` due by ``now`` (the sparse ``outbox`` index), each
    with whether more follow."""
    cursor: dict[str, Any] | None = None
    while True:
        due, cursor = fetch(kind, now, PAGE, cursor)
        yield due, cursor is not None
        if cursor is None:
            return


def local_time(moment: str, time_zone: str | None) -> str:
    """A stored UTC time as the people there read it: ``2026-12-05 14:00 (Europe/Paris)``."""
    zone = time_zone or "UTC"
    there = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone))
    return f"{there:%Y-%m-%d %H:%M} ({zone})"


def unsubscribe_slot() -> str:
    return f"{rendering.UNSUBSCRIBE_SLOT}-{secrets.token_hex(16)}"


def render_reminder(
    template: str, language: str, subject: str, slot: str, context: dict[str, Any]
) -> rendering.Rendered:
    return rendering.Rendered(
        subject=rendering.one_line(subject),
        html=rendering.render(f"{template}.html", language, **context),
        text=rendering.render(f"{template}.txt", language, **context),
        slot=slot,
    )


def once(
    job: str,
    subject: str,
    period: str,
    send: Callable[[], bool],
    expires_at: datetime | None = None,
) -> bool:
    """Send, if (job, subject, period) was never recorded; the record is written first."""
    if not job_records.record_job(job, subject, period, expires_at):
        return False
    try:
        return send()
    except SesUnavailable:
        job_records.forget_job(job, subject, period)  # the next run tries again
        raise


def send_reminder(
    to: str, rendered: rendering.Rendered, off_url: str, tags: dict[str, str]
) -> bool:
    """One email through SESv2; False if it cannot be built or SES refused it for good (it is
    not tried again)."""
    settings = get_settings()
    try:
        raw = rendering.addressed(
            rendered,
            sender=settings.sender_address,
            to=to,
            links=rendering.RecipientLinks(unsubscribe=off_url),
        )
    except Exception as error:  # an address no email can carry costs no one else theirs
        # The error's class only: its message may quote the address.
        logger.warning(
            "reminder not built", petition_id=tags["petition_id"], error=type(error).__name__
        )
        metrics.add_metric(name="EmailsNotBuilt", unit="Count", value=1)
        return False
    pacer().wait()
    try:
        ses.send(to, raw, tags)
    except ClientError as error:
        code = ses.permanent_refusal(error)  # SesUnavailable if it may pass
        logger.warning("reminder refused by SES", code=code, petition_id=tags["petition_id"])
        return False
    return True
