"""Update emails: rendered once per language, escaped, then addressed per recipient."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest

from mobilise.core import links
from mobilise.emails import rendering, wire
from mobilise.emails.rendering import UNSUBSCRIBE_SLOT, Rendered
from mobilise.reminders import nudges
from mobilise.table.models import Petition, Update
from tests import email_examples
from tests.email_examples import EXPECTED_HEADERS, PETITION_ID, PUBLIC_URL, UPDATE_ID

SENDER = "Mobilise <no-reply@mobilise.example>"
RECIPIENT = "zoe@example.org"
UNSUBSCRIBE_URL = "https://api.mobilise.example/unsubscribe/eyJwIjoiMDEifQ.AbCdEfGhIjKlMnOpQrStUv"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' <b onmouseover=alert(1)>"


#: Settings of a deployment and a fixed link key (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("offline")


def _render(
    *,
    petition_title: str = "Sauvons le parc des Buttes",
    title: str = "Nous avons 10 000 signatures",
    body: str = "Merci à toutes et tous.",
    link: str | None = None,
    language: str = "fr",
) -> Rendered:
    petition = Petition(
        *Petition.key(PETITION_ID),
        petition_id=PETITION_ID,
        title=petition_title,
        language=language,
    )
    update = Update(
        *Update.key(PETITION_ID, UPDATE_ID),
        update_id=UPDATE_ID,
        petition_id=PETITION_ID,
        type="news",
        title=title,
        body=body,
        link=link,
    )
    return rendering.render_update(petition, update)


def _view() -> str:
    """The update's page: every update email links to it ("view in your browser")."""
    return links.update_page_url(PETITION_ID, UPDATE_ID)


def _counted(action: str) -> str:
    """The counted redirect of one of the update's buttons."""
    return links.redirect_url(links.ActionRef(PETITION_ID, UPDATE_ID, action))


def _addressed(
    rendered: Rendered | None = None,
    *,
    unsubscribe_url: str = UNSUBSCRIBE_URL,
) -> EmailMessage:
    """The message for one recipient, as its bytes parse back."""
    raw = rendering.addressed(
        rendered or _render(),
        sender=SENDER,
        to=RECIPIENT,
        links=rendering.RecipientLinks(unsubscribe=unsubscribe_url),
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _recipients(message: EmailMessage) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox in To; fails if To is not a list of mailboxes."""
    raw_to = [value for name, value in message.raw_items() if name == "To"]
    try:
        return [(address.display_name, address.addr_spec) for address in message["To"].addresses]
    except AttributeError:  # the parser found a group where a mailbox should be
        pytest.fail(f"To does not parse as a list of mailboxes: {raw_to!r}")


def _parts(message: EmailMessage) -> tuple[str, str]:
    """The text/plain and text/html bodies, decoded."""
    plain, html = list(message.iter_parts())
    return plain.get_content(), html.get_content()


class _Html(HTMLParser):
    """What a mail client would see: the elements, their attributes and the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.paragraphs: list[str] = []
        self._in_p = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.hrefs += [value or "" for name, value in attrs if tag == "a" and name == "href"]
        if tag == "p":
            self._in_p = True
            self.paragraphs.append("")
        if tag == "br" and self._in_p:
            self.paragraphs[-1] += "<br>"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_p = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_p:
            self.paragraphs[-1] += data


# --- escaping ---------------------------------------------------------------------------


def test_user_text_is_escaped_in_html() -> None:
    # Given an update whose every user text carries markup, quotes and ampersands
    rendered = _render(
        petition_title="Pétition " + HOSTILE, title="Titre " + HOSTILE, body="Corps " + HOSTILE
    )

    # When the HTML is read as a mail client would
    page = _Html(rendered.html)

    # Then no user markup became an element, and the user text reads back intact
    assert "script" not in page.tags
    assert "b" not in page.tags
    assert "onmouseover" not in page.attributes
    text = "".join(page.text)
    assert "Pétition " + HOSTILE in text
    assert "Titre " + HOSTILE in text
    assert "Corps " + HOSTILE in text


def test_no_raw_markup_from_user_text_reaches_the_html() -> None:
    # Given an update whose texts carry a script tag and quotes
    rendered = _render(petition_title=HOSTILE, title=HOSTILE, body=HOSTILE)

    # When the HTML source is looked at
    html = rendered.html

    # Then the markup appears only escaped
    assert "<script>" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'quotes'" in html


def test_the_petition_title_is_escaped_in_the_footer_sentence_too() -> None:
    # Given a petition title with a script tag
    rendered = _render(petition_title='<script>alert("x")</script>', language="en")

    # When the HTML is read
    page = _Html(rendered.html)

    # Then the footer's sentence quotes the title as text, not as markup
    assert "script" not in page.tags
    assert (
        'You are receiving this email because you signed the petition “<script>alert("x")</script>”'
        in "".join(page.text)
    )


def test_a_link_with_quotes_never_reaches_the_html() -> None:
    # Given a link carrying a quote and an ampersand
    link = 'https://example.org/?a=1&b="onmouseover=alert(1)'

    # When the HTML is read
    rendered = _render(link=link)
    page = _Html(rendered.html)

    # Then the button leads through the counted redirect, and the link is not in the page
    assert page.hrefs == [_view(), _counted("link"), rendered.slot]
    assert "onmouseover" not in rendered.html
    assert "example.org" not in rendered.html


def test_the_plain_text_part_keeps_user_text_unescaped() -> None:
    # Given an update with markup characters in its texts
    rendered = _render(petition_title="A & B", title="Fish & <chips>", body='1 < 2 & "3"')

    # When the plain text is read
    text = rendered.text

    # Then it shows the text as written, without HTML entities
    assert "A & B" in text
    assert "Fish & <chips>" in text
    assert '1 < 2 & "3"' in text
    assert "&amp;" not in text


# --- subject and one_line ---------------------------------------------------------------


@pytest.mark.parametrize(
    "separator",
    ["\r", "\n", "\r\n", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"],
    ids=["CR", "LF", "CRLF", "tab", "VT", "FF", "FS", "GS", "RS", "NEL", "LS", "PS"],
)
def test_one_line_makes_every_line_break_a_space(separator: str) -> None:
    # Given text broken by a line separator, with white space around it
    text = f"  Bonjour{separator}Bcc: eve@attacker.example{separator}{separator} "

    # When it is made one line
    line = rendering.one_line(text)

    # Then it is one line, with single spaces and nothing around
    assert line == "Bonjour Bcc: eve@attacker.example"
    assert line.splitlines() == [line]


def test_one_line_collapses_runs_of_spaces() -> None:
    # Given text with runs of spaces, tabs and newlines
    # When it is made one line
    line = rendering.one_line("a   b\t\t c \r\n\r\n d")

    # Then each run is one space
    assert line == "a b c d"


def test_the_subject_is_the_title_on_one_line() -> None:
    # Given an update title with line breaks and markup
    rendered = _render(title="Victoire\r\nBcc: eve@attacker.example\u2028 <b>!</b>")

    # When the subject is read
    subject = rendered.subject

    # Then it is the title on one line, not escaped (a subject is not HTML)
    assert subject == "Victoire Bcc: eve@attacker.example <b>!</b>"


# --- paragraphs -------------------------------------------------------------------------


def test_paragraphs_split_on_blank_lines_and_keep_lines() -> None:
    # Given a body with two paragraphs, the first of two lines
    # When it is split
    result = rendering.paragraphs("Ligne un\nLigne deux\n\nSecond paragraphe")

    # Then each paragraph is a list of its lines
    assert result == [["Ligne un", "Ligne deux"], ["Second paragraphe"]]


def test_paragraphs_accept_windows_and_old_mac_line_breaks_and_blank_runs() -> None:
    # Given a body with CRLF, lone CR, runs of blank lines and lines of spaces between them
    # When it is split
    result = rendering.paragraphs("\n\nUn\r\nDeux\r\n\r\n \t \n\n\rTrois\rQuatre\n\n\n")

    # Then the paragraphs and lines are the same as with plain newlines
    assert result == [["Un", "Deux"], ["Trois", "Quatre"]]


def test_a_blank_body_has_no_paragraphs() -> None:
    # Given a body of white space only
    # When it is split
    # Then there is no paragraph
    assert rendering.paragraphs(" \n\n \r\n ") == []


def test_blank_line_paragraphs_become_p_elements_and_newlines_br() -> None:
    # Given a body of two paragraphs, the first of two lines
    rendered = _render(body="Ligne un\nLigne <deux>\n\nSecond & dernier")

    # When the HTML is read
    page = _Html(rendered.html)

    # Then each paragraph is a <p>, its lines joined by <br>, its text escaped
    assert "Ligne un<br>Ligne <deux>" in page.paragraphs
    assert "Second & dernier" in page.paragraphs
    assert re.search(r"<p[^>]*>Ligne un<br>Ligne &lt;deux&gt;</p>", rendered.html)


def test_the_plain_text_keeps_the_paragraphs_and_lines() -> None:
    # Given a body of two paragraphs, the first of two lines
    rendered = _render(body="Ligne un\r\nLigne deux\r\n\r\nSecond")

    # When the plain text is read
    text = rendered.text

    # Then the lines follow each other and a blank line separates the paragraphs
    assert "Ligne un\nLigne deux\n\nSecond\n" in text


# --- link -------------------------------------------------------------------------------


def test_a_link_renders_as_a_counted_https_href_in_html_and_in_plain_text() -> None:
    # Given an update with a link whose query has an ampersand
    link = "https://example.org/news?id=1&lang=fr"
    rendered = _render(link=link, language="en")

    # When both parts are read
    page = _Html(rendered.html)

    # Then both lead to it through the service's counted redirect, written out in the text
    counted = _counted("link")
    assert counted.startswith(f"{PUBLIC_URL}/r/")
    assert counted in page.hrefs
    assert f"Read more: {counted}" in rendered.text
    assert link not in rendered.text


def test_an_update_without_a_link_has_no_read_more() -> None:
    # Given an update without a link
    rendered = _render(link=None, language="en")

    # When both parts are read
    page = _Html(rendered.html)

    # Then the only link is the unsubscribe slot, and no part offers to read more
    assert page.hrefs == [_view(), rendered.slot]
    assert "Read more" not in rendered.html
    assert "Read more" not in rendered.text


# --- languages --------------------------------------------------------------------------


def test_a_french_update_is_framed_in_french() -> None:
    # Given an update rendered in French
    rendered = _render(petition_title="Sauvons le parc", link="https://example.org/", language="fr")

    # When both parts are read
    # Then the words around the starter's text are French, and the page says so
    for part in (rendered.html, rendered.text):
        assert "Des nouvelles de la pétition" in part
        assert "En savoir plus" in part
        assert "vous avez signé la pétition « Sauvons le parc »" in part
        assert "Ne plus recevoir les nouvelles de cette pétition" in part
        assert "News from the petition" not in part
    assert '<html lang="fr">' in rendered.html


def test_an_english_update_is_framed_in_english() -> None:
    # Given an update rendered in English
    rendered = _render(petition_title="Save the park", link="https://example.org/", language="en")

    # When both parts are read
    # Then the words around the starter's text are English, and the page says so
    for part in (rendered.html, rendered.text):
        assert "News from the petition" in part
        assert "Read more" in part
        assert "you signed the petition “Save the park”" in part
        assert "Stop receiving updates from this petition" in part
        assert "Des nouvelles" not in part
    assert '<html lang="en">' in rendered.html


# --- the addressed MIME message ---------------------------------------------------------


def test_the_message_has_exactly_the_expected_headers() -> None:
    # Given a rendered update
    rendered = _render(title="Nous avons gagné")

    # When it is addressed to a recipient
    message = _addressed(rendered)

    # Then it carries these headers, once each, and no other
    assert list(message.keys()) == EXPECTED_HEADERS
    assert message["From"] == SENDER
    assert message["Subject"] == "Nous avons gagné"
    assert _recipients(message) == [("", RECIPIENT)]


def test_the_message_offers_one_click_unsubscribe() -> None:
    # Given a rendered update
    # When it is addressed to a recipient
    message = _addressed(_render())

    # Then it has RFC 8058 one-click unsubscribe with the recipient's own link
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_message_is_alternative_plain_text_then_html() -> None:
    # Given a rendered update
    # When it is addressed to a recipient
    message = _addressed(_render())

    # Then it is multipart/alternative, plain text first and HTML last (the preferred one)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)


def test_the_recipients_unsubscribe_link_replaces_the_slot_in_both_parts() -> None:
    # Given an update rendered once, with the slot in it
    rendered = _render()
    assert rendered.slot.startswith(UNSUBSCRIBE_SLOT)
    assert rendered.slot in rendered.html
    assert rendered.slot in rendered.text

    # When it is addressed to a recipient
    plain, html = _parts(_addressed(rendered))

    # Then each part carries the recipient's link, and the slot is gone
    assert rendered.slot not in plain
    assert rendered.slot not in html
    assert UNSUBSCRIBE_URL in plain
    assert _Html(html).hrefs == [_view(), UNSUBSCRIBE_URL]


def test_two_recipients_of_one_rendering_get_their_own_links() -> None:
    # Given an update rendered once
    rendered = _render()

    # When it is addressed to two recipients
    first = _parts(_addressed(rendered, unsubscribe_url="https://api.example/unsubscribe/first"))
    second = _parts(_addressed(rendered, unsubscribe_url="https://api.example/unsubscribe/second"))

    # Then each sees only their own link
    assert all("/first" in part and "/second" not in part for part in first)
    assert all("/second" in part and "/first" not in part for part in second)


def test_user_text_naming_the_slot_does_not_receive_the_unsubscribe_link() -> None:
    # Given an update whose starter wrote the slot's name in the body and in the link
    rendered = _render(
        body=f"Voir {UNSUBSCRIBE_SLOT}",
        link=f"https://tracker.example/?who={UNSUBSCRIBE_SLOT}",
    )

    # When it is addressed to a recipient
    plain, html = _parts(_addressed(rendered))

    # Then the recipient's unsubscribe link appears only where the email puts it:
    # never in the starter's text, never sent to the starter's site
    assert plain.count(UNSUBSCRIBE_URL) == 1
    assert _Html(html).hrefs.count(UNSUBSCRIBE_URL) == 1
    assert not any(
        href.startswith("https://tracker.example/") and UNSUBSCRIBE_URL in href
        for href in _Html(html).hrefs
    )


def test_the_parts_carry_the_rendered_text() -> None:
    # Given an update with accents and typographic quotes
    rendered = _render(petition_title="L’école « Jean-Zay »", body="Déjà 1 000 signatures !")

    # When it is addressed and read back
    plain, html = _parts(_addressed(rendered))

    # Then the text survives the transfer encoding intact (CRLF and a final newline on the wire)
    expected_plain = rendered.text.replace(rendered.slot, UNSUBSCRIBE_URL) + "\n"
    expected_html = rendered.html.replace(rendered.slot, UNSUBSCRIBE_URL) + "\n"
    assert plain.replace("\r\n", "\n").rstrip("\n") == expected_plain.rstrip("\n")
    assert html.replace("\r\n", "\n").rstrip("\n") == expected_html.rstrip("\n")


# --- the To header carries the address alone ----------------------------------------------


def test_the_to_header_is_the_address_alone() -> None:
    # Given a recipient (their name, with its commas and quotes, is not given to the email)
    # When the message is addressed to them and read back
    message = _addressed()

    # Then the headers are exactly the expected ones, with one recipient and no display name
    assert list(message.keys()) == EXPECTED_HEADERS
    assert message.defects == []
    assert _recipients(message) == [("", RECIPIENT)]


# --- counts in the starter's nudge --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "signers", "days", "subject", "sentence"),
    [
        (
            "en",
            1,
            1,
            "1 signer has heard nothing for 1 day: Sauvons le bois de Vincennes",
            "has sent no update for 1 day, and 1 signer is waiting",
        ),
        (
            "en",
            12_000,
            7,
            "12,000 signers have heard nothing for 7 days: Sauvons le bois de Vincennes",
            "has sent no update for 7 days, and 12,000 signers are waiting",
        ),
        (
            "fr",
            1,
            1,
            "1 signataire sans nouvelles depuis 1 jour : Sauvons le bois de Vincennes",
            "aucune nouvelle depuis 1 jour, et 1 signataire attend",
        ),
        (
            "fr",
            1_000_000,
            30,
            # a subject is one line: every white space in it, this one too, is a space
            "1 000 000 de signataires sans nouvelles depuis 30 jours : "
            "Sauvons le bois de Vincennes",
            "aucune nouvelle depuis 30 jours, et 1\u202f000\u202f000 de signataires attendent",
        ),
    ],
)
def test_the_nudge_writes_its_counts_in_the_plural_form_of_its_language(
    language: str, signers: int, days: int, subject: str, sentence: str
) -> None:
    # Given a petition with this many signers, quiet for this many days
    petition = email_examples.petition(language=language)
    petition.signer_count = signers

    # When its starter's nudge is rendered
    rendered = nudges.nudge_email(petition, days, nudges.suggestions(petition, []))

    # Then its subject and both parts agree with the counts, written as the language does
    assert rendered.subject == subject
    assert sentence in rendered.text
    assert sentence in "".join(_Html(rendered.html).text)


# --- List-Unsubscribe on the wire -----------------------------------------------------------


def test_a_long_unsubscribe_link_is_written_whole_on_one_line() -> None:
    # Given an unsubscribe link far longer than 78 characters
    url = f"https://api.mobilise.example/unsubscribe/{'A' * 400}.sig"

    # When the message is addressed
    raw = rendering.addressed(
        _render(), sender=SENDER, to=RECIPIENT, links=rendering.RecipientLinks(unsubscribe=url)
    )

    # Then its bytes carry the link as written, in angle brackets, on a line of its own
    assert f"\r\nList-Unsubscribe: <{url}>\r\nList-Unsubscribe-Post: ".encode() in raw
    assert b"=?" not in raw.partition(b"\r\nList-Unsubscribe-Post")[0].split(b"Subject:")[0]


def test_several_uris_fold_only_between_them() -> None:
    # Given a List-Unsubscribe of two URIs
    message = email.message.EmailMessage(policy=wire.POLICY)
    message["List-Unsubscribe"] = "<https://a.example/u/1>, <mailto:u@a.example?subject=u>"

    # When it is written
    # Then each URI is whole, the fold after the comma
    assert message.as_bytes().startswith(
        b"List-Unsubscribe: <https://a.example/u/1>,\r\n <mailto:u@a.example?subject=u>\r\n"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example/u/1>\r\nBcc: eve@attacker.example\r\nX: <x",
        "https://api.example/u/a b",
        "https://api.example/u/é",
        f"https://api.example/u/{'a' * 1000}",
    ],
    ids=["header injection", "space", "non-ASCII", "longer than a line may be"],
)
def test_an_unsubscribe_link_that_is_not_one_uri_for_one_line_is_refused(url: str) -> None:
    # Given a link no RFC lets into List-Unsubscribe as it is
    links = rendering.RecipientLinks(unsubscribe=url)

    # When the message is addressed / Then it is refused, rather than sent broken or folded
    with pytest.raises(ValueError, match=r"angle brackets|carriage return"):
        rendering.addressed(_render(), sender=SENDER, to=RECIPIENT, links=links)
