"""The local sign-in domain (mobilise_local.oauth) over HTTP, as the dashboard uses it:
authorization code with PKCE, the code exchanged once for an ID token the API takes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.e2e.conftest import Answer, Client

PETITION = {
    "title": "Signed in through the sign-in page",
    "description": "A petition created with a token of the authorization code flow.",
    "language": "en",
    "decision_maker": {"name": "The council"},
}


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _config(stack: Client) -> dict[str, str]:
    answer = stack.call("GET", "/app/config.json")
    assert answer.status == 200, answer.body
    config: dict[str, str] = answer.json()
    return config


def _authorize(stack: Client, challenge: str, **changes: str) -> dict[str, str]:
    config = _config(stack)
    return {
        "response_type": "code",
        "client_id": config["clientId"],
        "redirect_uri": config["redirectUri"],
        "scope": config["scopes"],
        "state": "state-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }


def _sign_in(stack: Client, request: dict[str, str], user: str = "carla") -> Answer:
    return stack.call(
        "POST", "/_local/oauth2/authorize", form=urlencode({**request, "username": user})
    )


def _code(stack: Client, request: dict[str, str]) -> str:
    answer = _sign_in(stack, request)
    assert answer.status == 302, answer.body
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["state-42"]
    return query["code"][0]


def _exchange(
    stack: Client, request: dict[str, str], code: str, verifier: str, **changes: str
) -> Answer:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "client_id": request["client_id"],
        "redirect_uri": request["redirect_uri"],
        **changes,
    }
    return stack.call("POST", "/_local/oauth2/token", form=urlencode(form))


def test_the_app_config_names_the_local_sign_in_endpoints(stack: Client) -> None:
    config = _config(stack)
    assert config == {
        "apiUrl": "",
        "authorizeUrl": f"{stack.base}/_local/oauth2/authorize",
        "tokenUrl": f"{stack.base}/_local/oauth2/token",
        "logoutUrl": f"{stack.base}/_local/logout?"
        + urlencode({"client_id": config["clientId"], "logout_uri": f"{stack.base}/app/"}),
        "clientId": config["clientId"],
        "redirectUri": f"{stack.base}/app/callback",
        "scopes": "openid email profile",
    }


def test_the_sign_in_page_posts_the_request_back_with_a_user_name(stack: Client) -> None:
    # Given the app's authorize request
    request = _authorize(stack, _pkce()[1])

    # When the browser follows it
    page = stack.call("GET", "/_local/oauth2/authorize?" + urlencode(request))

    # Then a page asks for a user name and keeps the request in its form, under a policy
    # that lets the form post here and the browser go back to the app
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.body.decode()
    assert '<form method="post" action="/_local/oauth2/authorize">' in html
    assert '<label for="username">User name</label>' in html
    for name, value in request.items():
        assert f'name="{name}" value="{value}"' in html
    assert page.headers["Content-Security-Policy"] == (
        f"default-src 'none'; form-action 'self' {stack.base}; frame-ancestors 'none'; "
        "base-uri 'none'"
    )


def test_a_code_and_its_verifier_give_an_id_token_the_api_takes(stack: Client) -> None:
    # Given a code for carla, asked with a PKCE challenge
    verifier, challenge = _pkce()
    request = _authorize(stack, challenge)
    code = _code(stack, request)

    # When the app exchanges it with the verifier
    answer = _exchange(stack, request, code, verifier)

    # Then it gets tokens, not to be cached, and the ID token creates a petition
    assert answer.status == 200, answer.body
    assert answer.headers["Cache-Control"] == "no-store"
    tokens = answer.json()
    assert sorted(tokens) == ["access_token", "expires_in", "id_token", "token_type"]
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    created = stack.call("POST", "/petitions", PETITION, token=tokens["id_token"])
    assert created.status == 201, created.body


def test_a_wrong_verifier_is_refused_and_spends_the_code(stack: Client) -> None:
    # Given a code
    verifier, challenge = _pkce()
    request = _authorize(stack, challenge)
    code = _code(stack, request)

    # When it is exchanged with another verifier, then with its own
    wrong = _exchange(stack, request, code, _pkce()[0])
    again = _exchange(stack, request, code, verifier)

    # Then both are refused: a code is good for one try
    assert wrong.status == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier does not match code_challenge.",
    }
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_code_is_used_once(stack: Client) -> None:
    verifier, challenge = _pkce()
    request = _authorize(stack, challenge)
    code = _code(stack, request)
    assert _exchange(stack, request, code, verifier).status == 200

    replayed = _exchange(stack, request, code, verifier)

    assert replayed.status == 400
    assert replayed.json() == {
        "error": "invalid_grant",
        "error_description": "The code is unknown, used or expired.",
    }


def test_the_redirect_uri_must_be_the_authorize_requests(stack: Client) -> None:
    verifier, challenge = _pkce()
    request = _authorize(stack, challenge)
    code = _code(stack, request)

    answer = _exchange(stack, request, code, verifier, redirect_uri=f"{stack.base}/app/other")

    assert answer.status == 400
    assert answer.json()["error_description"] == "redirect_uri is not the authorize request's."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"redirect_uri": "http://127.0.0.1:1/app/callback"}, "redirect_uri is not one of"),
        ({"client_id": "someone-else"}, "client_id is not the dashboard&#x27;s client."),
    ],
)
def test_an_unregistered_client_or_redirect_is_told_on_a_page_never_redirected(
    stack: Client, change: dict[str, str], message: str
) -> None:
    request = _authorize(stack, _pkce()[1], **change)

    page = stack.call("GET", "/_local/oauth2/authorize?" + urlencode(request))
    posted = _sign_in(stack, request)

    for answer in (page, posted):
        assert answer.status == 400
        assert "Location" not in answer.headers
        assert message in answer.body.decode()
        assert "<form" not in answer.body.decode()


def test_without_pkce_the_app_is_sent_back_an_error(stack: Client) -> None:
    request = _authorize(stack, "", code_challenge_method="plain")

    answer = stack.call("GET", "/_local/oauth2/authorize?" + urlencode(request))

    assert answer.status == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["state-42"]
    assert "code" not in query


def test_a_user_name_the_pool_cannot_have_is_asked_again(stack: Client) -> None:
    request = _authorize(stack, _pkce()[1])

    answer = _sign_in(stack, request, user="not a name")

    assert answer.status == 400
    html = answer.body.decode()
    assert '<p role="alert">A user name is 1 to 64 letters, digits or . _ @ + -.</p>' in html
    assert '<input id="username"' in html


def test_sign_out_returns_to_the_app_only(stack: Client) -> None:
    config = _config(stack)

    out = stack.call(
        "GET", urlsplit(config["logoutUrl"]).path + "?" + urlsplit(config["logoutUrl"]).query
    )
    elsewhere = stack.call(
        "GET",
        "/_local/logout?"
        + urlencode({"client_id": config["clientId"], "logout_uri": "https://example.org/"}),
    )

    assert out.status == 302
    assert out.headers["Location"] == f"{stack.base}/app/"
    assert elsewhere.status == 400
    assert "Location" not in elsewhere.headers
