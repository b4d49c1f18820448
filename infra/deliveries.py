"""The operators' command for paused deliveries:
``python infra/deliveries.py paused``, ``... resume|cancel PETITION_ID UPDATE_ID``,
``... resume-account``.

An update's delivery pauses when its complaints or bounces pass the circuit breaker's rates;
every delivery pauses when SES refuses to send for the account. Nothing is lost while it is
paused: ``resume`` sends the rest (a resume of many messages may answer ``parked_left``:
run it again), ``cancel`` sends nothing more (the rest counted as spared).
``resume-account`` once SES sends again (it too may answer ``parked_left``: run it again,
though the account is no longer paused).

It invokes the stack's ModerationFunction with the operator's own AWS credentials (IAM:
only those allowed ``lambda:InvokeFunction`` on it can), and prints the answer as JSON.
``--function`` names the function (the stack output ``ModerationFunctionName``).
"""

from __future__ import annotations

import argparse
import json
import sys

from moderation import invoke

ACTIONS = {
    "paused": "paused",
    "resume": "resume",
    "cancel": "cancel",
    "resume-account": "resume_account",
}


def main(argv: list[str] | None = None, client: object = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=list(ACTIONS))
    parser.add_argument("petition_id", nargs="?")
    parser.add_argument("update_id", nargs="?")
    parser.add_argument("--function", required=True, help="the ModerationFunctionName output")
    args = parser.parse_args(argv)
    command = {"action": ACTIONS[args.action]}
    if args.action in ("resume", "cancel"):
        if not (args.petition_id and args.update_id):
            parser.error("resume and cancel name the petition and the update")
        command |= {"petition_id": args.petition_id, "update_id": args.update_id}
    elif args.petition_id or args.update_id:
        parser.error(f"{args.action} names no update")
    answer = invoke(args.function, command, client)
    json.dump(answer, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if "error" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
