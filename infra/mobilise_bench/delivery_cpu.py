"""The deliver function's own CPU and write units per email, Mobilise and the naive design
(:func:`mobilise_bench.naive.deliver`) in the same run: ``python -m mobilise_bench.delivery_cpu``.

Medians are over delivery messages; the other figures are a whole update's (sums over sums).
Two petitions of ``recipients`` signers each, published and fanned out; one update's delivery
messages go through the deliver function's handler, the other's through the naive deliver,
alternately, in this one thread. Each invocation's CPU is the thread's, less the time moto
spends emulating AWS in it (:class:`mobilise_bench.counting.RequestCounter`); SES answers at
the client, each request built and signed first (:class:`mobilise_bench.ses.SesQuota`,
unthrottled; its own CPU taken out too), and the HTTP exchange it leaves out is measured apart
(:mod:`mobilise_bench.ses_http`): SendEmail's per email, and SendBulkEmail's per email of the
last bulk call if Mobilise's emails went by it; each design's exchange per email weighs the
two by the emails each operation carried for it (:func:`exchange_per_email`). Write units are
counted from the requests' parameters (:func:`mobilise_bench.counting.dynamodb_units`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import boto3

from mobilise.core import aws
from mobilise.delivery.messages import DeliveryMessage
from mobilise_bench import naive, ses_http
from mobilise_bench.counting import RequestCounter
from mobilise_bench.env import use_fake_aws
from mobilise_bench.ses import BULK, SEND, SesQuota
from mobilise_bench.system import STARTER, System, on_moto, seed_signatures
from mobilise_local import lambdas

DELIVER = "DeliverFunction"


def _record(body: str) -> dict[str, Any]:
    return {
        "messageId": str(hash(body)),
        "receiptHandle": "handle",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SenderId": "bench",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:delivery",
        "awsRegion": "eu-west-1",
    }


def _drain(system: System, queue: str, function: str | None) -> list[str]:
    """Every message of ``queue``: handed to ``function`` if one is named, else returned."""
    sqs = boto3.client("sqs")
    url = system.queue_url(queue)
    bodies: list[str] = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600
    ).get("Messages"):
        for message in messages:
            if function is None:
                bodies.append(message["Body"])
            else:
                system.invoke(function, {"Records": [_record(message["Body"])]})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def _delivery_messages(system: System, recipients: int, tag: str) -> list[str]:
    petition_id = system.create_petition(STARTER)
    seed_signatures(petition_id, recipients, tag=tag)
    reply = system.publish(petition_id, owner=STARTER)
    if reply.status != 201:
        raise RuntimeError(f"publish answered {reply.status}: {reply.text}")
    while _drain(system, "PublishQueue", "FanoutFunction") == []:
        if system.queue_depth("PublishQueue") == 0:
            break
    return _drain(system, "DeliveryQueue", None)


class Sample(NamedTuple):
    """One delivery message delivered: the function's CPU seconds, its write units, its
    emails, and the emails SES accepted by the operation that carried them."""

    cpu: float
    writes: float
    emails: int
    by_operation: Counter[str]


def _measured(
    counter: RequestCounter, quota: SesQuota, deliver: Callable[[], object], emails: int
) -> Sample:
    before = counter.counts.total("dynamodb").write_units
    sent = Counter(quota.emails)
    own = counter.own_cpu()
    with counter.acting(DELIVER):
        deliver()
    own = counter.own_cpu() - own
    writes = counter.counts.total("dynamodb").write_units - before
    return Sample(own, writes, emails, quota.emails - sent)


def exchange_per_email(by_operation: dict[str, int], exchanges: dict[str, float]) -> float:
    """The HTTP exchange's CPU (ms) per email of a design: each operation's per email
    (``exchanges``), weighed by the emails it carried; SendEmail's if none went out."""
    emails = sum(by_operation.values())
    if not emails:
        return exchanges[SEND]
    return sum(exchanges[op] * count for op, count in by_operation.items()) / emails


def measure(recipients: int = 1_000) -> dict[str, Any]:
    """Both designs, message by message, in one run: medians and ratios."""
    use_fake_aws()
    parameters = {  # the daily cap on, as in the saturation runs (see their _parameters)
        "DoubleOptIn": "false",
        "SesMaxSendRate": "1000000",
        "DeliveryConcurrency": "1",
    }
    with on_moto(parameters) as system:
        mobilise = _delivery_messages(system, recipients, "mobilise")
        plain = _delivery_messages(system, recipients, "naive")
        quota = SesQuota(1e9, 1e9)
        function = system.function(DELIVER)
        found: dict[str, list[Sample]] = {"mobilise": [], "naive": []}
        with RequestCounter() as counter:
            quota.install(aws.sesv2(), counter)
            for ours, theirs in zip(mobilise, plain, strict=False):
                message = DeliveryMessage.from_json(theirs)
                emails = len(DeliveryMessage.from_json(ours).recipients)
                handler = partial(lambdas.invoke, function, {"Records": [_record(ours)]})
                found["mobilise"].append(_measured(counter, quota, handler, emails))
                plain_deliver = partial(naive.deliver, message)
                found["naive"].append(
                    _measured(counter, quota, plain_deliver, len(message.recipients))
                )
        sent = quota.last_requests
        if SEND not in sent:  # the naive design's, at least; confirmations' on AWS
            raise RuntimeError("no SendEmail was sent")
        result: dict[str, Any] = {"recipients": recipients, "messages": len(found["mobilise"])}
        result["ses_http"] = ses_http.measure(sent[SEND], times=min(200, recipients))
        exchanges = {SEND: result["ses_http"]["http_exchange_ms"]}
        if BULK in sent:
            result["ses_http_bulk"] = ses_http.measure_bulk(sent[BULK])
            exchanges[BULK] = result["ses_http_bulk"]["http_exchange_ms_per_email"]
    for design, samples in found.items():
        emails = sum(sample.emails for sample in samples)
        by_operation = dict(sum((sample.by_operation for sample in samples), Counter()))
        result[design] = {
            "emails": emails,
            "emails_by_operation": by_operation,
            "cpu_ms_per_email_median": statistics.median(
                1000 * sample.cpu / sample.emails for sample in samples
            ),
            "cpu_ms_per_email": 1000 * sum(sample.cpu for sample in samples) / emails,
            "write_units_per_email_median": statistics.median(
                sample.writes / sample.emails for sample in samples
            ),
            "write_units_per_email": sum(sample.writes for sample in samples) / emails,
            "http_exchange_ms_per_email": exchange_per_email(by_operation, exchanges),
        }
    for figure in ("cpu_ms_per_email_median", "cpu_ms_per_email", "write_units_per_email"):
        result[f"naive_over_mobilise_{figure}"] = result["naive"][figure] / max(
            1e-9, result["mobilise"][figure]
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobilise_bench.delivery_cpu", description=__doc__)
    parser.add_argument("--recipients", type=int, default=1_000)
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(measure(args.recipients), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
