"""One fan-out, start to end, in one fresh interpreter: ``python -P fanout_child.py < spec``.

Run as a script by :mod:`mobilise_bench.memory`. The fanout handler is loaded as
Lambda loads it, then serves the publish queue until it is empty: the job the api
function queued (split per shard), then every message that put on the queue
(shards, and checkpoints if any), one a batch, all in this one execution environment.
The delivery messages it sends are counted here and answered as SQS would,
without being kept anywhere. Peak RSS is this process's ``VmHWM``
(see :func:`peak_rss_mib` for why not ``ru_maxrss``).

The last line of stdout is ``BENCH_RESULT {json}``.
"""

import hashlib
import json
import resource
import sys
import time
import uuid
from typing import Any

from mobilise_local.runtime import Context, load_handler


def peak_rss_mib() -> float:
    """This process's peak resident set size: ``VmHWM``, the high-water mark of its memory
    map, which starts afresh at ``execve``. ``ru_maxrss`` does not: Linux keeps it across
    ``execve``, so a child forked from a large parent reports the parent's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return maxrss_mib()


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class DeliverySink:
    """Answers SendMessageBatch to the delivery queue at the client, counting the recipients."""

    def __init__(self, delivery_queue_url: str) -> None:
        self.url = delivery_queue_url
        self.messages = 0
        self.recipients = 0
        self.requests = 0

    def mark(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if params.get("QueueUrl") == self.url:
            context["bench_sink"] = params["Entries"]

    def answer(self, context: dict[str, Any], **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        entries = context.get("bench_sink")
        if entries is None:
            return None
        self.requests += 1
        successful = []
        for entry in entries:
            body = entry["MessageBody"]
            self.messages += 1
            self.recipients += len(json.loads(body)["recipients"])
            successful.append(
                {
                    "Id": entry["Id"],
                    "MessageId": str(uuid.uuid4()),
                    "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324
                }
            )
        headers: Any = {}
        response = AWSResponse(self.url, 200, headers, None)
        return response, {"Successful": successful, "Failed": [], "ResponseMetadata": {}}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    started = time.perf_counter()
    handler = load_handler(spec["code_dir"], spec["handler"])

    import boto3

    from mobilise.core import aws

    sink = DeliverySink(spec["delivery_queue_url"])
    client = aws.sqs()
    client.meta.events.register("before-parameter-build.sqs.SendMessageBatch", sink.mark)
    client.meta.events.register("before-call.sqs.SendMessageBatch", sink.answer)
    sqs: Any = boto3.client("sqs")
    rss_ready = peak_rss_mib()

    invocations = 0
    failures = 0

    def receive() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=spec["publish_queue_url"],
            MaxNumberOfMessages=1,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        return found

    pending = receive()  # the job the api function queued when the update was published
    while pending:
        for message in pending:
            event = {
                "Records": [
                    {
                        "messageId": message["MessageId"],
                        "receiptHandle": message["ReceiptHandle"],
                        "body": message["Body"],
                        "attributes": message["Attributes"],
                        "messageAttributes": {},
                        "md5OfBody": message["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": spec["publish_queue_arn"],
                        "awsRegion": "eu-west-1",
                    }
                ]
            }
            answer = handler(event, Context(spec["function"], spec["memory"], spec["timeout"]))
            invocations += 1
            failures += len(answer.get("batchItemFailures", []))
            if not answer.get("batchItemFailures"):
                sqs.delete_message(
                    QueueUrl=spec["publish_queue_url"], ReceiptHandle=message["ReceiptHandle"]
                )
        pending = receive()
    result = {
        "rss_ready_mib": rss_ready,
        "rss_peak_mib": peak_rss_mib(),
        "ru_maxrss_mib": maxrss_mib(),
        "invocations": invocations,
        "failed_records": failures,
        "delivery_messages": sink.messages,
        "delivery_requests": sink.requests,
        "recipients": sink.recipients,
        "seconds": time.perf_counter() - started,
    }
    sys.stdout.write("\nBENCH_RESULT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
