"""What one update email a day per person costs (mobilise.digests): write units per email and
per million recipients, the cap on and off, in the same run:
``python -m mobilise_bench.daily_cap``.

Two lists of ``persons`` people, each run with the cap off and on. In the first, each person
signed three petitions of three starters, who publish within the hour; a day later the schedule
queues the digests and the deliver function sends them. Cap off, each person gets three emails;
cap on, one update email and one digest of the two others. In the second, each person signed
one petition, whose one update is published and delivered (the schedule still runs a day on,
as in the first): the cap delays nobody, so what it adds there is its bookkeeping alone.

Counted, the same way for both: the requests of the deliver function and of the every-minute
schedule, by the billed units of their parameters
(:func:`mobilise_bench.counting.dynamodb_units`), plus one write unit per conditional write
refused (DynamoDB bills it), plus the writes of the ``outbox`` index the digest entries make
(written, queued, deleted: two of them count two, a key moved), which no request's parameters
show.
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


def _day(system: System, persons: int, petitions: int) -> None:
    """``petitions`` petitions signed by the same people; one update each, 20 minutes apart;
    a day on, the schedule and the deliver function send what waited."""
    clock.freeze(T0)
    starters = [f"starter{index}" for index in range(petitions)]
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


def run(persons: int, cap: bool, petitions: int = PETITIONS) -> dict[str, Any]:
    """One day of ``persons`` people who each signed ``petitions`` petitions, the cap on or
    off: what it wrote and sent."""
    parameters = {
        "DoubleOptIn": "false",
        "SesMaxSendRate": "1000000",
        "SignerDailyCap": "true" if cap else "false",
    }
    with on_moto(parameters) as system, RequestCounter() as counter, _attributed(counter):
        _day(system, persons, petitions)
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
    recipients = persons * petitions
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


def _off_and_on(persons: int, petitions: int) -> dict[str, Any]:
    """The same day twice, the cap off then on."""
    return {
        "off": run(persons, cap=False, petitions=petitions),
        "on": run(persons, cap=True, petitions=petitions),
    }


def measure(persons: int) -> dict[str, Any]:
    """Both lists: ``off``/``on`` for the people who signed :data:`PETITIONS` petitions each,
    ``one_petition`` for the people who signed one each."""
    use_fake_aws()
    return {
        "persons": persons,
        **_off_and_on(persons, PETITIONS),
        "one_petition": _off_and_on(persons, 1),
    }


#: The table's rows: (label, key of a run's results, format).
_ROWS = (
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


def _columns(found: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(heading, run) of each column: each list of people, the cap off then on."""
    lists = ((f"{PETITIONS} petitions each", found), ("1 petition each", found["one_petition"]))
    return [(f"{name}, cap {cap}", runs[cap]) for name, runs in lists for cap in ("off", "on")]


def markdown(found: dict[str, Any]) -> list[str]:
    columns = _columns(found)
    rows = [[label, *(fmt.format(run[key]) for _, run in columns)] for label, key, fmt in _ROWS]
    return [
        f"{found['persons']:,} people who each signed {PETITIONS} petitions whose starters "
        f"publish within the hour, then the digests a day later; and as many people who each "
        f"signed one petition, whose one update the cap delays for nobody (what the cap adds "
        f"there is its bookkeeping alone). The deliver function's and the schedule's writes "
        f"(fan-out's and the API's are the same either way, and left out).",
        "",
        *table(["one day", *(heading for heading, _ in columns)], rows),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobilise_bench.daily_cap")
    parser.add_argument("--persons", type=int, default=PERSONS)
    parser.add_argument(
        "--markdown", action="store_true", help="print the table of make bench, not the JSON"
    )
    args = parser.parse_args(argv)
    found = measure(args.persons)
    if args.markdown:
        sys.stdout.write("\n".join(markdown(found)) + "\n")
    else:
        json.dump(found, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
