"""docs/performance.md's tables, written again from a run's results (never copied by hand).

The page keeps its own words around one block, between :data:`BEGIN` and :data:`END`;
a full ``make bench`` replaces the block with the run's Markdown (its headings one
level down, under the page's own). ``python -m mobilise_bench.docs RESULTS.json``
does the same from the results of an earlier run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mobilise_local.template import ROOT

PAGE = ROOT / "docs" / "performance.md"
BEGIN = "<!-- bench:begin (written by make bench from bench-results/results.json) -->"
END = "<!-- bench:end -->"


def block(results: dict[str, Any]) -> str:
    """The run's page without its title, each heading one level down."""
    from mobilise_bench.report import markdown
    from mobilise_bench.sections import SECTIONS

    lines = markdown(results, SECTIONS).splitlines()[1:]  # the page's title is the doc's own
    demoted = ["#" + line if line.startswith("#") else line for line in lines]
    return "\n".join(demoted).strip("\n")


def embed(results: dict[str, Any], page: Path = PAGE) -> None:
    """Replace the block of ``page`` with the tables of ``results``."""
    text = page.read_text()
    if BEGIN not in text or END not in text:
        raise ValueError(f"{page} has no {BEGIN!r} … {END!r} block")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    page.write_text(f"{before}{BEGIN}\n\n{block(results)}\n\n{END}{after}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m mobilise_bench.docs RESULTS.json\n")
        return 2
    embed(json.loads(Path(argv[0]).read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
