"""SendBulkEmail with an inline template, as the local stack's SES answers it
(:mod:`mobilise_local.ses_bulk`): through a real boto3 client against moto, each email read
back from moto's sent messages as the raw bytes SES would send."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer
from moto.ses.models import ses_backends

from mobilise_local import outbox, ses_bulk
from mobilise_local.outbox import stamp_send_times
from mobilise_local.server import free_port
from mobilise_local.ses_bulk import emulate_send_bulk_email

REGION = "eu-west-1"
SENDER = "Mobilise <updates@mobilise.example>"
SUBJECT = "Pétition : {{title}}"
TEXT = "Hello {{name}},\nread {{title}} at {{link}}.\n"
HTML = '<p>Hello {{name}},</p><p><a href="{{link}}">{{title}}</a></p>'
ONE_CLICK = {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"}


@pytest.fixture
def sesv2() -> Iterator[Any]:
    emulate_send_bulk_email()
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity="mobilise.example")
        yield client


def _sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def _entry(address: str, data: dict[str, str], unsubscribe: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Destination": {"ToAddresses": [address]},
        "ReplacementEmailContent": {
            "ReplacementTemplate": {"ReplacementTemplateData": json.dumps(data)}
        },
    }
    if unsubscribe is not None:
        entry["ReplacementHeaders"] = [{"Name": "List-Unsubscribe", "Value": f"<{unsubscribe}>"}]
    return entry


def _send(client: Any, entries: list[dict[str, Any]], **template: Any) -> dict[str, Any]:
    content = {"Subject": SUBJECT, "Text": TEXT, "Html": HTML}
    content.update(template.pop("content", {}))
    defaults: dict[str, Any] = {
        "TemplateContent": content,
        "TemplateData": json.dumps({"title": "default"}),
        "Headers": [ONE_CLICK],
    }
    defaults.update(template)
    response: dict[str, Any] = client.send_bulk_email(
        FromEmailAddress=SENDER,
        DefaultContent={"Template": defaults},
        BulkEmailEntries=entries,
        ConfigurationSetName="mobilise",
        DefaultEmailTags=[{"Name": "kind", "Value": "update"}],
    )
    return response


def _part(raw: bytes, subtype: str) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            return str(part.get_content())
    raise AssertionError(f"no text/{subtype} part")


def _head(raw: bytes) -> bytes:
    return raw.partition(b"\r\n\r\n")[0] + b"\r\n"


def test_each_destination_gets_its_own_email_with_its_own_values_and_headers(sesv2: Any) -> None:
    # Given three destinations, each with its own name, link and unsubscribe link
    people = [("ana", "Ana"), ("bo", "Bo"), ("chloe", "Chloé")]
    entries = [
        _entry(
            f"{login}@example.org",
            {"name": name, "title": "Le maire a répondu", "link": f"https://m.example/u/{login}"},
            unsubscribe=f"https://m.example/unsubscribe/{login}",
        )
        for login, name in people
    ]

    # When they are sent in one call
    response = _send(sesv2, entries)

    # Then each is a success, and SES recorded three emails, in order
    results = response["BulkEmailEntryResults"]
    assert [result["Status"] for result in results] == ["SUCCESS"] * 3
    sent = _sent()
    assert [message.id for message in sent] == [result["MessageId"] for result in results]
    for message, (login, name) in zip(sent, people, strict=True):
        raw = message.raw_data.encode("ascii")
        head = _head(raw)
        # its own To and List-Unsubscribe, the shared one-click header, SES's Message-ID
        assert f"\r\nTo: {login}@example.org\r\n".encode() in head
        unsubscribe = f"\r\nList-Unsubscribe: <https://m.example/unsubscribe/{login}>\r\n"
        assert unsubscribe.encode() in head
        assert head.count(b"List-Unsubscribe:") == 1
        assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in head
        assert f"\r\nMessage-ID: <{message.id}@{REGION}.amazonses.com>\r\n".encode() in head
        # a subject that is not ASCII, in RFC 2047 encoded words on the wire
        assert b"\r\nSubject: =?utf-8?" in head
        decoded = email.message_from_bytes(raw, policy=email.policy.default)
        assert decoded["Subject"] == "Pétition : Le maire a répondu"
        assert decoded.get_content_type() == "multipart/alternative"
        # and its own values in both parts
        link = f"https://m.example/u/{login}"
        assert _part(raw, "plain") == f"Hello {name},\r\nread Le maire a répondu at {link}.\r\n"
        assert _part(raw, "html") == (
            f'<p>Hello {name},</p><p><a href="{link}">Le maire a répondu</a></p>\r\n'
        )


def test_the_outbox_reads_a_bulk_email_as_any_other_with_its_send_time(sesv2: Any) -> None:
    # Given the local stack's stamp of send times
    stamp_send_times()
    data = {"name": "Ana", "title": "t", "link": "https://m.example/a"}

    # When an email is sent in bulk
    _send(sesv2, [_entry("ana@example.org", data, unsubscribe="https://m.example/u")])

    # Then the outbox lists it with its time, recipient, headers and both parts
    (listed,) = outbox.messages(REGION)
    assert listed["sent_at"] is not None
    assert listed["to"] == ["ana@example.org"]
    assert listed["headers"]["List-Unsubscribe"] == "<https://m.example/u>"
    assert listed["text"] == "Hello Ana,\r\nread t at https://m.example/a.\r\n"
    assert listed["html"].startswith("<p>Hello Ana,</p>")


def test_values_are_not_html_escaped_as_ses_does_not_escape_them(sesv2: Any) -> None:
    # Given a value with HTML's special characters
    data = {"name": 'Tom & "Jerry" <b>', "title": "t", "link": "https://m.example/?a=1&b=2"}

    # When it is sent
    _send(sesv2, [_entry("tom@example.org", data)])

    # Then the HTML part has it as given, not as &amp; &quot; &lt;
    (message,) = _sent()
    html = _part(message.raw_data.encode("ascii"), "html")
    assert '<p>Hello Tom & "Jerry" <b>,</p>' in html
    assert 'href="https://m.example/?a=1&b=2"' in html


def test_an_entry_s_data_is_merged_over_the_default_key_by_key(sesv2: Any) -> None:
    # Given a default title and an entry that gives only a name and a link
    entry = _entry("ana@example.org", {"name": "Ana", "link": "https://m.example/a"})

    # When it is sent
    _send(sesv2, [entry], TemplateData=json.dumps({"title": "From the default", "name": "x"}))

    # Then the entry's values win and the default fills the rest
    (message,) = _sent()
    text = _part(message.raw_data.encode("ascii"), "plain")
    assert text == "Hello Ana,\r\nread From the default at https://m.example/a.\r\n"


def test_a_variable_without_a_value_is_accepted_and_never_delivered(sesv2: Any) -> None:
    # Given an entry with no link, which the template uses
    entries = [
        _entry("ana@example.org", {"name": "Ana"}),
        _entry("bo@example.org", {"name": "Bo", "link": "https://m.example/b"}),
    ]

    # When they are sent
    results = _send(sesv2, entries)["BulkEmailEntryResults"]

    # Then SES accepts both (a Rendering Failure comes later) but only Bo's is delivered
    assert [result["Status"] for result in results] == ["SUCCESS", "SUCCESS"]
    (message,) = _sent()
    assert message.id == results[1]["MessageId"]
    assert message.destinations[0] == "bo@example.org"


def test_fifty_one_entries_are_a_bad_request_and_nothing_is_sent(sesv2: Any) -> None:
    entries = [_entry(f"s{index}@example.org", {"name": "n", "link": "l"}) for index in range(51)]

    with pytest.raises(ClientError) as refused:
        _send(sesv2, entries)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert _sent() == []


def test_fifty_entries_are_all_sent(sesv2: Any) -> None:
    entries = [_entry(f"s{index}@example.org", {"name": "n", "link": "l"}) for index in range(50)]

    results = _send(sesv2, entries)["BulkEmailEntryResults"]

    assert [result["Status"] for result in results] == ["SUCCESS"] * 50
    assert len(_sent()) == 50


def test_sixteen_headers_are_a_bad_request(sesv2: Any) -> None:
    headers = [{"Name": f"X-Mobilise-{index}", "Value": "v"} for index in range(16)]

    with pytest.raises(ClientError) as refused:
        _send(sesv2, [_entry("ana@example.org", {"name": "n", "link": "l"})], Headers=headers)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert _sent() == []


@pytest.mark.parametrize("data", ["{not json", '["a", "list"]'])
def test_template_data_that_is_not_a_json_object_is_a_bad_request(sesv2: Any, data: str) -> None:
    with pytest.raises(ClientError) as refused:
        _send(sesv2, [_entry("ana@example.org", {"name": "n", "link": "l"})], TemplateData=data)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert _sent() == []


def test_an_unverified_sender_is_rejected_and_nothing_is_recorded(sesv2: Any) -> None:
    entries = [_entry("ana@example.org", {"name": "n", "link": "l"})]

    with pytest.raises(ClientError) as refused:
        sesv2.send_bulk_email(
            FromEmailAddress="someone@unverified.example",
            DefaultContent={"Template": {"TemplateContent": {"Subject": "s", "Text": "t"}}},
            BulkEmailEntries=entries,
        )

    assert refused.value.response["Error"]["Code"] == "MessageRejected"
    assert _sent() == []


@pytest.mark.parametrize(
    ("sender", "to"),
    [
        ("Pétition <updates@mobilise.example>", "ana@example.org"),  # a name not encoded
        ("updates@mobilise.example", "josé@example.org"),  # no SMTPUTF8
    ],
)
def test_an_address_not_in_ascii_is_a_bad_request(sesv2: Any, sender: str, to: str) -> None:
    with pytest.raises(ClientError) as refused:
        sesv2.send_bulk_email(
            FromEmailAddress=sender,
            DefaultContent={"Template": {"TemplateContent": {"Subject": "s", "Text": "t"}}},
            BulkEmailEntries=[_entry(to, {})],
        )

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert _sent() == []


def test_an_entry_moto_refuses_fails_alone_and_the_others_are_sent(sesv2: Any) -> None:
    # Given a destination with no domain, which SES refuses, between two good ones
    entries = [
        _entry(address, {"name": "n", "link": "l"})
        for address in ("ana@example.org", "nobody", "bo@example.org")
    ]

    # When they are sent
    results = _send(sesv2, entries)["BulkEmailEntryResults"]

    # Then that entry alone failed, and the two others were sent, in order
    assert [result["Status"] for result in results] == ["SUCCESS", "INVALID_PARAMETER", "SUCCESS"]
    assert "MessageId" not in results[1]
    assert results[1]["Error"]
    assert [message.id for message in _sent()] == [results[0]["MessageId"], results[2]["MessageId"]]


def test_moto_s_server_answers_it_as_the_local_stack_and_the_bench_use_it() -> None:
    # Given moto's server, as the local stack starts it, after the emulation is given
    emulate_send_bulk_email()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        client = boto3.client("sesv2", region_name=REGION, endpoint_url=f"http://{host}:{port}")
        client.create_email_identity(EmailIdentity="mobilise.example")

        # When an update is sent in bulk through it
        entries = [_entry("ana@example.org", {"name": "Ana", "link": "https://m.example/a"})]
        (result,) = _send(client, entries)["BulkEmailEntryResults"]
    finally:
        reset = urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=30).close()
        server.stop()

    # Then it is routed to the emulation (moto's server routes no /v2/.* wildcard)
    assert result["Status"] == "SUCCESS"


# Rendering never reads data as template ------------------------------------------------------

_VALUES = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["{{name}}", "}}{{", "\\{{link}}", "{{{x}}}", "<script>&amp;</script>", "{{#if a}}b{{/if}}"]
)


def _as_sent(text: str) -> str:
    """``text`` as a MIME text part decodes: CRLF line ends, and one after the last line."""
    return "".join(
        line + "\r\n" for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_VALUES, link=_VALUES)
@example(name="{{link}}", link="{{name}}")
@example(name="a\\", link="}}")
def test_rendering_is_plain_substitution_whatever_the_values(
    sesv2: Any, name: str, link: str
) -> None:
    # Given any text as values
    data = {"name": name, "title": "t", "link": link}
    before = len(_sent())

    # When it is sent
    (result,) = _send(sesv2, [_entry("ana@example.org", data)])["BulkEmailEntryResults"]

    # Then each part is the template with each {{variable}} replaced by its value as it is
    assert result["Status"] == "SUCCESS"
    raw = _sent()[before].raw_data.encode("ascii")
    for subtype, template in (("plain", TEXT.rstrip("\n")), ("html", HTML)):
        pieces = template.split("{{")  # each piece after the first starts with a variable
        expected = pieces[0] + "".join(
            data[piece.partition("}}")[0]] + piece.partition("}}")[2] for piece in pieces[1:]
        )
        assert _part(raw, subtype) == _as_sent(expected)


_NAMES = st.sampled_from(["a", "b", "link_html", "x1"])
_TEXTS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="{\\"), max_size=8)


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(st.tuples(_TEXTS, _NAMES, st.sampled_from(["", " "])), max_size=5),
    last=_TEXTS,
    values=st.fixed_dictionaries({name: _VALUES for name in ["a", "b", "link_html", "x1"]}),
)
def test_simple_variables_are_substituted_as_handlebars_renders_them(
    pieces: list[tuple[str, str, str]], last: str, values: dict[str, str]
) -> None:
    # Given a template of simple variables only (the direct substitution's), any values
    source = "".join(f"{text}{{{{{pad}{name}{pad}}}}}" for text, name, pad in pieces) + last

    # Then it renders as pybars (Handlebars, unescaped) renders the same
    assert ses_bulk.render(source, values) == str(ses_bulk._template(source)(values))
