"""The operators' command for held updates:
``python infra/moderation.py list``, ``... approve|reject PETITION_ID UPDATE_ID``.

It invokes the stack's ModerationFunction with the operator's own AWS credentials
(IAM: only those allowed ``lambda:InvokeFunction`` on it can), and prints the
answer as JSON. ``--function`` names the function (the stack output
``ModerationFunctionName``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3


def invoke(function: str, command: dict[str, Any], client: Any = None) -> dict[str, Any]:
    lambda_client = client or boto3.client("lambda")
    response = lambda_client.invoke(
        FunctionName=function,
        InvocationType="RequestResponse",
        Payload=json.dumps(command).encode(),
    )
    answer: dict[str, Any] = json.loads(response["Payload"].read())
    if response.get("FunctionError"):
        raise RuntimeError(f"the moderation function failed: {answer}")
    return answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["list", "approve", "reject"])
    parser.add_argument("petition_id", nargs="?")
    parser.add_argument("update_id", nargs="?")
    parser.add_argument("--function", required=True, help="the ModerationFunctionName output")
    args = parser.parse_args(argv)
    command = {"action": args.action}
    if args.action != "list":
        if not (args.petition_id and args.update_id):
            parser.error("approve and reject name the petition and the update")
        command |= {"petition_id": args.petition_id, "update_id": args.update_id}
    answer = invoke(args.function, command)
    json.dump(answer, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if "error" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
