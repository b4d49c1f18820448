"""Abuse cases: who may call what, what a client may set, forged links, huge bodies, confusion.

Every case is read from template.yaml where it can be, so a route added to the template
is covered at once, or fails here until it is given an entry in the tables below.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from mobilise.core import clock, crypto, links
from mobilise.core.config import get_settings
from mobilise.core.links import ActionRef, SignerRef
from mobilise.petitions.public import PetitionOut
from mobilise.petitions.schemas import SignatureOut
from mobilise.publishing.schemas import UpdateOut, UpdateStats
from mobilise.table.models import FanoutJob, Petition, Signature, Suppression, Update
from mobilise_local.gateway import Gateway, HttpResponse, response_from
from mobilise_local.template import Route, read
from tests.integration.harness import (
    PUBLIC_URL,
    HeaderAuthorizer,
    Mobilise,
    Reply,
    running_on_moto,
)

OWNER = "alice"
SOMEONE_ELSE = "mallory"
MAX_BODY_BYTES = 64 * 1024  # DESIGN.md / issue 6: a larger body is a 413, whatever the route
FORM = "application/x-www-form-urlencoded"
UNKNOWN_ID = "01JZZZZZZZZZZZZZZZZZZZZZZZ"  # has the shape of an id; names nothing

ROUTES = read().routes()
PETITION_ROUTES = [route for route in ROUTES if "{petition_id}" in route.path]
BODY_ROUTES = [route for route in ROUTES if route.method in ("POST", "PUT", "PATCH")]


def _route_id(route: Route) -> str:
    return f"{route.method} {route.path}"


# What a valid request of each route is -------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A valid request of one route, and the answer it gets when it is allowed."""

    success: int
    #: A JSON body; the tag makes it unique per call (two signatures need two addresses).
    body: Callable[[str], dict[str, Any]] | None = None
    form: str | None = None  # a form body instead (RFC 8058 one-click)
    token: str | None = None  # which kind of signed link fills {token}
    #: The fields DESIGN.md lets a client set in the body; every other known field is refused.
    accepts: frozenset[str] = frozenset()
    bodiless: bool = False  # a POST that reads no body (an action on the resource of its path)


def _petition(tag: str) -> dict[str, Any]:
    return {
        "title": f"Save the library ({tag})",
        "description": "Our library closes in March.",
        "language": "en",
        "decision_maker": {"name": "The council", "email": "council@example.org"},
    }


def _signature(tag: str) -> dict[str, Any]:
    return {"email": f"{tag}@example.org", "name": "A signer", "wants_updates": True}


def _update(tag: str) -> dict[str, Any]:
    return {"title": f"Hearing on Monday ({tag})", "body": "Come and listen."}


def _response(tag: str) -> dict[str, Any]:
    return {"text": f"It changed my life ({tag}).", "press_consent": True}


#: The type-specific fields of the updates whose links need them (respond, RSVP).
_ASKING_FIELDS: dict[str, dict[str, Any]] = {
    "ask_testimony": {"prompt": "Tell us your story."},
    "event": {
        "kind": "demonstration",
        "starts_at": "2030-01-01T10:00:00Z",
        "time_zone": "Europe/Paris",
        "place": "Town hall",
    },
}


def _asking_update(mobilise: Mobilise, petition_id: str, type_: str) -> str:
    return mobilise.seed_update(petition_id, type_, _ASKING_FIELDS[type_])


#: Every route of template.yaml; a route without an entry fails the tests that need it.
CASES: dict[tuple[str, str], Case] = {
    ("POST", "/petitions"): Case(
        201,
        body=_petition,
        accepts=frozenset({"title", "description", "language", "decision_maker"}),
    ),
    ("GET", "/petitions"): Case(200),
    ("GET", "/petitions/{petition_id}"): Case(200),
    ("GET", "/petitions/{petition_id}/nudges"): Case(200),
    ("PUT", "/petitions/{petition_id}/nudges"): Case(
        200, body=lambda tag: {"on": False}, accepts=frozenset({"on"})
    ),
    ("GET", "/petitions/{petition_id}/signature-counts"): Case(200),
    ("POST", "/petitions/{petition_id}/signatures"): Case(
        201,
        body=_signature,
        accepts=frozenset({"email", "name", "language", "wants_updates", "altcha"}),
    ),
    ("POST", "/petitions/{petition_id}/close"): Case(200, bodiless=True),
    ("POST", "/petitions/{petition_id}/updates"): Case(
        201,
        body=_update,
        accepts=frozenset({"type", "title", "body", "photo", "link", "publish_at"}),
    ),
    ("POST", "/petitions/{petition_id}/photos"): Case(
        201, body=lambda tag: {"content_type": "image/png"}, accepts=frozenset({"content_type"})
    ),
    ("GET", "/petitions/{petition_id}/updates"): Case(200),
    ("GET", "/petitions/{petition_id}/updates/{update_id}"): Case(200),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/stats"): Case(200),
    ("GET", "/petitions/{petition_id}/shares"): Case(200),
    # Publishing: preview, test send, corrections, the starter's unpublished updates.
    ("POST", "/petitions/{petition_id}/updates/preview"): Case(
        200,
        body=_update,
        accepts=frozenset({"type", "title", "body", "photo", "link", "publish_at"}),
    ),
    ("POST", "/petitions/{petition_id}/updates/test"): Case(
        202,
        body=_update,
        accepts=frozenset({"type", "title", "body", "photo", "link", "publish_at"}),
    ),
    ("PATCH", "/petitions/{petition_id}/updates/{update_id}"): Case(
        200,
        body=lambda tag: {"title": f"Hearing moved to Tuesday ({tag})"},
        accepts=frozenset({"type", "title", "body", "link", "publish_at", "status"}),
    ),
    ("GET", "/petitions/{petition_id}/unpublished-updates"): Case(200),
    ("POST", "/petitions/{petition_id}/updates/{update_id}/stop"): Case(200, bodiless=True),
    ("GET", "/signatures/confirm/{token}"): Case(200, token="confirm"),
    ("POST", "/signatures/confirm/{token}"): Case(200, token="confirm", bodiless=True),
    ("GET", "/unsubscribe/{token}"): Case(200, token="unsubscribe"),
    ("POST", "/unsubscribe/{token}"): Case(
        200, form="List-Unsubscribe=One-Click", token="unsubscribe"
    ),
    ("GET", "/unsubscribe-digest/{token}"): Case(200, token="digest"),
    ("POST", "/unsubscribe-digest/{token}"): Case(
        200, form="List-Unsubscribe=One-Click", token="digest"
    ),
    ("GET", "/r/{token}"): Case(302, token="redirect"),
    ("HEAD", "/r/{token}"): Case(302, token="redirect"),
    ("GET", "/nudges/off/{token}"): Case(200, token="nudges_off"),
    ("POST", "/nudges/off/{token}"): Case(
        200, form="List-Unsubscribe=One-Click", token="nudges_off"
    ),
    # The scene's update is news: its calendar file is a 404 whoever asks (events: test_calendar).
    ("GET", "/petitions/{petition_id}/updates/{update_id}/event.ics"): Case(404),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses"): Case(200),
    ("GET", "/petitions/{petition_id}/updates/{update_id}/responses.csv"): Case(200),
    ("GET", "/respond/{token}"): Case(200, token="respond"),
    ("POST", "/respond/{token}"): Case(
        201,
        body=_response,
        token="respond",
        accepts=frozenset({"kind", "text", "name", "contact", "press_consent"}),
    ),
    ("GET", "/rsvp/{token}"): Case(200, token="rsvp"),
    ("POST", "/rsvp/{token}"): Case(200, form="answer=yes", token="rsvp"),
    # The public pages: anyone reads them; the sign form is a browser's form post.
    ("GET", "/p/{petition_id}"): Case(200),
    ("POST", "/p/{petition_id}"): Case(200, form="name=A+signer&email=form%40example.org"),
    ("GET", "/p/{petition_id}/updates/{update_id}"): Case(200),
    ("GET", "/start"): Case(200),
    ("GET", "/static/{name}"): Case(200),
    # The decision-maker's answer: the starter's sending (it reads no body), then the page of
    # the link of its email, whose form the decision-maker posts (the first post publishes,
    # the next ones change the answer: the same page either way).
    ("POST", "/petitions/{petition_id}/decision-maker/requests"): Case(202, bodiless=True),
    ("GET", "/petitions/{petition_id}/decision-maker/requests"): Case(200),
    ("GET", "/p/{petition_id}/answer/{token}"): Case(200, token="answer"),
    ("POST", "/p/{petition_id}/answer/{token}"): Case(
        200, form="stance=agree&name=The+Mayor&role=Mayor+of+Paris", token="answer"
    ),
}


def _case(route: Route) -> Case:
    case = CASES.get((route.method, route.path))
    if case is None:
        pytest.fail(f"{_route_id(route)} has no entry in CASES: add a valid request for it")
    return case


@dataclass(frozen=True)
class Scene:
    """A petition of OWNER with one published update and one signer; the 24 h window open."""

    petition_id: str
    update_id: str
    signer: SignerRef
    asking: dict[str, str]  # update type -> an update of that type on the petition

    def path(self, route: Route) -> str:
        values = {"petition_id": self.petition_id, "update_id": self.update_id, "name": "pages.css"}
        token_kind = _case(route).token
        if token_kind is not None:
            spec = TOKEN_KINDS[token_kind]
            signer = self.signer
            if spec.per_update:
                signer = signer._replace(update_id=self.update_id)
            if spec.update_type is not None:
                signer = signer._replace(update_id=self.asking[spec.update_type])
            values["token"] = _token(spec.issue(signer))
        names = re.findall(r"{(\w+)}", route.path)
        if missing := [name for name in names if name not in values]:
            pytest.fail(f"no value for {missing} in {route.path}: teach Scene.path about it")
        return re.sub(r"{(\w+)}", lambda found: values[found.group(1)], route.path)


#: The link of the scene's update: its email's one button (``/r/{token}`` leads to it).
SCENE_LINK = "https://example.org/hearing"


def _scene(mobilise: Mobilise) -> Scene:
    petition_id = mobilise.create_petition(owner=OWNER)
    published = mobilise.publish(petition_id, owner=OWNER, link=SCENE_LINK)
    assert published.status == 201, published.text
    signer = "sam@example.org"
    assert mobilise.sign(petition_id, signer).status == 201
    # Frozen a day later: the owner may publish again, and answers do not differ by the second.
    clock.freeze(clock.now() + timedelta(hours=25))
    return Scene(
        petition_id,
        published.json()["update_id"],
        SignerRef(petition_id, crypto.email_hash(signer)),
        {type_: _asking_update(mobilise, petition_id, type_) for type_ in _ASKING_FIELDS},
    )


def _send(
    mobilise: Mobilise,
    route: Route,
    path: str,
    *,
    user: str | None,
    tag: str,
    source_ip: str = "192.0.2.10",
) -> Reply:
    case = _case(route)
    if case.form is not None:
        return mobilise.request(
            route.method,
            path,
            raw=case.form,
            user=user,
            headers={"Content-Type": FORM},
            source_ip=source_ip,
        )
    body = case.body(tag) if case.body is not None else None
    return mobilise.request(route.method, path, body, user=user, source_ip=source_ip)


def test_every_route_of_the_template_has_a_valid_request_here() -> None:
    # Given the routes of template.yaml and the table of valid requests
    in_template = {(route.method, route.path) for route in ROUTES}

    # When they are compared / Then each route has an entry, and no entry is stale
    assert sorted(in_template - CASES.keys()) == [], "add these routes to CASES"
    assert sorted(CASES.keys() - in_template) == [], "these routes are no longer in the template"


# Who may call a petition's routes -------------------------------------------------------------

CALLERS = (("anonymous", None), ("another signed-in user", SOMEONE_ELSE), ("the owner", OWNER))


@pytest.mark.parametrize("route", PETITION_ROUTES, ids=_route_id)
def test_a_petition_route_answers_the_owner_and_refuses_others_or_answers_all_alike(
    mobilise: Mobilise, route: Route
) -> None:
    # Given a petition of alice's with a published update, a day later
    scene = _scene(mobilise)
    path = scene.path(route)
    case = _case(route)

    # When anonymous, another signed-in user, then the owner call the route
    answers: dict[str, Reply] = {}
    writes: dict[str, bool] = {}
    for index, (who, user) in enumerate(CALLERS):
        before = mobilise.items()
        answers[who] = _send(
            mobilise, route, path, user=user, tag=f"caller{index}", source_ip=f"203.0.113.{index}"
        )
        writes[who] = mobilise.items() != before

    # Then an owner route serves the owner only, refused callers writing nothing
    anonymous, other, owner = (answers[who] for who, _ in CALLERS)
    if route.authorized:
        assert owner.status == case.success, owner.text
        assert anonymous.status == 401, anonymous.text
        assert anonymous.json()["error"]["code"] == "unauthorized"
        assert other.status in (403, 404), other.text
        assert not writes["anonymous"]
        assert not writes["another signed-in user"]
    # And a public route gives everyone the same answer
    else:
        assert {who: reply.status for who, reply in answers.items()} == dict.fromkeys(
            answers, case.success
        ), {who: reply.text for who, reply in answers.items()}
        assert anonymous.text == other.text == owner.text


def test_creating_a_petition_needs_a_signed_in_user(mobilise: Mobilise) -> None:
    # Given nobody signed in
    before = mobilise.items()

    # When a petition is posted without a token
    reply = mobilise.request("POST", "/petitions", _petition("anonymous"))

    # Then it is a 401 in the error shape, and nothing is written
    assert reply.status == 401, reply.text
    assert reply.json()["error"]["code"] == "unauthorized"
    assert mobilise.items() == before


def test_a_token_that_names_nobody_cannot_create_a_petition(mobilise: Mobilise) -> None:
    # Given a bearer token whose subject is empty (the authorizer let it through)
    before = mobilise.items()

    # When it posts a petition
    reply = mobilise.request(
        "POST", "/petitions", _petition("empty"), headers={"Authorization": "Bearer "}
    )

    # Then the api function itself refuses it: no petition without an owner
    assert reply.status == 401, reply.text
    assert reply.json()["error"]["code"] == "unauthorized"
    assert mobilise.items() == before


@pytest.mark.parametrize("route", [route for route in ROUTES if route.authorized], ids=_route_id)
def test_a_route_behind_the_authorizer_refuses_anonymous_callers_even_without_it(
    mobilise: Mobilise, route: Route
) -> None:
    # Given the template's routes with the authorizer taken off (a mistake in the template)
    scene = _scene(mobilise)
    unguarded = Gateway(
        [dataclasses.replace(each, authorized=False) for each in ROUTES],
        HeaderAuthorizer(),  # type: ignore[arg-type]  # never asked: no route is authorized
        mobilise.template.gateway_responses(),
        mobilise.stack.parameters["Stage"],
    )
    case = _case(route)
    body = json.dumps(case.body("unguarded")).encode() if case.body is not None else b""
    built = unguarded.event(
        route.method, scene.path(route), {"Content-Type": "application/json"}, body, "192.0.2.10"
    )
    assert not isinstance(built, HttpResponse), built
    before = mobilise.items()

    # When an anonymous request reaches the api function
    reply = response_from(mobilise.invoke(route.function, built[1]))

    # Then the function itself refuses it, and nothing is written
    assert reply.status == 401, reply.body
    assert json.loads(reply.body)["error"]["code"] == "unauthorized"
    assert mobilise.items() == before


def test_a_signed_in_user_may_sign_someone_elses_petition(mobilise: Mobilise) -> None:
    # Given alice's petition
    petition_id = mobilise.create_petition(owner=OWNER)

    # When bob, signed in, signs it
    reply = mobilise.request(
        "POST", f"/petitions/{petition_id}/signatures", _signature("bob"), user="bob"
    )

    # Then it is an ordinary signature
    assert reply.status == 201, reply.text
    assert mobilise.request("GET", f"/petitions/{petition_id}").json()["signer_count"] == 1


# Mass assignment ------------------------------------------------------------------------------

#: What a client must never set, whatever the route (issue 6), with every attribute the table
#: stores and every field the API answers with: a field added to a model is covered at once.
_NAMED = {
    "owner_id",
    "petition_id",
    "update_id",
    "status",
    "signer_count",
    "last_update_at",
    "confirmed_at",
    "unsubscribed_at",
    "recipients",
    "sent",
    "created_at",
    "published_at",
    "pk",
    "sk",
    "email_hash",
    "owner",
    "user_id",
    "sub",
}
_STORED = {
    name
    for model in (Petition, Update, FanoutJob, Signature, Suppression)
    for python_name, attribute in model.get_attributes().items()
    for name in (python_name, attribute.attr_name)
}
_ANSWERED = {
    *(field.name for field in dataclasses.fields(PetitionOut)),  # mobilise.petitions.public
    *(name for schema in (SignatureOut, UpdateOut, UpdateStats) for name in schema.model_fields),
}
_NEVER_FROM_A_CLIENT = frozenset(_NAMED | _STORED | _ANSWERED)
JSON_ROUTES = [
    route
    for route in BODY_ROUTES
    if (case := CASES.get((route.method, route.path))) is None
    or (case.form is None and not case.bodiless)
]


def _sneaky(field: str) -> Any:
    """A value that would do harm if it were taken."""
    if field.endswith("_at"):
        return "2020-01-01T00:00:00Z"
    if field in ("signer_count", "recipients", "sent", "failed", "shards", "hits"):
        return 1_000_000
    if field in ("wants_updates", "confirmation_required"):
        return True
    return SOMEONE_ELSE


@pytest.mark.parametrize("route", JSON_ROUTES, ids=_route_id)
def test_a_body_that_sets_what_a_client_may_not_is_refused_naming_the_field(
    mobilise: Mobilise, route: Route
) -> None:
    # Given a route that takes a JSON body, called by someone allowed to
    scene = _scene(mobilise)
    case = _case(route)
    assert case.body is not None, f"{_route_id(route)} takes a body: give CASES one"
    path = scene.path(route)
    user = OWNER if route.authorized else None
    forbidden = sorted(_NEVER_FROM_A_CLIENT - case.accepts)
    before = mobilise.items()

    # When its valid body carries, one at a time, a field the client may not set
    wrong: dict[str, str] = {}
    for index, field in enumerate(forbidden):
        body = {**case.body(f"mass{index}"), field: _sneaky(field)}
        reply = mobilise.request(route.method, path, body, user=user)
        named = reply.status == 422 and re.search(
            rf"\b{re.escape(field)}\b", reply.json()["error"]["message"]
        )
        if not named:
            wrong[field] = f"{reply.status} {reply.text[:200]}"
        elif mobilise.items() != before:
            wrong[field] = "refused, but something was written"

    # Then each is a 422 that names the field, and nothing is written
    assert wrong == {}
    # And the same body without it is accepted (the field, not the body, was refused)
    accepted = mobilise.request(route.method, path, case.body("clean"), user=user)
    assert accepted.status == case.success, accepted.text


def test_a_nested_field_a_client_may_not_set_is_refused(mobilise: Mobilise) -> None:
    # Given a petition whose decision-maker carries an owner
    body = _petition("nested")
    body["decision_maker"] = {**body["decision_maker"], "owner_id": SOMEONE_ELSE}
    before = mobilise.items()

    # When it is posted
    reply = mobilise.request("POST", "/petitions", body, user=OWNER)

    # Then it is refused, naming the field where it is
    assert reply.status == 422, reply.text
    assert "decision_maker.owner_id" in reply.json()["error"]["message"]
    assert mobilise.items() == before


# Request body size ----------------------------------------------------------------------------


def _padded(route: Route, size: int, tag: str) -> str:
    """A valid body of ``route`` made exactly ``size`` bytes long (JSON whitespace, form field)."""
    case = _case(route)
    if case.form is not None:
        text = f"{case.form}&pad="
        return text + "x" * (size - len(text.encode()))
    if case.bodiless:
        return "{}" + " " * (size - 2)
    assert case.body is not None, f"{_route_id(route)} takes a body: give CASES one"
    text = json.dumps(case.body(tag))
    return text + " " * (size - len(text.encode()))


def _post_raw(mobilise: Mobilise, route: Route, path: str, raw: str) -> Reply:
    content_type = FORM if _case(route).form is not None else "application/json"
    user = OWNER if route.authorized else None
    return mobilise.request(
        route.method, path, raw=raw, user=user, headers={"Content-Type": content_type}
    )


@pytest.mark.parametrize("route", BODY_ROUTES, ids=_route_id)
def test_a_body_over_64_kib_is_a_413_and_one_at_64_kib_is_served(
    mobilise: Mobilise, route: Route
) -> None:
    # Given a route that takes a body, and a valid body padded one byte past 64 KiB
    scene = _scene(mobilise)
    path = scene.path(route)
    before = mobilise.items()

    # When it is sent
    refused = _post_raw(mobilise, route, path, _padded(route, MAX_BODY_BYTES + 1, "big"))

    # Then it is a 413 in the error shape, and nothing is written
    assert refused.status == 413, refused.text
    assert refused.json()["error"]["code"] == "payload_too_large"
    assert mobilise.items() == before
    # And the same body at exactly 64 KiB is served: the size, not the content, was refused
    served = _post_raw(mobilise, route, path, _padded(route, MAX_BODY_BYTES, "limit"))
    assert served.status == _case(route).success, served.text


def test_the_size_limit_counts_bytes_not_characters(mobilise: Mobilise) -> None:
    # Given a petition whose description is 20,000 four-byte characters: 80 KB, 20 k characters
    body = {**_petition("emoji"), "description": "\N{GRINNING FACE}" * 20_000}
    raw = json.dumps(body, ensure_ascii=False)
    assert len(raw) < MAX_BODY_BYTES < len(raw.encode())
    before = mobilise.items()

    # When it is posted
    reply = mobilise.request("POST", "/petitions", raw=raw, user=OWNER)

    # Then it is over the limit
    assert reply.status == 413, reply.text
    assert mobilise.items() == before


# Cross-petition confusion ---------------------------------------------------------------------


@dataclass(frozen=True)
class TwoPetitions:
    a: str  # alice's, with update a_update
    a_update: str
    b: str  # bob's, with an update of its own


def _two_petitions(mobilise: Mobilise) -> TwoPetitions:
    a = mobilise.create_petition(owner=OWNER)
    b = mobilise.create_petition(owner="bob")
    a_update = mobilise.publish(a, owner=OWNER)
    assert a_update.status == 201, a_update.text
    assert mobilise.publish(b, owner="bob").status == 201
    return TwoPetitions(a, a_update.json()["update_id"], b)


def test_an_update_of_one_petition_is_not_found_under_another(mobilise: Mobilise) -> None:
    # Given alice's petition A with an update, and bob's petition B
    two = _two_petitions(mobilise)
    unknown = mobilise.request("GET", f"/petitions/{two.b}/updates/{UNKNOWN_ID}")

    # When A's update is asked for under B's path
    reply = mobilise.request("GET", f"/petitions/{two.b}/updates/{two.a_update}")

    # Then it is a 404, the answer of an update that does not exist
    assert reply.status == 404, reply.text
    assert (reply.status, reply.text) == (unknown.status, unknown.text)
    # And B's list does not show it
    listed = mobilise.request("GET", f"/petitions/{two.b}/updates").json()["updates"]
    assert two.a_update not in [update["update_id"] for update in listed]


@pytest.mark.parametrize(
    ("asker", "expected"),
    [("bob", (404,)), (OWNER, (403, 404))],
    ids=["by the owner of B", "by the owner of A, who does not own B"],
)
def test_the_stats_of_an_update_under_another_petitions_path_are_refused(
    mobilise: Mobilise, asker: str, expected: tuple[int, ...]
) -> None:
    # Given alice's petition A with an update, and bob's petition B
    two = _two_petitions(mobilise)

    # When the stats of A's update are asked for under B's path
    reply = mobilise.request("GET", f"/petitions/{two.b}/updates/{two.a_update}/stats", user=asker)

    # Then nothing is shown: 404 for B's owner (B has no such update), 403/404 for anyone else
    assert reply.status in expected, reply.text
    assert "recipients" not in reply.json()


def test_the_owner_of_one_petition_cannot_read_the_stats_of_anothers_update(
    mobilise: Mobilise,
) -> None:
    # Given alice's petition A with an update, and bob, the owner of B
    two = _two_petitions(mobilise)

    # When bob asks for the stats of A's update under A's path
    reply = mobilise.request("GET", f"/petitions/{two.a}/updates/{two.a_update}/stats", user="bob")

    # Then he is refused, and alice is not
    assert reply.status in (403, 404), reply.text
    assert "recipients" not in reply.json()
    mine = mobilise.request("GET", f"/petitions/{two.a}/updates/{two.a_update}/stats", user=OWNER)
    assert mine.status == 200, mine.text


# Signed links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenKind:
    issue: Callable[[SignerRef], str]  # the URL we put in an email
    validity: timedelta | None  # None: good as long as what it names exists
    #: The token names an update as well (``SignerRef.update_id``): the tests publish one.
    per_update: bool = False
    #: For a token that names no signer (the same in every recipient's email), a genuine
    #: token of the same email that differs from it: it stands in for "another signer's".
    sibling: Callable[[SignerRef], str] | None = None
    per_petition: bool = False  # names a petition, not a signer (the starter's links)

    update_type: str | None = None  # the link names an update of this type (respond, RSVP)


def _button(action: str) -> Callable[[SignerRef], str]:
    """The redirect of one button of the update ``signer.update_id`` (it names no signer)."""

    def issue(signer: SignerRef) -> str:
        assert signer.update_id is not None
        return links.redirect_url(ActionRef(signer.petition_id, signer.update_id, action))

    return issue


def _answer_link(signer: SignerRef) -> str:
    """The decision-maker's link of a sending of ``signer.petition_id``, stored as the
    starter's route stores it (without its email; the weekly rule is the route's)."""
    from mobilise.answers import flow, tokens
    from mobilise.answers.items import Sending
    from mobilise.core import ids
    from mobilise.table.models import bound

    bound()
    now, sending_id = clock.now(), ids.new_id()
    Sending(
        *Sending.key(signer.petition_id, sending_id),
        petition_id=signer.petition_id,
        sending_id=sending_id,
        sent_at=now,
        link_expires_at=now + flow.LINK_VALIDITY,
    ).save()
    ref = tokens.SendingRef(signer.petition_id, sending_id)
    return tokens.answer_url(ref, now + flow.LINK_VALIDITY)


def _digest_link(signer: SignerRef) -> str:
    """The leave-all link of a digest holding one update, the signer's (a digest's
    ``List-Unsubscribe``: mobilise.digests.unsubscribing)."""
    from mobilise.digests import unsubscribing

    assert signer.update_id is not None
    return unsubscribing.unsubscribe_all_url(
        signer.email_hash, [(signer.petition_id, signer.update_id)]
    )


#: Every token we issue; a new kind of token must join this table and TOKEN_ROUTES, and every
#: case below then runs against it too. A redirect (``/r/{token}``) names a button of an
#: update's email, the same for every recipient.
TOKEN_KINDS: dict[str, TokenKind] = {
    "unsubscribe": TokenKind(links.unsubscribe_url, validity=None),
    "confirm": TokenKind(links.confirm_url, validity=links.CONFIRM_VALIDITY),
    "redirect": TokenKind(
        _button("link"), validity=None, per_update=True, sibling=_button("article")
    ),
    "nudges_off": TokenKind(
        lambda signer: links.nudges_off_url(signer.petition_id), validity=None, per_petition=True
    ),
    "respond": TokenKind(
        links.respond_url, validity=links.RESPOND_VALIDITY, update_type="ask_testimony"
    ),
    "rsvp": TokenKind(links.rsvp_url, validity=links.RESPOND_VALIDITY, update_type="event"),
    "answer": TokenKind(_answer_link, validity=timedelta(days=30), per_petition=True),
    "digest": TokenKind(_digest_link, validity=None, per_update=True),
}
TOKEN_ROUTES = [route for route in ROUTES if "{token}" in route.path]


def _token(url: str) -> str:
    """The token of a link: on the API, or on the site for the pages' links (/p/...)."""
    assert url.startswith((PUBLIC_URL + "/", get_settings().site_url + "/p/")), url
    return url.rsplit("/", 1)[1]


def _petition_in(token: str) -> str:
    """The petition a token's payload names, as whoever builds a link's path reads it
    (a /p/{petition_id}/... link): an id that names nothing when it names none."""
    try:
        claims = json.loads(base64.urlsafe_b64decode(_parts(token)[0] + "=="))
    except ValueError:
        return UNKNOWN_ID
    named = claims.get("p") if isinstance(claims, dict) else None
    return named if isinstance(named, str) and re.fullmatch(r"\w{1,40}", named) else UNKNOWN_ID


def _routes_of(kind: str) -> list[Route]:
    return [route for route in TOKEN_ROUTES if _case(route).token == kind]


def test_every_route_that_takes_a_token_reads_a_kind_of_token_tested_here() -> None:
    # Given the routes of template.yaml with a {token}
    # When each is looked up / Then it reads a kind of token this file forges
    for route in TOKEN_ROUTES:
        assert _case(route).token in TOKEN_KINDS, _route_id(route)
    for kind in TOKEN_KINDS:
        assert _routes_of(kind), f"no route reads {kind} tokens"


@dataclass(frozen=True)
class Issued:
    """A genuine token, and genuine tokens near it to splice from."""

    kind: str
    token: str  # sam's, on petition A
    other_signer: str  # kim's, on petition A
    other_petition: str  # sam's, on petition B
    other_purpose: str  # sam's, on petition A, of another kind
    petition_b: str
    kim: SignerRef
    unknown: str  # genuine, for an address that never signed


def _issue(mobilise: Mobilise, kind: str) -> Issued:
    a = mobilise.create_petition(owner=OWNER)
    b = mobilise.create_petition(owner="bob")
    for petition_id, address in (
        (a, "sam@example.org"),
        (a, "kim@example.org"),
        (b, "sam@example.org"),
    ):
        assert mobilise.sign(petition_id, address).status == 201
    sam, kim = crypto.email_hash("sam@example.org"), crypto.email_hash("kim@example.org")
    spec = TOKEN_KINDS[kind]
    issue = spec.issue
    a_update = b_update = unknown_update = None
    if spec.per_update:  # an update on each petition, whose email has the buttons issued
        a_update, b_update = _press_update(mobilise, a, OWNER), _press_update(mobilise, b, "bob")
        unknown_update = UNKNOWN_ID
    if spec.update_type is not None:  # an update of the type the link answers, on each
        a_update = _asking_update(mobilise, a, spec.update_type)
        b_update = _asking_update(mobilise, b, spec.update_type)
        unknown_update = a_update
    other_kind = next(name for name in TOKEN_KINDS if name != kind)
    unknown = SignerRef(a, crypto.email_hash("nobody@example.org"), unknown_update)
    other_signer = SignerRef(a, kim, a_update)
    if spec.per_petition:  # the link of another petition of the same starter,
        other_signer = SignerRef(mobilise.create_petition(owner=OWNER), kim)
        unknown = SignerRef(UNKNOWN_ID, sam)  # and of a petition that does not exist
    return Issued(
        kind=kind,
        token=_token(issue(SignerRef(a, sam, a_update))),
        other_signer=_token((spec.sibling or issue)(other_signer)),
        other_petition=_token(issue(SignerRef(b, sam, b_update))),
        other_purpose=_token(TOKEN_KINDS[other_kind].issue(SignerRef(a, sam))),
        petition_b=b,
        kim=SignerRef(a, kim),
        unknown=_token(issue(unknown)),
    )


def _press_update(mobilise: Mobilise, petition_id: str, owner: str) -> str:
    """A published press update: its email has the buttons "article" and "link"."""
    reply = mobilise.publish(
        petition_id,
        owner=owner,
        type="press",
        article_url="https://press.example.org/library",
        outlet="The Gazette",
        headline="The library will stay open",
        link=SCENE_LINK,
    )
    assert reply.status == 201, reply.text
    update_id: str = reply.json()["update_id"]
    return update_id


def _works(kind: str, answers: dict[str, Answer]) -> bool:
    """Every route reading ``kind`` served the request (200, or 302 for a redirect)."""
    served = {_case(route).success for route in _routes_of(kind)}
    return all(status in served for status, _, _ in answers.values())


def _parts(token: str) -> tuple[str, str]:
    payload, mac = token.split(".")
    return payload, mac


def _with_claims(token: str, **changes: Any) -> str:
    """The token with its payload rewritten, and its MAC kept."""
    payload, mac = _parts(token)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    encoded = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return f"{base64.urlsafe_b64encode(encoded).rstrip(b'=').decode()}.{mac}"


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _changed_at(text: str, index: int) -> str:
    char = text[index]
    return text[:index] + ("B" if char == "A" else "A") + text[index + 1 :]


def _same_mac_bytes_spelled_otherwise(token: str) -> str:
    """The last character of a 16-byte MAC carries 2 bits and 4 unused ones: flip an unused one."""
    payload, mac = _parts(token)
    assert len(mac) == 22, mac
    last = _B64[_B64.index(mac[-1]) ^ 1]
    same = base64.urlsafe_b64decode(mac + "==") == base64.urlsafe_b64decode(mac[:-1] + last + "==")
    assert same
    return f"{payload}.{mac[:-1]}{last}"


TAMPERINGS: dict[str, Callable[[Issued], str]] = {
    "payload names another petition": lambda t: _with_claims(t.token, p=t.petition_b),
    "payload names another signer": lambda t: _with_claims(t.token, h=t.kim.email_hash),
    "payload extended to 2100": lambda t: _with_claims(t.token, exp=4_102_444_800),
    "payload one character changed": lambda t: _changed_at(t.token, 5),
    "mac one character changed": lambda t: _changed_at(t.token, len(_parts(t.token)[0]) + 3),
    "mac same bytes spelled otherwise": lambda t: _same_mac_bytes_spelled_otherwise(t.token),
    "mac removed": lambda t: _parts(t.token)[0],
    "mac empty": lambda t: _parts(t.token)[0] + ".",
    "mac truncated by one": lambda t: t.token[:-1],
    "token truncated to half": lambda t: t.token[: len(t.token) // 2],
    "mac of another signer": lambda t: f"{_parts(t.token)[0]}.{_parts(t.other_signer)[1]}",
    "mac of another petition": lambda t: f"{_parts(t.token)[0]}.{_parts(t.other_petition)[1]}",
    "payload of another petition": lambda t: f"{_parts(t.other_petition)[0]}.{_parts(t.token)[1]}",
    "token of the other purpose": lambda t: t.other_purpose,
    "mac padded with =": lambda t: t.token + "==",
    "payload padded with =": lambda t: "{}=.{}".format(*_parts(t.token)),
    "extra character appended": lambda t: t.token + "A",
    "extra character prepended": lambda t: "e" + t.token,
    "trailing dot": lambda t: t.token + ".",
    "second mac appended": lambda t: f"{t.token}.{_parts(t.token)[1]}",
    "only a dot": lambda t: ".",
}


@pytest.fixture
def opt_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mobilise]:
    """Double opt-in on: signers start unconfirmed, so a wrongly accepted confirm link writes."""
    with running_on_moto(parameters={"DoubleOptIn": "true"}) as system:
        yield system


Answer = tuple[int, tuple[tuple[str, str], ...], str]  # status, every header, body


def _answers(mobilise: Mobilise, kind: str, token: str) -> dict[str, Answer]:
    """What each route reading ``kind`` answers for ``token``, to a client and to a browser."""
    found: dict[str, Answer] = {}
    for route in _routes_of(kind):
        case = _case(route)
        for client, accept in (("client", None), ("browser", "text/html")):
            headers = {"Accept": accept} if accept else {}
            if case.form is not None:
                headers["Content-Type"] = FORM
            body = case.body("token") if case.body is not None else None
            path = route.path.replace("{token}", token)
            reply = mobilise.request(
                route.method,
                path.replace("{petition_id}", _petition_in(token)),
                body,
                raw=case.form,
                headers=headers,
            )
            found[f"{_route_id(route)} ({client})"] = (
                reply.status,
                tuple(sorted(reply.headers.items())),
                reply.text,
            )
    return found


def _refused_as_unknown(mobilise: Mobilise, issued: Issued) -> dict[str, Answer]:
    """The answers to a well-signed token that names nobody: the one answer of a bad link."""
    unknown = _answers(mobilise, issued.kind, issued.unknown)
    assert unknown == _answers(mobilise, issued.kind, "not-a-token")
    assert all(400 <= status < 500 for status, _, _ in unknown.values()), unknown
    return unknown


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_a_tampered_link_gets_the_answer_of_an_unknown_one_and_changes_nothing(
    opt_in: Mobilise, kind: str
) -> None:
    # Given a genuine link of sam's, signed and unconfirmed, and the answer to a link of nobody's
    issued = _issue(opt_in, kind)
    unknown = _refused_as_unknown(opt_in, issued)

    # When each tampered form of it is followed, by a client and by a browser
    wrong: dict[str, Any] = {}
    for tampering, forge in TAMPERINGS.items():
        forged = forge(issued)
        assert forged != issued.token, tampering
        before = opt_in.items()
        answers = _answers(opt_in, kind, forged)
        if answers != unknown:
            wrong[tampering] = {route: answer[0] for route, answer in answers.items()}
        elif opt_in.items() != before:
            wrong[tampering] = "answered as unknown, but something was written"

    # Then every route answers as for an unknown link, saying nothing of why, and writes nothing
    assert wrong == {}
    # And the genuine link works (the links were refused for their tampering, not their setting)
    genuine = _answers(opt_in, kind, issued.token)
    assert _works(kind, genuine), genuine


@pytest.mark.parametrize(
    "kind", [kind for kind, spec in TOKEN_KINDS.items() if spec.validity is not None]
)
def test_an_expired_link_gets_the_answer_of_an_unknown_one_and_changes_nothing(
    opt_in: Mobilise, kind: str
) -> None:
    # Given a genuine link that expires, and the answer to a link of nobody's
    issued = _issue(opt_in, kind)
    unknown = _refused_as_unknown(opt_in, issued)
    validity = TOKEN_KINDS[kind].validity
    assert validity is not None
    before = opt_in.items()

    # When it is followed one second after it expired
    clock.advance((validity + timedelta(seconds=1)).total_seconds())
    answers = _answers(opt_in, kind, issued.token)

    # Then it is answered as an unknown link, and nothing is written
    assert answers == unknown
    assert opt_in.items() == before


@pytest.mark.parametrize(
    "kind", [kind for kind, spec in TOKEN_KINDS.items() if spec.validity is not None]
)
def test_a_link_still_works_a_minute_before_it_expires(opt_in: Mobilise, kind: str) -> None:
    # Given a genuine link that expires
    issued = _issue(opt_in, kind)
    validity = TOKEN_KINDS[kind].validity
    assert validity is not None

    # When it is followed a minute before it expires
    clock.advance((validity - timedelta(minutes=1)).total_seconds())
    answers = _answers(opt_in, kind, issued.token)

    # Then it works
    assert _works(kind, answers), answers


@pytest.mark.parametrize(
    "kind", [kind for kind, spec in TOKEN_KINDS.items() if spec.validity is None]
)
def test_a_link_that_does_not_expire_still_works_a_year_later(opt_in: Mobilise, kind: str) -> None:
    # Given a genuine link that must keep working (RFC 8058 one-click unsubscribe)
    issued = _issue(opt_in, kind)

    # When it is followed a year later
    clock.advance(timedelta(days=365).total_seconds())
    answers = _answers(opt_in, kind, issued.token)

    # Then it works
    assert _works(kind, answers), answers
