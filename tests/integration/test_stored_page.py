"""A petition's page shown again from the store (mobilise.petitions.stored_page): byte for
byte the page that rendering it now writes, whatever changed since it was stored, with the
count of now; rendered again only when what it shows changed; shown without the signing
key, and by a module that imports no template engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mobilise.api import pages
from mobilise.core import aws, clock, crypto
from mobilise.i18n import LANGUAGES
from mobilise.petitions import stored_page
from mobilise.table.models import bound
from mobilise.table.stored_pages import StoredPage
from tests.integration.harness import Mobilise
from tests.integration.test_answers import ANSWER, _post, _sent_link
from tests.unit.test_cold_imports import _loaded, _modules_after_import

MORNING = datetime(2026, 12, 4, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _morning() -> Iterator[None]:
    clock.freeze(MORNING)
    yield
    clock.reset()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The petitions whose page was rendered (not shown from the store), in order."""
    rendered: list[str] = []
    render = pages.stored_petition

    def counted(read: stored_page.Read) -> str:
        rendered.append(read.petition.petition_id)
        return render(read)

    monkeypatch.setattr(pages, "stored_petition", counted)
    return rendered


def _view(mobilise: Mobilise, petition_id: str, lang: str | None = None) -> str:
    reply = mobilise.request("GET", f"/p/{petition_id}" + (f"?lang={lang}" if lang else ""))
    assert reply.status == 200, reply.text
    return reply.text


def _rendered_now(mobilise: Mobilise, petition_id: str, lang: str | None = None) -> str:
    """The page as rendering it now writes it: what is stored deleted first."""
    bound()
    for language in LANGUAGES:
        StoredPage(*StoredPage.key(petition_id, language)).delete()
    return _view(mobilise, petition_id, lang)


def _shown_as_rendered(mobilise: Mobilise, petition_id: str, lang: str | None = None) -> str:
    shown = _view(mobilise, petition_id, lang)
    assert shown == _rendered_now(mobilise, petition_id, lang)
    return shown


def test_a_page_is_rendered_once_and_shown_again_with_the_count_of_now(
    on_both: Mobilise, renders: list[str]
) -> None:
    # Given a petition whose page was shown once
    petition_id = on_both.create_petition(title="Save the woods")
    first = _view(on_both, petition_id)
    assert "0 signatures" in first
    assert renders == [petition_id]

    # When it is shown again, then after two signatures
    again = _view(on_both, petition_id)
    for signer in ("ann@example.org", "ben@example.org"):
        assert on_both.sign(petition_id, signer).status == 201
    counted = _view(on_both, petition_id)

    # Then it was rendered once: the same page, then the same with the count moved
    assert renders == [petition_id]
    assert again == first
    assert counted == first.replace("0 signatures", "2 signatures")
    # and each time as rendering it now writes it
    assert counted == _rendered_now(on_both, petition_id)


def test_each_language_has_its_own_page(mobilise: Mobilise, renders: list[str]) -> None:
    petition_id = mobilise.create_petition()
    english, french = _view(mobilise, petition_id), _view(mobilise, petition_id, "fr")

    assert 'lang="en"' in english
    assert 'lang="fr"' in french
    assert _view(mobilise, petition_id) == english
    assert _view(mobilise, petition_id, "fr") == french
    assert renders == [petition_id, petition_id]


def _publish(mobilise: Mobilise, petition_id: str, _: dict[str, str]) -> None:
    assert mobilise.publish(petition_id, title="We met the mayor").status == 201


def _correct(mobilise: Mobilise, petition_id: str, _: dict[str, str]) -> None:
    (update,) = mobilise.request("GET", f"/petitions/{petition_id}/updates").json()["updates"]
    path = f"/petitions/{petition_id}/updates/{update['update_id']}"
    reply = mobilise.request("PATCH", path, {"title": "We met the deputy mayor"}, user="alice")
    assert reply.status == 200, reply.text


def _answer(mobilise: Mobilise, petition_id: str, kept: dict[str, str]) -> None:
    clock.advance(24 * 3600)  # the answer is an update: a day after the starter's
    kept["answer"] = _sent_link(mobilise, petition_id)
    assert _post(mobilise, kept["answer"], ANSWER).status == 200


def _three_more(mobilise: Mobilise, petition_id: str, _: dict[str, str]) -> None:
    """Three updates more, a day apart: the answer's is no longer among the latest shown."""
    for day in range(stored_page.LATEST):
        clock.advance(24 * 3600)
        assert mobilise.publish(petition_id, title=f"Day {day + 1}").status == 201


def _change_answer(mobilise: Mobilise, _: str, kept: dict[str, str]) -> None:
    """The decision-maker changes their answer, within the 14 days they may."""
    changed = {**ANSWER, "stance": "agree", "text": "On reflection, yes."}
    assert _post(mobilise, kept["answer"], changed).status == 200


def _close(mobilise: Mobilise, petition_id: str, _: dict[str, str]) -> None:
    assert mobilise.request("POST", f"/petitions/{petition_id}/close", user="alice").status == 200


#: Each change to what a petition's page shows, in an order they can be made in, and a
#: sign of it on the page.
CHANGES: list[tuple[Any, str]] = [
    (_publish, "We met the mayor"),
    (_correct, "We met the deputy mayor"),
    (_answer, "We &lt;b&gt;cannot&lt;/b&gt; keep it open."),
    (_three_more, "Day 3"),
    (_change_answer, "On reflection, yes."),
    (_close, "This petition is closed"),
]


def test_every_change_to_what_a_page_shows_is_shown_at_once(
    mobilise: Mobilise, renders: list[str]
) -> None:
    petition_id = mobilise.create_petition()
    _view(mobilise, petition_id)
    kept: dict[str, str] = {}

    for change, sign in CHANGES:
        # Given the page shown, and stored
        before = _view(mobilise, petition_id)
        assert sign not in before
        rendered = len(renders)

        # When what it shows changes
        change(mobilise, petition_id, kept)

        # Then the next to ask sees the change, rendered again, as rendering it now writes it
        after = _shown_as_rendered(mobilise, petition_id)
        assert sign in after, change.__name__
        assert renders[rendered] == petition_id, change.__name__


def test_a_title_cannot_take_the_place_of_the_count(mobilise: Mobilise) -> None:
    # Given a petition whose title and description hold the count's place, as text
    place = str(stored_page.SIGNERS)
    petition_id = mobilise.create_petition(title=f"Count {place}", description=f"Here: {place}")
    _view(mobilise, petition_id)
    assert mobilise.sign(petition_id, "ann@example.org").status == 201

    # When the page is shown from the store
    page = _shown_as_rendered(mobilise, petition_id)

    # Then the count is where the template put it, and the title and text are as written
    assert page.count("1 signature") == 1
    assert '<p class="count"><strong>1 signature</strong></p>' in page
    assert page.count("Count &lt;mobilise-signers&gt;") >= 2  # <title> and <h1>
    assert "Here: &lt;mobilise-signers&gt;" in page
    assert place not in page


def test_a_stored_page_is_shown_without_the_signing_key(
    mobilise: Mobilise, monkeypatch: pytest.MonkeyPatch
) -> None:
    petition_id = mobilise.create_petition()
    stored = _view(mobilise, petition_id)

    # A fresh environment: no key read yet, and no secret to be read
    crypto.reset()

    def unreadable() -> Any:
        raise AssertionError("a secret was read")

    with monkeypatch.context() as patched:  # undone before the system is taken down
        patched.setattr(aws, "secretsmanager", unreadable)
        assert _view(mobilise, petition_id) == stored


def test_another_release_renders_the_page_again(
    mobilise: Mobilise, renders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    petition_id = mobilise.create_petition()
    _view(mobilise, petition_id)

    monkeypatch.setattr(stored_page, "RELEASE", "42")
    _view(mobilise, petition_id)
    _view(mobilise, petition_id)

    assert renders == [petition_id, petition_id]


def test_the_release_is_the_functions_published_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "17")
    assert stored_page._release() == "17"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    one, other = stored_page._release(), stored_page._release()
    assert one.startswith("process-")
    assert one != other


def test_the_page_s_module_imports_no_template_engine() -> None:
    """Showing a stored page: the route's module and what it imports load neither Jinja2,
    the renderer, the pages' views nor the other public pages."""
    shown = set(
        _modules_after_import(
            "ApiFunction", then="from mobilise import api\napi.include('petition_page')"
        )
    )

    assert "mobilise.api.petition_page" in shown
    rendering = {"jinja2", "mobilise.emails.rendering", "mobilise.petitions.pages"}
    assert not {package for package in rendering if _loaded(shown, package)}
    assert "mobilise.api.pages" not in shown
