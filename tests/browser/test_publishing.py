"""A starter publishes from the dashboard's composer, in Chromium against the local stack:
an event with a photo, previewed at a phone's width, sent as a test, published, then followed
on its page while signers click its buttons; the refusals said in words next to what they
concern; the whole of it with the keyboard; axe on the composer and the update page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import FilePayload, Page, Request, Route, expect

from tests.browser.conftest import ARTIFACTS, axe, screenshot
from tests.e2e.conftest import Client
from tests.e2e.test_photos import _png

PETITION = {
    "title": "Keep the Rue Voltaire library open",
    "description": "The council plans to close our library in June.",
    "language": "en",
    "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
}
#: An event more than 30 s after its sending: a click then is a person's, not a scanner's.
AFTER_SCANNERS_SECONDS = 40


#: Each page's calls to the API in flight.
_FLYING: dict[Page, set[Request]] = {}
#: The app's own calls (the pages refresh their numbers by themselves). Not documents: in
#: a CI run the composer's preview frame, left at once for the petition's page, had a
#: response whose ``finished()`` never returned (Playwright had seen neither its end nor
#: its failure); a static file cut short costs the stack nothing (see ``_Server``).
_CALLS = {"fetch", "xhr"}


def _idle(page: Page) -> Iterator[Page]:
    """The page; at the test's end, the app is left for a blank page once its calls in
    flight are answered (see :func:`_leave`)."""
    flying = _FLYING.setdefault(page, set())
    page.on("request", lambda request: _track(flying, request))
    page.on("requestfinished", lambda request: flying.discard(request))
    page.on("requestfailed", lambda request: flying.discard(request))
    yield page
    _leave(page, "about:blank")
    del _FLYING[page]


def _track(flying: set[Request], request: Request) -> None:
    if request.resource_type in _CALLS:
        flying.add(request)


def _leave(page: Page, url: str) -> None:
    """Go to ``url`` once every call the app has in flight is answered: a navigation or a
    closed browser would cut one short."""
    flying = _FLYING[page]
    while flying:
        response = flying.pop().response()
        if response is not None:
            response.finished()
    page.goto(url)


@pytest.fixture
def phone(phone_page: Page) -> Iterator[Page]:
    yield from _idle(phone_page)


@pytest.fixture
def desktop(desktop_page: Page) -> Iterator[Page]:
    yield from _idle(desktop_page)


@pytest.fixture
def each_width(page: Page) -> Iterator[Page]:
    yield from _idle(page)


def _signed_in(page: Page, user: str, path: str) -> None:
    """Sign in as ``user`` through the app's button and the local sign-in page, back on
    ``path``."""
    page.goto(path)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("User name").fill(user)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(path) + r"$"))


def _petition(stack: Client, user: str, signers: int) -> str:
    """A petition of ``user``'s, with ``signers`` confirmed signers who want its updates."""
    petition_id = stack.create_petition(PETITION, token=stack.token(user))
    people = [
        {
            "email": f"{user}-signer-{index}@example.org",
            "name": f"Signer {index}",
            "language": "en",
            "wants_updates": True,
        }
        for index in range(signers)
    ]
    stack.sign_and_confirm(petition_id, people)
    return petition_id


def _in_composer(stack: Client, page: Page, user: str, signers: int) -> str:
    """A petition of ``user``'s with ``signers``, and ``user`` signed in on its composer."""
    petition_id = _petition(stack, user, signers)
    _signed_in(page, user, f"/app/petitions/{petition_id}/compose")
    return petition_id


def _publish_by_api(stack: Client, user: str, petition_id: str) -> None:
    body = {"type": "news", "title": "First news", "body": "Thank you all."}
    published = stack.call(
        "POST", f"/petitions/{petition_id}/updates", body, token=stack.token(user)
    )
    assert published.status == 201, published.body


def _choose(page: Page, type_name: str) -> None:
    """Click a type: the list folds to its heading (a click that chose nothing fails here, not
    at the first of its fields)."""
    page.get_by_role("radio", name=type_name, exact=True).click()
    expect(page.get_by_role("heading", name=type_name, exact=True)).to_be_visible()


def _field(page: Page, label: str) -> Any:
    return page.get_by_label(label, exact=True)


def _event(page: Page, starts_at: str = "2027-03-10T18:00") -> None:
    _choose(page, "An event or a delivery")
    _field(page, "Title").fill("Hand the petition over with us")
    _field(page, "Your message").fill("We give the mayor our 3 signatures on Wednesday.")
    _field(page, "What kind of event").select_option("hand_over")
    _field(page, "Starts").fill(starts_at)
    _field(page, "Time zone").select_option("Europe/Paris")
    _field(page, "Place").fill("Town hall, Lyon")


def _outbox_to(stack: Client, address: str) -> list[dict[str, Any]]:
    return [message for message in stack.outbox() if message["to"] == [address]]


def _button(text: str, label: str) -> str:
    """The URL of a button in an email's text part (``Label: URL``)."""
    found = re.search(re.escape(label) + r": (http://\S+)", text)
    assert found, text
    return found.group(1)


def test_a_starter_composes_an_event_previews_tests_publishes_it_and_sees_the_clicks(
    stack: Client, phone: Page
) -> None:
    page = phone
    # Given a starter with a petition that three confirmed signers follow, signed in
    _in_composer(stack, page, "ines", signers=3)

    # When she composes an event
    _event(page)

    # Then the email is previewed in the sandboxed frame at the phone's width, and the
    # composer says how many signers it reaches
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_role("heading", name="Hand the petition over with us")).to_be_visible()
    expect(page.locator(".composer-preview .reaches")).to_have_text("Reaches 3 signers")
    iframe = page.locator("iframe.preview-frame")
    assert iframe.get_attribute("sandbox") == "allow-scripts"
    width = iframe.evaluate("frame => frame.getBoundingClientRect().width")
    assert 300 <= width <= 375, width
    preview = next(f for f in page.frames if f.url.endswith("/app/preview-frame.html"))
    assert preview.evaluate("document.documentElement.scrollWidth") <= width
    assert axe(page) == []
    screenshot(page, "composer-event")
    # (a full-page capture leaves the sandboxed frame, another process, blank: it has its own)
    iframe.screenshot(path=ARTIFACTS / "composer-preview-375.png")

    # When she sends herself a test
    page.get_by_role("button", name="Send me a test").click()

    # Then the page says where it went, and the outbox has it, marked as a test
    expect(page.get_by_role("status").filter(has_text="Test sent to")).to_contain_text(
        "ines@example.test"
    )
    stack.drain()
    tests = _outbox_to(stack, "ines@example.test")
    assert len(tests) == 1, tests
    raw = stack.call("GET", f"/_local/outbox/{tests[0]['message_id']}/raw").body
    assert b"\r\nSubject: [Test] Hand the petition over with us\r\n" in raw, raw[:2000]

    # When she publishes it now
    page.get_by_role("button", name="Publish", exact=True).click()

    # Then its page says so, with the 24-hour window's countdown
    expect(page.get_by_text("Your update is published")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand the petition over with us")
    expect(page.locator(".countdown")).to_have_text(
        re.compile(r"^Next update possible in (23 h \d+|24 h [0-2]) min\.")
    )

    # When the signers get it, and two of them, later than mail scanners, add it to their
    # calendar through its /r/ button and say they are coming
    stack.drain()
    moved = stack.call("POST", "/_local/clock", {"advance_seconds": AFTER_SCANNERS_SECONDS})
    assert moved.status == 200, moved.body
    for index in range(2):
        (email,) = _outbox_to(stack, f"ines-signer-{index}@example.org")[-1:]
        calendar = _button(email["text"], "Add to my calendar")
        assert "/r/" in calendar
        assert stack.call("GET", calendar).status == 302
        rsvp = _button(email["text"], "Tell us if you are coming")
        assert stack.call("POST", rsvp, {"answer": "yes"}).status == 200

    # Then the statistics move on the update's page
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("[data-clicks=calendar]")).to_have_text("2")
    expect(page.locator("[data-stat=rsvp-yes]")).to_have_text("2")
    expect(page.locator("[data-stat=recipients]")).to_have_text("3")
    assert axe(page) == []
    screenshot(page, "update-page")


def test_a_photo_is_uploaded_from_the_composer_previewed_and_published(
    stack: Client, phone: Page
) -> None:
    page = phone
    # Given a starter composing an event
    petition_id = _in_composer(stack, page, "noor", signers=1)
    _event(page)

    # When she chooses a photo (the browser posts it to the bucket's presigned POST)
    photo: FilePayload = {"name": "hall.png", "mimeType": "image/png", "buffer": _png()}
    page.get_by_label("Choose a photo").set_input_files(files=[photo])

    # Then the composer shows it, and once described the email's preview shows it too
    expect(page.get_by_text("Photo ready.")).to_be_visible()
    expect(page.locator(".photo-preview")).to_have_attribute("src", re.compile("^data:image/png"))
    _field(page, "Describe the photo for those who cannot see it").fill("The town hall")
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_role("img", name="The town hall")).to_be_visible()

    # And published, the update's page shows the photo the bucket serves
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("img", name="The town hall")).to_have_attribute(
        "src", re.compile(r"/_local/photos/" + petition_id + r"/[0-9A-Z]{26}\.png$")
    )
    shown = page.get_by_role("img", name="The town hall").get_attribute("src")
    served = stack.call("GET", shown or "")
    assert served.status == 200
    assert served.body == _png()
    assert axe(page) == []
    screenshot(page, "update-page-photo")


def _held(page: Page, path: str) -> list[Route]:
    """The app's GETs of the API's ``path``, held (as a slow network would) until the test lets
    them go with ``continue_()``."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "GET":
            held.append(route)
        else:
            route.continue_()

    page.route(lambda url: urlsplit(url).path == path, hold)
    return held


#: Where each element of the page a finger can press is (the elements kept in the page, to be
#: found again after a change).
_PRESSABLE_PLACES = """(again) => {
    if (!again) {
        window.__pressables = [...document.querySelectorAll("main a, main button, main input,"
            + " main select, main textarea")].filter((element) => element.getClientRects().length);
    }
    return window.__pressables.map((element) => {
        const box = element.getBoundingClientRect();
        const name = element.getAttribute("aria-labelledby") || element.textContent.trim();
        return [`${element.tagName.toLowerCase()} ${name}`, Math.round(box.x), Math.round(box.y)];
    });
}"""


def test_what_a_finger_may_press_stays_put_when_the_petition_arrives(
    stack: Client, phone: Page
) -> None:
    page = phone
    # Given a starter opening the composer on a slow network: the petition (its title and the
    # countdown, shown above the form) comes after the page
    petition_id = _petition(stack, "kofi", signers=0)
    held = _held(page, f"/petitions/{petition_id}")
    with page.expect_request(lambda request: urlsplit(request.url).path.endswith(petition_id)):
        _signed_in(page, "kofi", f"/app/petitions/{petition_id}/compose")
    expect(page.get_by_role("heading", level=1)).to_have_text("Write an update")
    offered = page.evaluate(_PRESSABLE_PLACES, False)

    # When it comes
    assert len(held) == 1, held
    held[0].continue_()
    expect(page.locator(".countdown")).to_be_visible()

    # Then nothing offered before it moved (a type pressed as it came would be released
    # elsewhere, and the tap would choose nothing), and a type is chosen with a tap
    now = page.evaluate(_PRESSABLE_PLACES, True)
    moved = [
        (*before, *after[1:]) for before, after in zip(offered, now, strict=True) if before != after
    ]
    assert moved == [], "moved (name, x, y, then x, y): " + repr(moved)
    _choose(page, "An event or a delivery")
    expect(_field(page, "Title")).to_be_visible()


def test_a_petition_that_cannot_be_read_is_said_with_a_retry_and_no_form(
    stack: Client, phone: Page
) -> None:
    page = phone
    # Given a starter opening the composer as the network drops the petition's first GET
    petition_id = _petition(stack, "lena", signers=0)
    dropped: list[str] = []

    def drop_the_first(route: Route) -> None:
        if route.request.method == "GET" and not dropped:
            dropped.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(lambda url: urlsplit(url).path == f"/petitions/{petition_id}", drop_the_first)
    _signed_in(page, "lena", f"/app/petitions/{petition_id}/compose")

    # Then it is said, and no type is offered to choose for a petition not read
    expect(page.get_by_role("alert")).to_contain_text("The service cannot be reached")
    expect(page.get_by_role("radio")).to_have_count(0)

    # When they ask again, the petition comes and the form with it
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    _choose(page, "An event or a delivery")
    expect(_field(page, "Title")).to_be_visible()
    assert len(dropped) == 1


def test_a_second_publish_is_refused_with_the_time_the_window_reopens(
    stack: Client, each_width: Page
) -> None:
    page = each_width
    # Given a petition that sent an update a moment ago, its starter in the composer
    petition_id = _petition(stack, "omar", signers=1)
    _publish_by_api(stack, "omar", petition_id)
    _signed_in(page, "omar", f"/app/petitions/{petition_id}/compose")
    expect(page.locator(".countdown")).to_contain_text("Next update possible in")

    # When they publish another one
    _choose(page, "News")
    _field(page, "Title").fill("More news")
    _field(page, "Your message").fill("The council answered.")
    page.get_by_role("button", name="Publish", exact=True).click()

    # Then the refusal says when the window reopens, in words, and nothing raw
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        re.compile(
            r"^You can send one update every 24 hours\. The next one is possible "
            r"in (23 h \d+|24 h [0-2]) min \(.+\)\.$"
        )
    )
    text = alert.inner_text()
    assert "update_too_soon" not in text
    assert not re.search(r"\d{4}-\d\d-\d\dT", text), text
    assert axe(page) == []
    screenshot(page, "composer-refused")


def test_a_refused_field_is_said_next_to_it(stack: Client, desktop: Page) -> None:
    page = desktop
    # Given a starter composing an event that ends before it starts
    petition_id = _in_composer(stack, page, "lena", signers=0)
    _event(page)
    _field(page, "Ends (optional)").fill("2027-03-10T17:00")

    # When they publish it
    page.get_by_role("button", name="Publish", exact=True).click()

    # Then the API's 422 (a rule over two fields, named in its message) is said next to the
    # end, which has the focus, and the start is not marked
    ends = _field(page, "Ends (optional)")
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-ends_at-error")).to_have_text("The end must come after the start.")
    expect(ends).to_be_focused()
    expect(_field(page, "Starts")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text(
        "Some fields need a change: see the messages next to them."
    )

    # When the start is moved into the past (a field's own rule, named by its path)
    _field(page, "Ends (optional)").fill("")
    _field(page, "Starts").fill("2020-03-10T18:00")
    page.get_by_role("button", name="Publish", exact=True).click()

    # Then the start says so, and nothing was published
    expect(page.locator("#field-starts_at-error")).to_have_text("Choose a time still to come.")
    expect(_field(page, "Starts")).to_have_attribute("aria-invalid", "true")
    listed = stack.call("GET", f"/petitions/{petition_id}/updates").json()
    assert listed["updates"] == []
    screenshot(page, "composer-field-error")


def test_a_starter_publishes_with_the_keyboard_alone(stack: Client, phone: Page) -> None:
    page = phone
    # Given a starter signed in, on the composer
    petition_id = _in_composer(stack, page, "yuki", signers=1)
    expect(page.get_by_role("radio", name="Press coverage", exact=True)).to_be_visible()

    # When they reach the types with Tab, choose News with the arrows and Enter, write, and
    # press Enter on Publish
    _tab_to(page, "input[type=radio][value=press]")
    for _ in range(7):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "news"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="News", exact=True)).to_be_focused()
    _tab_to(page, "#field-title")
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("Every step without a mouse.")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    # Then the update is published, and its page has the focus on its title
    expect(page.get_by_text("Your update is published")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Typed with the keyboard")
    listed = stack.call("GET", f"/petitions/{petition_id}/updates").json()
    assert [update["title"] for update in listed["updates"]] == ["Typed with the keyboard"]


def _tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Press Tab until the element ``selector`` names has the focus."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never had the focus after {presses} Tabs")


def test_the_responses_are_a_table_and_their_csv_is_downloaded(
    stack: Client, desktop: Page
) -> None:
    page = desktop
    # Given an update asking for testimonies, answered by a signer who lets it go to the press
    petition_id = _petition(stack, "sara", signers=1)
    body = {
        "type": "ask_testimony",
        "title": "Tell us your library",
        "body": "Journalists want stories.",
        "prompt": "What does the library mean to you?",
    }
    asked = stack.call("POST", f"/petitions/{petition_id}/updates", body, token=stack.token("sara"))
    assert asked.status == 201, asked.body
    update_id = asked.json()["update_id"]
    stack.drain()
    (email,) = _outbox_to(stack, "sara-signer-0@example.org")[-1:]
    answer = {"kind": "testimony", "text": "I learnt to read there.", "press_consent": True}
    answered = stack.call("POST", _button(email["text"], "Tell my story"), answer)
    assert answered.status == 201, answered.body

    # When the starter opens the update's page
    _signed_in(page, "sara", f"/app/petitions/{petition_id}/updates/{update_id}")

    # Then the response is a row of the table, with its press consent
    row = page.get_by_role("row").filter(has_text="I learnt to read there.")
    expect(row).to_contain_text("Testimony")
    expect(row).to_contain_text("Yes, may be passed to the press")
    assert axe(page) == []

    # And the CSV downloads through the API with the starter's token: the API's bytes
    with page.expect_download() as started:
        page.get_by_role("button", name="Download all as CSV").click()
    download = started.value
    assert download.suggested_filename == f"responses-{update_id}.csv"
    saved = download.path()
    expected = stack.call(
        "GET",
        f"/petitions/{petition_id}/updates/{update_id}/responses.csv",
        token=stack.token("sara"),
    )
    assert expected.status == 200, expected.body
    assert saved.read_bytes() == expected.body
    assert "I learnt to read there." in expected.body.decode("utf-8-sig")
    screenshot(page, "update-responses")


def test_a_scheduled_update_is_moved_then_cancelled_and_a_published_one_corrected(
    stack: Client, desktop: Page
) -> None:
    page = desktop
    # Given a starter who schedules an update from the composer
    petition_id = _in_composer(stack, page, "theo", signers=1)
    _choose(page, "News")
    _field(page, "Title").fill("Council vote on Monday")
    _field(page, "Your message").fill("Come and listen.")
    page.get_by_role("radio", name="Schedule it").check()
    _field(page, "Date and time of publication").fill("2027-02-01T09:30")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_text("Your update is scheduled for")).to_be_visible()

    # When they change its title, then cancel it
    page.get_by_role("link", name="Change or cancel this update").click()
    expect(_field(page, "Title")).to_have_value("Council vote on Monday")
    _field(page, "Title").fill("Council vote on Tuesday")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Council vote on Tuesday")
    page.get_by_role("link", name="Change or cancel this update").click()
    page.get_by_role("button", name="Cancel this scheduled update").click()

    # Then it is cancelled, and the petition has no scheduled update left
    page.wait_for_url(re.compile(f"/app/petitions/{petition_id}$"))
    unpublished = stack.call(
        "GET", f"/petitions/{petition_id}/unpublished-updates", token=stack.token("theo")
    ).json()["updates"]
    assert [(u["title"], u["status"]) for u in unpublished] == [
        ("Council vote on Tuesday", "cancelled")
    ]

    # When a published update's typo is corrected
    _publish_by_api(stack, "theo", petition_id)
    (published,) = stack.call("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    _leave(page, f"/app/petitions/{petition_id}/updates/{published['update_id']}")
    stack.drain()
    sent_before = len(stack.outbox())
    expect(page.locator("#stats-heading ~ p").first).to_be_visible()  # its numbers came
    page.get_by_role("link", name="Correct this update").click()
    _field(page, "Your message").fill("Thank you all, really.")
    page.get_by_role("button", name="Save the correction").click()

    # Then its page says so, and the API shows the corrected text, with no new email
    expect(page.get_by_text("Correction saved")).to_be_visible()
    shown = stack.call("GET", f"/petitions/{petition_id}/updates/{published['update_id']}").json()
    assert shown["body"] == "Thank you all, really."
    assert shown["edited_at"] is not None
    stack.drain()
    assert len(stack.outbox()) == sent_before


def test_the_composer_teaches_and_refuses_in_french(stack: Client, phone: Page) -> None:
    page = phone
    # Given a starter who switches the dashboard to French in the composer
    _in_composer(stack, page, "zoe", signers=0)
    page.get_by_label("Language").select_option("fr")

    # When they choose a type, then publish an event that has started already
    expect(page.get_by_role("heading", level=1)).to_have_text("Écrire une nouvelle")
    page.get_by_role("radio", name="Demander des témoignages", exact=True).click()
    expect(page.get_by_text("un journaliste cherche un visage et une histoire")).to_be_visible()
    page.get_by_role("button", name="Choisir un autre type").click()
    page.get_by_role("radio", name="Un événement ou une remise", exact=True).click()
    _field(page, "Titre").fill("Rassemblement")
    _field(page, "Votre message").fill("Venez nombreux.")
    _field(page, "Début").fill("2020-03-10T18:00")
    _field(page, "Lieu").fill("Mairie")
    page.get_by_role("button", name="Publier", exact=True).click()

    # Then the refusal is in French, next to the start
    expect(page.locator("#field-starts_at-error")).to_have_text("Choisissez un moment à venir.")
    assert axe(page) == []
    screenshot(page, "composer-fr")


def test_a_link_opens_the_composer_on_its_type(stack: Client, phone: Page) -> None:
    page = phone
    # Given a starter's petition, and the link the dashboard's "Announce a victory" and the
    # reminders' "write an update" give (?type=)
    petition_id = _petition(stack, "amara", signers=0)

    # When the starter follows it
    _signed_in(page, "amara", f"/app/petitions/{petition_id}/compose?type=victory")

    # Then the composer is open on that type, with its advice
    expect(page.get_by_role("radio", name="Victory", exact=True)).to_be_checked()
    expect(page.get_by_text("Publishing a victory closes the petition")).to_be_visible()
