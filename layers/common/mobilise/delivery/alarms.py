"""The operators' alarms of a paused delivery, published on ``AlarmTopic`` (SNS), where the
CloudWatch alarms publish theirs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.core.observability import logger


def alarm(subject: str, details: Mapping[str, Any]) -> None:
    """Notify the operators; a failure is logged, never the pause's undoing (the pause is in
    the table, and the operators' command lists it)."""
    topic = get_settings().alarm_topic_arn
    if not topic:
        logger.warning("no alarm topic to notify", subject=subject)
        return
    try:
        aws.sns().publish(
            TopicArn=topic,
            Subject=f"Mobilise: {subject}",
            Message=json.dumps({"event": subject, **details}, sort_keys=True),
        )
    except Exception:
        logger.exception("operators not notified", subject=subject)


def reset() -> None:
    """Forget the SNS client (tests on a new moto)."""
    aws.sns.cache_clear()
