"""mobilise_bench.sizes_app: the dashboard's first-load JavaScript and CSS, compressed, read
from a built app's document."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

from mobilise_bench.sizes_app import first_load

INDEX = """<!doctype html><html lang="en"><head>
<script type="module" crossorigin src="/app/assets/index-3f2a.js"></script>
<link rel="modulepreload" crossorigin href="/app/assets/vendor-77aa.js">
<link rel="stylesheet" crossorigin href="/app/assets/index-9b1c.css">
<link rel="icon" href="/app/favicon.svg">
<script src="https://example.org/not-ours.js"></script>
</head><body><div id="app"></div></body></html>"""


def test_the_first_load_is_the_documents_scripts_preloads_and_styles(tmp_path: Path) -> None:
    # Given a built app: its document, three first-load files, an icon and a lazy chunk
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    noise = random.Random(13).randbytes(2000)  # does not compress
    files = {
        "index-3f2a.js": b"console.log('mobilise');" * 200,
        "vendor-77aa.js": noise,
        "index-9b1c.css": b"body { margin: 0 }\n" * 100,
    }
    for name, data in files.items():
        (assets / name).write_bytes(data)
    (tmp_path / "favicon.svg").write_bytes(b"<svg/>" * 1000)
    (assets / "compose-1d2e.js").write_bytes(b"lazy" * 10_000)

    # When the first load is measured
    measured = first_load(tmp_path)

    # Then it counts the three files, each compressed on its own
    assert measured.files == [
        "/app/assets/index-3f2a.js",
        "/app/assets/vendor-77aa.js",
        "/app/assets/index-9b1c.css",
    ]
    assert measured.raw_bytes == sum(len(data) for data in files.values())
    assert measured.gzip_bytes == sum(
        len(gzip.compress(data, compresslevel=9, mtime=0)) for data in files.values()
    )
    assert measured.brotli_bytes is not None  # make install puts node on PATH
    assert 2000 < measured.brotli_bytes < measured.gzip_bytes
