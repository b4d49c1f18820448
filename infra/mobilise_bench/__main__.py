"""``python -m mobilise_bench --out DIR [--smoke] [--only SECTION]``: ``make bench``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobilise_bench", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="directory for the results")
    parser.add_argument(
        "--smoke", action="store_true", help="every benchmark at tiny sizes (under a minute)"
    )
    parser.add_argument(
        "--only", action="append", metavar="SECTION", help="run only this section (repeatable)"
    )
    args = parser.parse_args(argv)

    from mobilise_bench.runner import run

    results = run(args.out, smoke=args.smoke, only=args.only)
    sys.stdout.write((args.out / "results.md").read_text())
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
