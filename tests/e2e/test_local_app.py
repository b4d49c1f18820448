"""``/app/`` on the local stack, as SiteDistribution serves it: the built app's files, the
client-side routes' fallback to its document, the security headers of template.yaml's
response headers policies, and cache lifetimes as the upload command sets them."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from mobilise_local.server import free_port
from tests.e2e.conftest import Client, running_stack

INDEX = (
    b'<!doctype html><html lang="en"><title>App</title>'
    b'<script type="module" src="/app/assets/index-3f2a.js"></script></html>'
)
SCRIPT = b"document.title = 'Mobilise';"
FRAME = (
    b'<!doctype html><html lang="en"><title>Preview</title>'
    b'<script src="/app/assets/frame-9c1d.js"></script></html>'
)
APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {base}/_local/; "
    "connect-src 'self' {base} {moto}; form-action 'self' {base}; frame-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
    "script-src 'self'; frame-ancestors 'self'"
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dist")
    (root / "assets").mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-3f2a.js").write_bytes(SCRIPT)
    (root / "preview-frame.html").write_bytes(FRAME)
    return root


DEV = "http://127.0.0.1:5173"  # the app's dev server, which forwards /app/config.json here


@pytest.fixture(scope="module")
def moto_port() -> int:
    """moto's port: the app uploads photos there locally (moto's S3)."""
    return free_port()


@pytest.fixture(scope="module")
def stack(dist: Path, moto_port: int) -> Iterator[Client]:
    options = ("--app-dir", str(dist), "--moto-port", str(moto_port), "--dev-origin", DEV)
    with running_stack(*options) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/app/", "/app/new", "/app/petitions/01J0/compose", "/app/callback?code=x&state=y"]
)
def test_the_app_and_its_client_side_routes_are_its_document(
    stack: Client, moto_port: int, path: str
) -> None:
    answer = stack.call("GET", path)

    assert answer.status == 200
    assert answer.body == INDEX
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["Content-Security-Policy"] == APP_POLICY.format(
        base=stack.base, moto=f"http://127.0.0.1:{moto_port}"
    )
    assert answer.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_app_without_its_slash_is_sent_to_it(stack: Client) -> None:
    answer = stack.call("GET", "/app")

    assert answer.status == 301
    assert answer.headers["Location"] == "/app/"


def test_app_without_its_slash_keeps_its_query(stack: Client) -> None:
    # As AppRoutesFunction does on CloudFront (tests/unit/test_site_template.py)
    answer = stack.call("GET", "/app?type=victory&tag=b%20c")

    assert answer.status == 301
    assert answer.headers["Location"] == "/app/?type=victory&tag=b%20c"


def test_hashed_assets_are_cached_for_good(stack: Client) -> None:
    answer = stack.call("GET", "/app/assets/index-3f2a.js")

    assert answer.status == 200
    assert answer.body == SCRIPT
    assert answer.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_missing_file_is_a_404_not_the_document(stack: Client) -> None:
    missing = stack.call("GET", "/app/assets/gone-0000.js")
    outside = stack.call("GET", "/app/../template.yaml")

    assert missing.status == 404
    assert missing.body == b"No such file of the app."
    assert outside.status == 404


def test_the_preview_frame_has_its_own_policy(stack: Client) -> None:
    answer = stack.call("GET", "/app/preview-frame.html")

    assert answer.status == 200
    assert answer.body == FRAME
    assert answer.headers["Content-Security-Policy"] == FRAME_POLICY
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_the_app_is_read_only_and_the_api_is_still_the_api(stack: Client) -> None:
    posted = stack.call("POST", "/app/", {"x": 1})
    api = stack.call("GET", "/apps")  # no route: API Gateway's own 404

    assert posted.status == 405
    assert api.status == 404
    assert api.headers == {
        "Content-Type": "application/json",
        "Content-Length": str(len(api.body)),
        "Server": api.headers["Server"],
        "Date": api.headers["Date"],
    }


def test_an_app_not_built_says_how_to_build_it(tmp_path: Path) -> None:
    with running_stack("--app-dir", str(tmp_path)) as client:
        answer = client.call("GET", "/app/")

    assert answer.status == 404
    assert answer.body == b"The app is not built: `make web` builds web/dist."


def test_the_dev_server_gets_a_config_that_signs_in_through_it(stack: Client) -> None:
    # Given the app's dev server, which forwards /app/config.json with its own Host
    url = urlsplit(stack.base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    connection.request("GET", "/app/config.json", headers={"Host": "127.0.0.1:5173"})
    config = json.loads(connection.getresponse().read())
    connection.close()

    # Then the app signs in through it and comes back to it
    assert config["authorizeUrl"] == f"{DEV}/_local/oauth2/authorize"
    assert config["tokenUrl"] == f"{DEV}/_local/oauth2/token"
    assert config["redirectUri"] == f"{DEV}/app/callback"
    # And the sign-in takes that callback (it is registered by --dev-origin)
    query = {
        "response_type": "code",
        "client_id": config["clientId"],
        "redirect_uri": config["redirectUri"],
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    page = stack.call("GET", f"/_local/oauth2/authorize?{urlencode(query)}")
    assert page.status == 200
    assert stack.call("GET", "/app/config.json").json()["redirectUri"] == (
        f"{stack.base}/app/callback"
    )
