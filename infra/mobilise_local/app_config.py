"""The dashboard's ``/app/config.json``: where the API is and how to sign in.

One shape for both places the app runs: on AWS the upload command writes it from the stack's
outputs (``python -m mobilise_local.app_config OUTPUTS.json``, see infra/deploy_web.sh); the
local stack serves it with its own sign-in endpoints (mobilise_local.oauth), which have
Cognito's paths under ``/_local``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import urlencode

from mobilise_local.template import read

APP_CLIENT = "AppClient"  # the dashboard's client of the user pool, in template.yaml
#: The stack outputs the upload needs (template.yaml's Outputs).
OUTPUTS = ("SiteUrl", "LoginDomain", "AppClientId", "AppBucketName", "SiteDistributionId")


class MissingOutputs(Exception):
    """The stack has no such outputs: not deployed with this template yet."""


def scopes() -> str:
    """The scopes the app asks for: all its client may have (space-separated, as OAuth's
    ``scope`` parameter takes them)."""
    client = read().resources[APP_CLIENT]["Properties"]
    return " ".join(client["AllowedOAuthScopes"])


def config(site: str, login: str, client_id: str) -> dict[str, Any]:
    """``site``: the origin of pages, app and API; ``login``: the sign-in domain's origin."""
    site = site.rstrip("/")
    logout = urlencode({"client_id": client_id, "logout_uri": f"{site}/app/"})
    return {
        "apiUrl": "",  # the API is on the app's own origin
        "authorizeUrl": f"{login}/oauth2/authorize",
        "tokenUrl": f"{login}/oauth2/token",
        "logoutUrl": f"{login}/logout?{logout}",
        "clientId": client_id,
        "redirectUri": f"{site}/app/callback",
        "scopes": scopes(),
    }


def outputs_of(describe_stacks: dict[str, Any]) -> dict[str, str]:
    """The outputs of ``aws cloudformation describe-stacks --stack-name X`` by key, checked."""
    (stack,) = describe_stacks["Stacks"]
    found = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUTS if not found.get(key)]
    if missing:
        raise MissingOutputs(
            f"the stack has no {', '.join(missing)} output: deploy this template first"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mobilise_local.app_config",
        description="Write the app's config.json from `aws cloudformation describe-stacks`.",
    )
    parser.add_argument("outputs", help="the JSON describe-stacks printed for the stack")
    parser.add_argument("--get", choices=OUTPUTS, help="print this output's value instead")
    args = parser.parse_args(argv)
    with open(args.outputs, encoding="utf-8") as stream:
        try:
            outputs = outputs_of(json.load(stream))
        except MissingOutputs as missing:
            parser.exit(2, f"{parser.prog}: {missing}\n")
    if args.get:
        sys.stdout.write(outputs[args.get] + "\n")
        return 0
    document = config(outputs["SiteUrl"], outputs["LoginDomain"], outputs["AppClientId"])
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
