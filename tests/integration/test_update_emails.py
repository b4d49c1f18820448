"""An update's email is rendered once, when the update is released, in every language, and the
deliver function sends it as stored (mobilise.table.update_emails): it renders nothing for
an update whose email was stored, and renders the email itself, the same, for one whose
email is not there. On moto and on DynamoDB Local."""

from __future__ import annotations

import email
import email.policy
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.delivery import sending
from mobilise.emails import rendered, rendering
from mobilise.table import items, update_emails
from mobilise.table.update_emails import UpdateEmails, UpdateEmailsItem
from mobilise_local import outbox
from tests.integration.harness import Mobilise
from tests.integration.requests_sent import requests_sent

BODY = "Bring your banners.\n\nThe council meets on Monday: « venez nombreux » 🌳"
SIGNERS = ["ada@example.org", "grace@example.org"]


def _released(mobilise: Mobilise, language: str = "en", **update: str) -> tuple[str, str]:
    petition_id = mobilise.create_petition(language=language)
    mobilise.seed_signatures(petition_id, SIGNERS)
    reply = mobilise.publish(petition_id, body=BODY, **update)
    assert reply.status == 201, reply.text
    return petition_id, reply.json()["update_id"]


def _same(stored: rendered.Rendered, made: rendered.Rendered) -> None:
    """The same email but for its slot (each rendering draws its own)."""
    links = rendered.RecipientLinks("https://u.test/u", "https://u.test/r", "https://u.test/v")
    assert (stored.subject, stored.needs, stored.fallback) == (
        made.subject,
        made.needs,
        made.fallback,
    )
    assert stored.personalised(links) == made.personalised(links)


def _keys_read(calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The sort keys of the items read by key, one by one or in a batch, in order."""
    read = []
    for operation, params in calls:
        if operation == "GetItem":
            read.append(params["Key"]["sk"]["S"])
        elif operation == "BatchGetItem":
            (table,) = params["RequestItems"].values()
            read += [key["sk"]["S"] for key in table["Keys"]]
    return read


def _parts(mobilise: Mobilise, address: str) -> list[tuple[str, str]]:
    """The text and HTML of each email SES took for ``address``, from its raw MIME."""
    found = []
    for sent in mobilise.outbox():
        if address in sent["to"]:
            raw = outbox.raw("eu-west-1", sent["message_id"])
            assert raw is not None
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, email.message.EmailMessage)
            plain, html = (str(part.get_content()) for part in message.iter_parts())
            found.append((plain, html))
    return found


def test_releasing_an_update_stores_its_email_in_each_language(on_both: Mobilise) -> None:
    # Given a French petition, when its starter publishes an update
    petition_id, update_id = _released(on_both, language="fr", title="Rassemblement")

    # Then its email is stored in French and in English, as the renderer makes it now
    stored = update_emails.load(petition_id, update_id)
    assert stored is not None
    assert stored.language == "fr"
    assert sorted(stored.emails) == ["en", "fr"]
    petition = items.get_petition(petition_id)
    update = items.get_update(petition_id, update_id)
    for language, kept in stored.emails.items():
        _same(kept, rendering.render_update(petition, update, language))
    assert "Rassemblement" in stored.emails["fr"].subject


def test_the_deliver_function_sends_the_stored_email_and_renders_nothing(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update released, and a deliver function that has read nothing yet
    _, update_id = _released(on_both)
    sending.reset()
    calls = requests_sent(monkeypatch)

    def no_rendering(*args: object, **kwargs: object) -> rendered.Rendered:
        raise AssertionError("the deliver function rendered an email it had stored")

    monkeypatch.setattr(rendering, "render_update", no_rendering)

    # When its delivery runs
    on_both.run_queues()

    # Then both signers got it, with the starter's text, and the deliver function read the
    # stored email once, never the petition nor the whole update
    for address in SIGNERS:
        ((plain, html),) = _parts(on_both, address)
        assert "The council meets on Monday: « venez nombreux » 🌳" in plain
        assert "The council meets on Monday: « venez nombreux » 🌳" in html
    reads = _keys_read(calls)
    assert reads.count(f"MAIL#{update_id}") == 1
    assert "PETITION" not in reads
    full = [
        params
        for operation, params in calls
        if operation == "GetItem"
        and params["Key"]["sk"]["S"] == f"UPD#{update_id}"
        and "ProjectionExpression" not in params
    ]
    assert full == []


def test_an_update_without_its_stored_email_is_rendered_by_the_deliver_function_the_same(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an update released, its email as stored, and then the stored email gone (an
    # update released before it was stored, or kept past its days)
    petition_id, update_id = _released(on_both)
    stored = update_emails.load(petition_id, update_id)
    assert stored is not None
    UpdateEmailsItem(*UpdateEmailsItem.key(petition_id, update_id)).delete()
    sending.reset()
    calls = requests_sent(monkeypatch)

    # When its delivery runs
    on_both.run_queues()

    # Then the deliver function read the petition and the update, rendered the same email,
    # and every signer got it
    reads = [params["Key"]["sk"]["S"] for operation, params in calls if operation == "GetItem"]
    assert {"PETITION", f"UPD#{update_id}"} <= set(reads)
    assert f"MAIL#{update_id}" in _keys_read(calls)
    _same(stored.emails["en"], sending._rendered(petition_id, update_id, "en"))
    for address in SIGNERS:
        ((plain, _),) = _parts(on_both, address)
        assert "« venez nombreux » 🌳" in plain


def test_an_edit_after_release_corrects_the_page_and_not_the_email(on_both: Mobilise) -> None:
    """docs/api.md: a released update's correction is its page's, never an email's."""
    # Given an update released, corrected before its delivery ran
    petition_id, update_id = _released(on_both)
    path = f"/petitions/{petition_id}/updates/{update_id}"
    edited = on_both.request("PATCH", path, {"body": "Corrected later."}, user="alice")
    assert edited.status == 200, edited.text

    # When its delivery runs
    on_both.run_queues()

    # Then every signer got the update as it was released, and its page shows the correction
    for address in SIGNERS:
        ((plain, _),) = _parts(on_both, address)
        assert "venez nombreux" in plain
        assert "Corrected later." not in plain
    assert items.get_update(petition_id, update_id).body == "Corrected later."


def test_emails_too_large_to_store_are_rendered_by_each_deliver_function(
    on_both: Mobilise, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given emails that would not fit in an item
    monkeypatch.setattr(update_emails, "MAX_STORED", 100)
    caplog.set_level(logging.WARNING)

    # When an update is released and delivered
    petition_id, update_id = _released(on_both)
    on_both.run_queues()

    # Then nothing was stored, the release said so, and every signer still got it
    assert update_emails.load(petition_id, update_id) is None
    assert any(
        record.getMessage() == "update's emails too large to store" for record in caplog.records
    )
    for address in SIGNERS:
        ((plain, _),) = _parts(on_both, address)
        assert "venez nombreux" in plain


_ANY_TEXT = st.text(max_size=300)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=_ANY_TEXT,
    html=_ANY_TEXT,
    text=_ANY_TEXT,
    needs=st.frozensets(st.sampled_from(rendered.PER_RECIPIENT)),
    language=st.text(min_size=1, max_size=8),
)
def test_any_email_reads_back_as_it_was_stored(
    mobilise: Mobilise,
    subject: str,
    html: str,
    text: str,
    needs: frozenset[str],
    language: str,
) -> None:
    """Whatever the text (any code point, lone surrogates too), the email read back is the
    one stored, character for character."""
    email_ = rendered.Rendered(subject, html, text, "slot-1", needs, "https://p.test/p")
    stored = UpdateEmails(language=language, emails={language: email_, "en": email_})
    item = update_emails.item("P1", "U1", stored)
    assert item is not None
    item.save()

    assert update_emails.load("P1", "U1") == stored
