"""Partial batch responses (mobilise.core.batches) answer as Powertools' batch utility,
which the queues' functions no longer import (issue 14): compared with it on every pattern
of failing records, and the log of a failed record names its message and its error's kind,
never the error's text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from hypothesis import given
from hypothesis import strategies as st

from mobilise.core.batches import BatchFailed, Record, each_record
from tests.log_capture import captured_logs

_SQS_EVENT = Path(__file__).parents[1] / "events" / "sqs_delivery_batch_with_poison.json"


def _event(outcomes: list[bool]) -> dict[str, Any]:
    template = json.loads(_SQS_EVENT.read_text())["Records"][0]
    records = [
        {**template, "messageId": f"m{index}", "body": "ok" if fine else "fails"}
        for index, fine in enumerate(outcomes)
    ]
    return {"Records": records}


def _handle(record: Record) -> None:
    if record["body"] != "ok":
        raise RuntimeError("the text of the error, with an address: someone@example.org")


def _answer(run: Any) -> tuple[str, Any]:
    try:
        return "answered", run()
    except (BatchFailed, BatchProcessingError):
        return "raised", None


@given(st.lists(st.booleans(), min_size=1, max_size=12))
def test_each_pattern_of_failures_is_answered_as_powertools_answers_it(
    outcomes: list[bool],
) -> None:
    batch = _event(outcomes)

    ours = _answer(lambda: each_record(batch, _handle))
    theirs = _answer(
        lambda: process_partial_response(
            event=batch,
            record_handler=lambda record: _handle(record.raw_event),
            processor=BatchProcessor(event_type=EventType.SQS),
        )
    )

    assert ours == theirs


def test_a_failed_record_is_reported_and_logged_by_its_message_and_error_kind() -> None:
    with captured_logs() as logs:
        answer = each_record(_event([True, False, True]), _handle)

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    (line,) = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert (line["message"], line["message_id"], line["error"]) == (
        "record failed",
        "m1",
        "RuntimeError",
    )
    assert "example.org" not in logs.getvalue()


def test_when_every_record_fails_the_invocation_fails_with_each_error() -> None:
    with pytest.raises(BatchFailed, match="all 2 records failed") as failed:
        each_record(_event([False, False]), _handle)

    assert [type(error) for error in failed.value.errors] == [RuntimeError, RuntimeError]


def test_a_record_without_a_message_id_fails_the_whole_batch() -> None:
    """Lambda never sends one; it could not be reported alone, so nothing is lost."""
    batch = _event([True, False])
    del batch["Records"][1]["messageId"]

    with pytest.raises(BatchFailed):
        each_record(batch, _handle)


def test_an_empty_batch_has_no_failures() -> None:
    """Lambda never sends one; Powertools raised its UnexpectedBatchTypeError for it."""
    assert each_record({"Records": []}, _handle) == {"batchItemFailures": []}


def test_an_event_without_records_is_refused() -> None:
    with pytest.raises(ValueError, match="no Records"):
        each_record({"detail-type": "Scheduled Event"}, _handle)
