"""What one update email a day per person costs (mobilise.digests): write units per email and
per million recipients, the cap on and off, in the same run:
``python -m mobilise_bench.daily_cap``.

``persons`` people each signed three petitions of three starters, who publish within the hour;
a day later the schedule queues the digests and the deliver function sends them. Cap off, each
person gets three emails; cap on, one update email and one digest of the two others. Counted:
the requests of the deliver function and of the every-minute schedule, by the billed units of
their parameters (:func:`mobilise_bench.counting.dynamodb_units`), plus one write unit per
conditional write refused (DynamoDB bills it), plus the writes of the ``outbox`` index the
digest entries make (written, queued, deleted: two of them count two, a key moved), which no
request's parameters show.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from mobilise.core import clock
from mobilise_bench import costs
from mobilise_bench.counting import RequestCounter
from mobilise_bench.env import use_fake_aws
from mobilise_bench.report import table
from mobilise_bench.system import System, on_moto, seed_signatures
from mobilise_local import lambdas
from mobilise_local.template import Function

PETITIONS = 3
PERSONS = 800  # 50 a delivery message once spread over the 16 shards: as a large update's
SMOKE_PERSONS = 16
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
COUNTED = ("DeliverFunction", "ScheduledPublishFunction")
#: Writes of the ``outbox`` index per update that waited: its entry written, its key moved
#: when its digest was queued (the old index entry deleted, the new one written), deleted.
INDEX_WRITES_PER_DIGESTED = 4
_WRITES = ("PutItem", "UpdateItem", "DeleteItem")
SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


@contextmanager
def _attributed(counter: RequestCounter) -> Iterator[None]:
    """Every function invocation's requests counted under the function's name."""
    original = lambdas.invoke

    def invoke(
        function: Function, event: dict[str, Any], timeout_seconds: float | None = None
    ) -> Any:
        with counter.acting(function.logical_id):
            return original(function, event, timeout_seconds)

    lambdas.invoke = invoke
    try:
        yield
    finally:
        lambdas.invoke = original


def _day(system: System, persons: int) -> None:
    """Three petitions signed by the same people; three updates within the hour; a day on,
    the schedule and the deliver function send what waited."""
    clock.freeze(T0)
    starters = [f"starter{index}" for index in range(PETITIONS)]
    for starter in starters:
        petition_id = system.create_petition(starter)
        seed_signatures(petition_id, persons, tag="person")
        reply = system.publish(petition_id, owner=starter, title=f"News from {starter}")
        if reply.status != 201:
            raise RuntimeError(f"publish answered {reply.status}: {reply.text}")
        system.run_queues()
        clock.advance(timedelta(minutes=20).total_seconds())
    clock.freeze(T0 + timedelta(hours=24, minutes=1))
    system.invoke("ScheduledPublishFunction", SCHEDULE)
    system.run_queues()


def run(persons: int, cap: bool) -> dict[str, Any]:
    """One day of ``persons`` people, the cap on or off: what it wrote and sent."""
    parameters = {
        "DoubleOptIn": "false",
        "SesMaxSendRate": "1000000",
        "SignerDailyCap": "true" if cap else "false",
    }
    with on_moto(parameters) as system, RequestCounter() as counter, _attributed(counter):
        _day(system, persons)
        sent = system.outbox()
    emails = len(sent)
    digests = sum("/unsubscribe-digest/" in m["headers"].get("List-Unsubscribe", "") for m in sent)
    clock.reset()
    counted = counter.counts.by_operation(actors=set(COUNTED))
    refused = sum(
        tally.requests
        for key, tally in counter.counts.tallies.items()
        if key.actor in COUNTED
        and key.service == "dynamodb"
        and key.operation in _WRITES
        and key.outcome == "ConditionalCheckFailedException"
    )
    table_units = sum(t.write_units for (s, _), t in counted.items() if s == "dynamodb") + refused
    recipients = persons * PETITIONS
    digested = recipients - (emails - digests)
    units = table_units + INDEX_WRITES_PER_DIGESTED * digested
    per_million = 1_000_000 / recipients
    return {
        "recipients": recipients,
        "emails": emails,
        "digests": digests,
        "digested": digested,
        "table_write_units": table_units,
        "refused_conditional_writes": refused,
        "index_write_units": INDEX_WRITES_PER_DIGESTED * digested,
        "write_units_per_email": units / emails,
        "write_units_per_recipient": units / recipients,
        "dynamodb_writes_per_million_recipients": units
        * per_million
        * costs.DYNAMODB_PER_WRITE_UNIT,
        "ses_per_million_recipients": emails * per_million * costs.SES_PER_EMAIL,
    }


def measure(persons: int) -> dict[str, Any]:
    use_fake_aws()
    return {"persons": persons, "off": run(persons, cap=False), "on": run(persons, cap=True)}


def markdown(found: dict[str, Any]) -> list[str]:
    off, on = found["off"], found["on"]
    rows = [
        [label, fmt.format(off[key]), fmt.format(on[key])]
        for label, key, fmt in (
            ("update recipients (update × person)", "recipients", "{:,}"),
            ("emails sent", "emails", "{:,}"),
            ("of which digests", "digests", "{:,}"),
            ("updates that waited in a digest", "digested", "{:,}"),
            ("table write units (refused conditions included)", "table_write_units", "{:,.0f}"),
            ("outbox index write units (digest entries)", "index_write_units", "{:,}"),
            ("write units per email", "write_units_per_email", "{:.3f}"),
            ("write units per recipient", "write_units_per_recipient", "{:.3f}"),
            (
                "DynamoDB writes, $ per million recipients",
                "dynamodb_writes_per_million_recipients",
                "{:.2f}",
            ),
            ("SES, $ per million recipients", "ses_per_million_recipients", "{:.2f}"),
        )
    ]
    return [
        f"{found['persons']:,} people who each signed {PETITIONS} petitions whose starters "
        f"publish within the hour, then the digests a day later; the deliver function's and the "
        f"schedule's writes (fan-out's and the API's are the same either way, and left out).",
        "",
        *table(["one day", "cap off", "cap on"], rows),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobilise_bench.daily_cap")
    parser.add_argument("--persons", type=int, default=PERSONS)
    json.dump(measure(parser.parse_args(argv).persons), sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
