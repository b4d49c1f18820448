"""The dashboard's upload (infra/deploy_web.sh), without AWS: its config.json written from a
stack's outputs, and the AWS CLI calls it makes, in order, with their cache lifetimes (a fake
``aws`` first on PATH records them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mobilise_local import app_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ["/bin/bash", str(ROOT / "infra" / "deploy_web.sh"), "mobilise-prod"]
SITE = "https://d111111abcdef8.cloudfront.net"
LOGIN = "https://mobilise-1234.auth.eu-west-1.amazoncognito.com"
OUTPUTS = {
    "SiteUrl": SITE,
    "LoginDomain": LOGIN,
    "AppClientId": "4tq1example",
    "AppBucketName": "mobilise-appbucket-1x2y3z",
    "SiteDistributionId": "E2EXAMPLE",
    "ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/prod",
}
#: A stand-in for the AWS CLI: each call as a JSON line; describe-stacks answers OUTPUTS; the
#: file ``s3 cp`` uploads is kept, to be read.
FAKE_AWS = """#!{python}
import json, os, shutil, sys
log = os.environ["FAKE_AWS_LOG"]
with open(log, "a") as stream:
    stream.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["cloudformation", "describe-stacks"]:
    outputs = json.loads(os.environ["FAKE_OUTPUTS"]).items()
    print(json.dumps({{"Stacks": [{{"Outputs": [
        {{"OutputKey": k, "OutputValue": v}} for k, v in outputs
    ]}}]}}))
if sys.argv[1:3] == ["s3", "cp"]:
    shutil.copy(sys.argv[3], log + ".uploaded")
"""


def _describe(outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "Stacks": [{"Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]}]
    }


def test_config_json_is_written_from_the_stacks_outputs() -> None:
    outputs = app_config.outputs_of(_describe(OUTPUTS))

    config = app_config.config(outputs["SiteUrl"], outputs["LoginDomain"], outputs["AppClientId"])

    assert config == {
        "apiUrl": "",
        "authorizeUrl": f"{LOGIN}/oauth2/authorize",
        "tokenUrl": f"{LOGIN}/oauth2/token",
        "logoutUrl": f"{LOGIN}/logout?client_id=4tq1example&logout_uri="
        "https%3A%2F%2Fd111111abcdef8.cloudfront.net%2Fapp%2F",
        "clientId": "4tq1example",
        "redirectUri": f"{SITE}/app/callback",
        "scopes": "openid email profile",
    }


def test_a_stack_without_the_sites_outputs_is_refused_with_what_is_missing() -> None:
    older = {k: v for k, v in OUTPUTS.items() if k not in ("AppBucketName", "LoginDomain")}

    with pytest.raises(app_config.MissingOutputs) as refused:
        app_config.outputs_of(_describe(older))

    assert str(refused.value) == (
        "the stack has no LoginDomain, AppBucketName output: deploy this template first"
    )


@pytest.fixture
def fake_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS.format(python=sys.executable))
    aws.chmod(0o755)
    log = tmp_path / "aws.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_AWS_LOG", str(log))
    monkeypatch.setenv("FAKE_OUTPUTS", json.dumps(OUTPUTS))
    monkeypatch.setenv("PYTHON", sys.executable)
    return log


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "assets" / "index-3f2a.js").write_text("")
    return dist


def test_the_upload_sends_assets_first_then_documents_then_invalidates(
    tmp_path: Path, fake_aws: Path
) -> None:
    # Given a built app and a stack
    dist = _dist(tmp_path)

    # When it is uploaded
    subprocess.run(
        [*DEPLOY, str(dist)],
        check=True,
        capture_output=True,
    )

    # Then the AWS CLI was called in this order, with these lifetimes
    calls = [json.loads(line) for line in fake_aws.read_text().splitlines()]
    bucket = "s3://mobilise-appbucket-1x2y3z/app"
    assert calls == [
        ["cloudformation", "describe-stacks", "--stack-name", "mobilise-prod", "--output", "json"],
        [
            "s3", "sync", f"{dist}/assets", f"{bucket}/assets",
            "--cache-control", "public, max-age=31536000, immutable",
        ],
        [
            "s3", "sync", str(dist), bucket, "--delete", "--exclude", "assets/*",
            "--exclude", ".built", "--exclude", "config.json", "--cache-control", "no-cache",
        ],
        [
            "s3", "cp", calls[3][2], f"{bucket}/config.json",
            "--content-type", "application/json", "--cache-control", "no-cache",
        ],
        [
            "cloudfront", "create-invalidation", "--distribution-id", "E2EXAMPLE",
            "--paths", "/app/index.html", "/app/config.json", "/app/preview-frame.html",
        ],
    ]  # fmt: skip
    # And the config.json it uploaded is the stack's
    uploaded = json.loads(Path(f"{fake_aws}.uploaded").read_text())
    assert uploaded["redirectUri"] == f"{SITE}/app/callback"
    assert uploaded["authorizeUrl"] == f"{LOGIN}/oauth2/authorize"


def test_no_upload_without_a_built_app(tmp_path: Path, fake_aws: Path) -> None:
    ran = subprocess.run(
        [*DEPLOY, str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )

    assert ran.returncode == 1
    assert "build the app first (make web)" in ran.stderr
    assert not fake_aws.exists()  # nothing was asked of AWS
