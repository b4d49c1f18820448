"""The queues' messages (mobilise.delivery.messages, frozen dataclasses since issue 14): the
JSON the pydantic models wrote is read, and written again byte for byte, so messages in
flight during a deploy are read by either version; and whatever body reaches a queue, it is
read as a message or refused with InvalidMessage, never another error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.delivery.messages import (
    ConfirmationMessage,
    DeliveryMessage,
    DigestMessage,
    FanoutMessage,
    InvalidMessage,
    QueueMessage,
    delivery_queue_message,
)

HASH = "ab" * 32
#: Bodies as the pydantic models' model_dump_json() wrote them (commit 84c242e).
WRITTEN_BY_PYDANTIC = [
    (FanoutMessage, '{"petition_id":"p1","update_id":"u1","shard":null,"cursor":null}'),
    (
        FanoutMessage,
        '{"petition_id":"p1","update_id":"u1","shard":3,"cursor":{"pk":{"S":"SIG#p1#003"}}}',
    ),
    (
        DeliveryMessage,
        f'{{"kind":"update","petition_id":"p1","update_id":"u1","recipients":["{HASH}"]}}',
    ),
    (
        ConfirmationMessage,
        f'{{"kind":"confirm","petition_id":"p1","email_hash":"{HASH}",'
        f'"requested_at":"2026-12-05T10:00:00+00:00"}}',
    ),
    (DigestMessage, f'{{"kind":"digest","email_hash":"{HASH}"}}'),
]


@pytest.mark.parametrize(("kind", "body"), WRITTEN_BY_PYDANTIC)
def test_what_the_pydantic_models_wrote_is_read_and_written_the_same(
    kind: type[QueueMessage], body: str
) -> None:
    message = kind.from_json(body)

    assert message.to_json() == body
    if kind is not FanoutMessage:
        assert delivery_queue_message(body) == message


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # too deep for the parser
        b"\xff\xfe",  # not text
        "null",
        '{"kind":"update"}',
        '{"kind":"update","petition_id":"p1","update_id":"u1","recipients":[]}',
        f'{{"kind":"update","petition_id":"p1","update_id":"u1","recipients":["{HASH}"],"x":1}}',
        f'{{"kind":"confirm","petition_id":"p1","email_hash":"{HASH}","requested_at":7}}',
        f'{{"kind":"digest","email_hash":"{HASH.upper()}"}}',
        '{"kind":"unknown"}',
    ],
)
def test_a_body_that_is_no_message_is_refused_with_a_reason(body: str | bytes) -> None:
    with pytest.raises(InvalidMessage):
        delivery_queue_message(body)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=70) | st.just(HASH),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)
_FIELDS = st.sampled_from(
    ["kind", "petition_id", "update_id", "recipients", "email_hash", "requested_at", "shard"]
)


@given(
    st.text(max_size=200)
    | st.dictionaries(_FIELDS, _JSON | st.sampled_from(["update", "confirm", "digest"])).map(
        json.dumps
    )
)
def test_any_body_is_read_as_a_message_or_refused(body: str) -> None:
    for read in (delivery_queue_message, FanoutMessage.from_json):
        try:
            message = read(body)
        except InvalidMessage:
            continue
        assert read(message.to_json()) == message
