"""SES events (configuration set -> SNS -> SQS): bounces, complaints, rejects, rendering
failures, unsubscribes.

A permanent bounce or a complaint puts the address on the global suppression
list (every petition); a transient bounce does not. A subscription event (the
recipient unsubscribed through SES) unsubscribes the signer. Statistics are
added per update once per batch, never once per email; after each addition the update's
circuit breaker judges its counters (:mod:`mobilise.delivery.breaker`). A reject, or a
rendering failure (SES accepted an update's templated email, :mod:`mobilise.emails.bulk`,
and then could not render it: no email left), counts its email failed.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from mobilise.core import crypto
from mobilise.core.batches import BatchResponse, Record, each_record
from mobilise.core.errors import InvalidLink
from mobilise.core.observability import logger, metrics
from mobilise.delivery import breaker, store

Stats = defaultdict[tuple[str, str], Counter[str]]


def _tag(mail: dict[str, Any], name: str) -> str | None:
    values = mail.get("tags", {}).get(name) or []
    return str(values[0]) if values else None


def event_of(sns_envelope: str) -> dict[str, Any]:
    """The SES event inside an SNS notification (as SNS delivers it to SQS)."""
    envelope = json.loads(sns_envelope)
    event: dict[str, Any] = json.loads(envelope["Message"])
    return event


def apply(event: dict[str, Any]) -> Counter[str]:
    """Act on one SES event; returns the statistics it adds to its update."""
    kind = event.get("eventType") or event.get("notificationType")
    mail = event.get("mail", {})
    counts: Counter[str] = Counter()
    if kind == "Bounce":
        bounce = event["bounce"]
        if bounce.get("bounceType") == "Permanent":
            for recipient in bounce.get("bouncedRecipients", []):
                store.suppress(crypto.email_hash(recipient["emailAddress"]), "bounce")
                counts["bounced"] += 1
    elif kind == "Complaint":
        for recipient in event["complaint"].get("complainedRecipients", []):
            store.suppress(crypto.email_hash(recipient["emailAddress"]), "complaint")
            counts["complained"] += 1
    elif kind == "Reject":
        counts["failed"] += 1
    elif kind == "Rendering Failure":  # SES took an update's email and could not render it
        counts["failed"] += 1
        logger.warning(
            "email not rendered by SES",
            petition_id=_tag(mail, "petition_id"),
            update_id=_tag(mail, "update_id"),
            error=str(event.get("failure", {}).get("errorMessage", ""))[:200],
        )
        metrics.add_metric(name="EmailsNotRendered", unit="Count", value=1)
    elif kind == "Subscription":
        petition_id = _tag(mail, "petition_id")
        for address in mail.get("destination", []) if petition_id else []:
            try:
                if store.unsubscribe(petition_id, crypto.email_hash(address)):  # type: ignore[arg-type]
                    counts["unsubscribed"] += 1
            except InvalidLink:
                logger.info("unsubscribe event for an unknown signer", petition_id=petition_id)
    logger.info("ses event", event_type=kind, extra=dict(counts))
    return counts


def apply_records(event: dict[str, Any]) -> BatchResponse:
    """Each record on its own (partial batch failures); the statistics in one write per update."""
    stats: Stats = defaultdict(Counter)

    def record_handler(record: Record) -> None:
        ses_event = event_of(record["body"])
        counts = apply(ses_event)
        mail = ses_event.get("mail", {})
        petition_id, update_id = _tag(mail, "petition_id"), _tag(mail, "update_id")
        if petition_id and update_id:
            stats[(petition_id, update_id)].update(counts)

    try:
        return each_record(event, record_handler)
    finally:
        for (petition_id, update_id), counts in stats.items():
            if not +counts:
                continue  # a transient bounce, an unsubscribe again: nothing to add or judge
            counters = added(petition_id, update_id, counts)
            if counts["bounced"] or counts["complained"]:
                breaker.judge(petition_id, update_id, counters)
        suppressed = sum(c["bounced"] + c["complained"] for c in stats.values())
        metrics.add_metric(name="AddressesSuppressed", unit="Count", value=suppressed)


def added(petition_id: str, update_id: str, counts: Mapping[str, int]) -> Mapping[str, int]:
    """Add a batch's statistics to its update; the update's counters after the addition."""
    return store.add_stats(petition_id, update_id, counts)
