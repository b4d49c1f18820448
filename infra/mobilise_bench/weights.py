"""What a phone downloads (issue 13's aims): the petition page's HTML and CSS, and the
dashboard's first load of JavaScript and CSS, each file compressed on its own as it travels.
Sizes, not times: they do not depend on the machine's load."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from mobilise_bench.report import table

PAGE_AIM_KB = 30
APP_AIM_KB = 100


def measure() -> dict[str, Any]:
    """Both weights, from this checkout: the page rendered on moto, the app from web/dist
    (``make bench`` builds it first, as ``make run`` does)."""
    from mobilise_bench import sizes_app, sizes_pages

    pages = sizes_pages.petition_page_sizes()
    app = sizes_app.first_load()
    return {
        "petition_page": {
            "files": pages.page.files,
            "raw_bytes": pages.page.raw_bytes,
            "gzip_bytes": pages.page.gzip_bytes,
        },
        "petition_page_with_proof": {
            "files": pages.with_proof.files,
            "raw_bytes": pages.with_proof.raw_bytes,
            "gzip_bytes": pages.with_proof.gzip_bytes,
        },
        "dashboard_first_load": asdict(app),
    }


def _kb(size: int | None) -> str:
    return "–" if size is None else f"{size / 1024:.1f}"


def markdown(weights: dict[str, Any]) -> list[str]:
    page, proof, app = (
        weights["petition_page"],
        weights["petition_page_with_proof"],
        weights["dashboard_first_load"],
    )
    rows = [
        ["petition page (HTML + CSS)", _kb(page["raw_bytes"]), _kb(page["gzip_bytes"]), "–"],
        [
            "petition page past the burst (+ proof-of-work widget)",
            _kb(proof["raw_bytes"]),
            _kb(proof["gzip_bytes"]),
            "–",
        ],
        [
            "dashboard, first load (JS + CSS)",
            _kb(app["raw_bytes"]),
            _kb(app["gzip_bytes"]),
            _kb(app["brotli_bytes"]),
        ],
    ]
    return [
        "Each file compressed on its own (gzip -9; brotli q11 through node), summed.",
        "",
        *table(["what", "raw KB", "gzip KB", "brotli KB"], rows),
    ]


def targets(weights: dict[str, Any]) -> list[dict[str, Any]]:
    page_kb = weights["petition_page"]["gzip_bytes"] / 1024
    app_kb = weights["dashboard_first_load"]["gzip_bytes"] / 1024
    return [
        {
            "name": "page_weight",
            "target": f"petition page under {PAGE_AIM_KB} KB compressed",
            "measured": f"{page_kb:.1f} KB gzip",
            "met": page_kb < PAGE_AIM_KB,
        },
        {
            "name": "app_weight",
            "target": f"dashboard's first load under {APP_AIM_KB} KB compressed",
            "measured": f"{app_kb:.1f} KB gzip",
            "met": app_kb < APP_AIM_KB,
        },
    ]
