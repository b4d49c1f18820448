"""The one-off after upgrading to the counters: ``python infra/recount.py --table NAME``.

Petitions from before the counters (issue 14) carry the counts every signature used
to write on them (``signer_count``, ``confirmed_count``), and their signatures have
no counters. The new code reads them with a fallback (the petition's counts plus the
counters' moves since; the subscribers by the old query) and this command ends it:
for each such petition it counts the signatures and sets the counters, dropping the
petition's counts in the same transaction (:func:`mobilise.table.counters.recount`,
tried again if a signature moved meanwhile). Run it once after the deployment, with
the operator's own credentials; running it again finds nothing left to do.

It scans the table once for those petitions, then reads each one's signatures: the
cost of one full read of the signatures, once. ``--signature-shards`` must be the
deployment's (16 unless its settings say otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

#: Settings the recount does not use, but which the settings require.
_UNUSED = {
    "PUBLISH_QUEUE_URL": "unused",
    "DELIVERY_QUEUE_URL": "unused",
    "SIGNING_SECRET_ARN": "unused",
    "SENDER_ADDRESS": "unused",
    "SES_CONFIGURATION_SET": "unused",
    "PUBLIC_BASE_URL": "https://unused.invalid",
    "IDEMPOTENCY_TABLE_NAME": "unused",
}


def legacy_petitions() -> list[str]:
    """The petitions that still carry the counts of before the counters."""
    from mobilise.table.models import Petition, bound

    bound()
    found = Petition.scan(
        (Petition.sk == "PETITION") & Petition.legacy_signers.exists(),
        attributes_to_get=["petition_id"],
    )
    return sorted(str(petition.petition_id) for petition in found)


def recount_all() -> dict[str, Any]:
    """Recount every petition from before the counters; what each now counts."""
    from mobilise.table import counters
    from mobilise.table.items import get_petition

    done: dict[str, Any] = {}
    for petition_id in legacy_petitions():
        counters.recount(petition_id)
        totals = counters.totals(get_petition(petition_id))
        done[petition_id] = {
            "confirmed": totals.confirmed,
            "unconfirmed": totals.unconfirmed,
            "subscribers": totals.subscribers,
        }
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", required=True, help="the stack's table (output TableName)")
    parser.add_argument("--signature-shards", type=int, default=16)
    args = parser.parse_args(argv)
    os.environ["TABLE_NAME"] = args.table
    os.environ["SIGNATURE_SHARDS"] = str(args.signature_shards)
    for name, value in _UNUSED.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "layers", "common"))
    json.dump(recount_all(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
