"""Hostile text in every field of the public pages (their paths, queries and the sign form):
never a 5xx, and whatever comes back shows the text escaped, never as markup."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.harness import Mobilise

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
MARKUP = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from([MARKUP, "{{ 7*7 }}", "{% raw %}", "%(title)s", "\r\nSet-Cookie: a=b", "\x00"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda text: text + MARKUP),
)
FIELDS = ("lang", "name", "email", "language", "wants_updates", "altcha")
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def petition_id(mobilise: Mobilise) -> str:
    """One petition for all of a test's examples."""
    return mobilise.create_petition()


def _harmless(status: int, text: str) -> None:
    assert status < 500, text
    assert "<script>alert" not in text
    assert "<img src=x" not in text


@EXAMPLES
@given(values=st.fixed_dictionaries({}, optional={name: hostile for name in FIELDS}))
def test_hostile_text_in_the_sign_form_is_refused_or_shown_escaped(
    mobilise: Mobilise, petition_id: str, values: dict[str, str]
) -> None:
    reply = mobilise.request(
        "POST", f"/p/{petition_id}", raw=urlencode(values), headers=FORM, source_ip="203.0.113.9"
    )
    _harmless(reply.status, reply.text)
    assert reply.status in (200, 422, 429), reply.text


@EXAMPLES
@given(text=hostile, where=st.sampled_from(["lang", "theme", "path", "update"]))
def test_hostile_text_in_the_pages_addresses_is_refused_or_shown_escaped(
    mobilise: Mobilise, petition_id: str, text: str, where: str
) -> None:
    word = quote(text, safe="")
    path = {
        "lang": f"/p/{petition_id}?lang={word}",
        "theme": f"/start?theme={word}",
        "path": f"/p/{word or 'x'}",
        "update": f"/p/{petition_id}/updates/{word or 'x'}",
    }[where]
    reply = mobilise.request("GET", path)
    _harmless(reply.status, reply.text)
    assert reply.status in (200, 403, 404, 422), reply.text


def test_a_hostile_petition_is_shown_escaped_everywhere(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition(
        title=MARKUP[:190], description=MARKUP, decision_maker={"name": MARKUP[:190]}
    )
    reply = mobilise.request("GET", f"/p/{petition_id}")
    assert reply.status == 200
    _harmless(reply.status, reply.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
