"""The SQS event sources of the template: poll, invoke, delete what succeeded.

Like Lambda's: up to ``BatchSize`` messages an invocation; with
``ReportBatchItemFailures`` only the reported records stay on the queue; if the
function raises, the whole batch stays; a message received ``maxReceiveCount``
times goes to the dead-letter queue (moto applies the redrive policy).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import boto3

from mobilise_local import lambdas
from mobilise_local.resources import Stack
from mobilise_local.template import Function, QueueSource

_ATTRIBUTES: list[Any] = [
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
]


class Pollers:
    def __init__(
        self, sources: list[QueueSource], functions: dict[str, Function], stack: Stack, logger: Any
    ) -> None:
        self._sources = sources
        self._functions = functions
        self._stack = stack
        self._logger = logger
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._changed = threading.Condition()
        #: Invocations per function (tests read it).
        self.invocations: Counter[str] = Counter()
        #: Seconds a function may run, when not the template's (tests make it short).
        self.timeouts: dict[str, float] = {}

    def start(self) -> None:
        for source in self._sources:
            # One poller a source: the function has one execution environment here (see
            # lambdas.invoke_in_environment), so MaximumConcurrency is 1 locally.
            thread = threading.Thread(
                target=self._run, args=(source,), daemon=True, name=f"poller-{source.queue}"
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5) -> None:
        """Stop polling; wait at most ``timeout`` seconds in all for the current calls."""
        self._stop.set()
        join_all(self._threads, timeout)

    def _run(self, source: QueueSource) -> None:
        try:
            self._poll(source)
        except Exception:
            if not self._stop.is_set():
                raise
            # Stopping: moto went away under a long poll or a call; the stack is exiting.

    def _poll(self, source: QueueSource) -> None:
        sqs = boto3.client("sqs")
        url = self._stack.refs[source.queue]
        arn = self._stack.attributes[(source.queue, "Arn")]
        function = self._functions[source.function]
        while not self._stop.is_set():
            received: list[Any] = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(source.batch_size, 10),
                WaitTimeSeconds=1,
                MessageSystemAttributeNames=_ATTRIBUTES,
            ).get("Messages", [])
            if not received:
                continue
            with self._changed:
                self._busy += 1
            try:
                self._invoke(sqs, url, arn, function, source, received)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

    def _invoke(
        self,
        sqs: Any,
        url: str,
        arn: str,
        function: Function,
        source: QueueSource,
        messages: list[dict[str, Any]],
    ) -> None:
        event = {"Records": [sqs_record(message, arn) for message in messages]}
        failed: set[str] = set()
        try:
            self.invocations[function.logical_id] += 1
            result = lambdas.invoke_in_environment(
                function, event, self.timeouts.get(function.logical_id)
            )
        except Exception:
            if not self._stop.is_set():  # when stopping, moto goes away under the function
                self._logger.exception("function raised; the batch stays on the queue")
            return
        if source.report_batch_item_failures and isinstance(result, dict):
            failed = {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )

    def run_until_empty(
        self, max_invocations: int = 10_000, visibility_timeout: int | None = None
    ) -> int:
        """Synchronously: poll every source in turn until all are empty (tests, benchmarks).

        Messages a function reported as failed stay invisible for the queue's visibility
        timeout, as on AWS, and are not retried within this call; ``visibility_timeout=0``
        makes them visible again at once (the time a retry waits, skipped).
        """
        extra: dict[str, Any] = {}
        if visibility_timeout is not None:
            extra["VisibilityTimeout"] = visibility_timeout
        sqs = boto3.client("sqs")
        invocations = 0
        while invocations < max_invocations:
            progressed = False
            for source in self._sources:
                url = self._stack.refs[source.queue]
                received: list[Any] = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(source.batch_size, 10),
                    MessageSystemAttributeNames=_ATTRIBUTES,
                    **extra,
                ).get("Messages", [])
                if received:
                    progressed = True
                    invocations += 1
                    self._invoke(
                        sqs,
                        url,
                        self._stack.attributes[(source.queue, "Arn")],
                        self._functions[source.function],
                        source,
                        received,
                    )
            if not progressed:
                return invocations
        raise RuntimeError(f"queues still busy after {max_invocations} invocations")

    def drain(self, timeout: float) -> bool:
        """Wait until every polled queue is empty and no function runs; False on timeout."""
        sqs = boto3.client("sqs")
        urls = [self._stack.refs[source.queue] for source in self._sources]
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                with self._changed:
                    idle = self._busy == 0
                if idle and all(_empty(sqs, url) for url in urls):
                    with self._changed:
                        if self._busy == 0:
                            return True
                with self._changed:
                    self._changed.wait(timeout=0.2)
            return False
        finally:
            timer.cancel()


def join_all(threads: list[threading.Thread], timeout: float) -> None:
    """Join the threads within one deadline, not one timeout each."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


def _empty(sqs: Any, url: str) -> bool:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]) == 0
        and int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 0
    )


def sqs_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    """The SQS record of a Lambda event, as the event source mapping builds it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": arn.split(":")[3],
    }
