"""The testimony flow over HTTP on the local stack: the email's respond link, its form, the
testimony stored with its press consent, then listed and exported by the starter.

The respond link is put in emails by the emails work (``links.respond_url`` in the delivery
of ``ask_testimony`` updates): this test finds it in the email, as a signer would.
"""

from __future__ import annotations

import csv
import http.client
import io
import re
from urllib.parse import urlencode, urlsplit

from tests.e2e.conftest import Answer, Client

PROMPT = "Tell us what the crossing would change for your children."
STORY = 'Every morning I hold my son\'s hand on a road where cars drive at 50.\n"Please."'
RESPOND_LINK = re.compile(r"https?://[^\s<>\"]+/respond/[A-Za-z0-9_.=-]+")


def _page(url: str) -> Answer:
    """A GET as a browser makes it (``Accept: text/html``)."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1", url  # the local stack only
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def _tampered(url: str) -> str:
    token = url.rsplit("/", 1)[1]
    index = len(token) // 3
    changed = token[:index] + ("B" if token[index] == "A" else "A") + token[index + 1 :]
    return url.rsplit("/", 1)[0] + "/" + changed


def test_a_signer_tells_their_story_and_the_starter_exports_it(stack: Client) -> None:
    # Given a petition of alice's with a confirmed signer
    alice = stack.token("alice")
    petition_id = stack.create_petition(
        {
            "title": "A safe crossing at the school",
            "description": "Children cross a fast road.",
            "language": "en",
            "decision_maker": {"name": "The Mayor"},
        },
        token=alice,
    )
    stack.sign_and_confirm(
        petition_id, [{"email": "witness@example.org", "name": "Robin", "wants_updates": True}]
    )

    # When alice asks for testimonies
    asked = stack.call(
        "POST",
        f"/petitions/{petition_id}/updates",
        {
            "type": "ask_testimony",
            "title": "Tell us your story",
            "body": "The council decides in March.",
            "prompt": PROMPT,
        },
        token=alice,
    )
    assert asked.status == 201, asked.body
    update_id = asked.json()["update_id"]
    stack.drain()

    # Then the signer receives an email whose text part carries their respond link
    (email,) = [
        e
        for e in stack.outbox()
        if e["subject"] == "Tell us your story" and e["to"] == ["witness@example.org"]
    ]
    found = RESPOND_LINK.search(email["text"] or "")
    assert found, f"no /respond/ link in the email's text part:\n{email['text']}"
    link = found.group(0)

    # When they follow it
    form = _page(link)

    # Then a form asks the prompt, with a separate, unticked box for the press
    assert form.status == 200, form.body
    page = form.body.decode()
    assert PROMPT in page
    (consent,) = [line for line in page.splitlines() if 'name="press_consent"' in line]
    assert 'type="checkbox"' in consent
    assert "checked" not in consent

    # When they send their story with the form, ticking the box
    sent = stack.call(
        "POST", link, form=urlencode({"text": STORY, "name": "Robin", "press_consent": "yes"})
    )

    # Then they are thanked
    assert sent.status == 201, sent.body
    assert "Thank you" in sent.body.decode()

    # And alice finds it in the update's responses, with the consent
    listed = stack.call(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses", token=alice
    )
    assert listed.status == 200, listed.body
    (response,) = listed.json()["responses"]
    assert (response["kind"], response["text"], response["name"]) == ("testimony", STORY, "Robin")
    assert response["press_consent"] is True

    # And in the CSV export
    exported = stack.call(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses.csv", token=alice
    )
    assert exported.status == 200, exported.body
    assert exported.headers["Content-Type"].startswith("text/csv")
    assert exported.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.body.decode("utf-8-sig"))))
    assert rows[0] == ["created_at", "kind", "name", "contact", "press_consent", "text"]
    assert rows[1][1:] == ["testimony", "Robin", "", "yes", STORY]

    # And nobody else reads them
    bob = stack.token("bob")
    refused = stack.call(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses", token=bob
    )
    assert refused.status == 403, refused.body

    # When the link is tampered with
    forged = _tampered(link)
    forged_page = _page(forged)
    forged_post = stack.call("POST", forged, form=urlencode({"text": "Forged"}))

    # Then it is refused without saying why, and nothing more is stored
    assert forged_page.status == 404, forged_page.body
    assert forged_post.status == 404, forged_post.body
    assert "Forged" not in forged_post.body.decode()
    again = stack.call(
        "GET", f"/petitions/{petition_id}/updates/{update_id}/responses", token=alice
    )
    assert len(again.json()["responses"]) == 1
