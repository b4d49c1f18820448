"""The operators' command for personal data: ``python infra/privacy.py export|erase EMAIL``.

It invokes the stack's PrivacyFunction with the operator's own AWS credentials
(IAM: only those allowed ``lambda:InvokeFunction`` on it can), and prints the
answer as JSON. ``--function`` names the function (the stack output
``PrivacyFunctionName``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3


def invoke(function: str, action: str, email: str, client: Any = None) -> dict[str, Any]:
    lambda_client = client or boto3.client("lambda")
    response = lambda_client.invoke(
        FunctionName=function,
        InvocationType="RequestResponse",
        Payload=json.dumps({"action": action, "email": email}).encode(),
    )
    answer: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"the privacy function failed: {answer}")
    return answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["export", "erase"])
    parser.add_argument("email")
    parser.add_argument("--function", required=True, help="the PrivacyFunctionName output")
    args = parser.parse_args(argv)
    if args.action == "erase":
        sys.stderr.write(f"Erasing everything held about {args.email}.\n")
    json.dump(invoke(args.function, args.action, args.email), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
