"""The deliver function's own CPU and write units per email, Mobilise and the naive design
(:func:`mobilise_bench.naive.deliver`) in the same run: ``python -m mobilise_bench.delivery_cpu``.

Medians are over delivery messages; the other figures are a whole update's (sums over sums).
Two petitions of ``recipients`` signers each, published and fanned out; one update's delivery
messages go through the deliver function's handler, the other's through the naive deliver,
alternately, in this one thread. Each invocation's CPU is the thread's, less the time moto
spends emulating AWS in it (:class:`mobilise_bench.counting.RequestCounter`); SES answers at
the client, each request built and signed first (:class:`mobilise_bench.ses.SesQuota`,
unthrottled; its own CPU taken out too), and the HTTP exchange it leaves out is measured apart
(:mod:`mobilise_bench.ses_http`). Write units are counted from the requests' parameters
(:func:`mobilise_bench.counting.dynamodb_units`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import boto3

from mobilise.core import aws
from mobilise.delivery.messages import DeliveryMessage
from mobilise_bench import naive, ses_http
from mobilise_bench.counting import RequestCounter
from mobilise_bench.env import use_fake_aws
from mobilise_bench.ses import SesQuota
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


def _measured(
    counter: RequestCounter, deliver: Callable[[], object], emails: int
) -> tuple[float, float, int]:
    """(CPU seconds, write units, emails) of one delivery message."""
    before = counter.counts.total("dynamodb").write_units
    own = counter.own_cpu()
    with counter.acting(DELIVER):
        deliver()
    own = counter.own_cpu() - own
    writes = counter.counts.total("dynamodb").write_units - before
    return own, writes, emails


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
        found: dict[str, list[tuple[float, float, int]]] = {"mobilise": [], "naive": []}
        with RequestCounter() as counter:
            quota.install(aws.sesv2(), counter)
            for ours, theirs in zip(mobilise, plain, strict=False):
                message = DeliveryMessage.from_json(theirs)
                emails = len(DeliveryMessage.from_json(ours).recipients)
                handler = partial(lambdas.invoke, function, {"Records": [_record(ours)]})
                found["mobilise"].append(_measured(counter, handler, emails))
                plain_deliver = partial(naive.deliver, message)
                found["naive"].append(_measured(counter, plain_deliver, len(message.recipients)))
        if quota.last_request is None:
            raise RuntimeError("no email was sent")
        exchange = ses_http.measure(quota.last_request, times=min(200, recipients))
    result: dict[str, Any] = {"recipients": recipients, "messages": len(found["mobilise"])}
    result["ses_http"] = exchange
    for design, samples in found.items():
        emails = sum(count for _, _, count in samples)
        result[design] = {
            "emails": emails,
            "cpu_ms_per_email_median": statistics.median(
                1000 * cpu / count for cpu, _, count in samples
            ),
            "cpu_ms_per_email": 1000 * sum(cpu for cpu, _, _ in samples) / emails,
            "write_units_per_email_median": statistics.median(
                writes / count for _, writes, count in samples
            ),
            "write_units_per_email": sum(writes for _, writes, _ in samples) / emails,
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
