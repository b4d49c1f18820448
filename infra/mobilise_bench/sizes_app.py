"""The dashboard's first load, compressed: the JavaScript and CSS its document loads before
it runs (``<script src>``, ``<link rel="stylesheet">`` and ``rel="modulepreload"`` of
``web/dist/index.html``), each compressed on its own as it travels. Chunks the app imports
later (a route's code) are not the first load. The aim of issue 13: under 100 KB.

gzip at level 9 and brotli at quality 11 (node's zlib: Python's standard library has no
brotli), what a precompressed upload gives; CloudFront compresses on the fly, maybe less.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from mobilise_local.webapp import DIST

APP_PREFIX = "/app/"
_BROTLI = (
    "const zlib = require('zlib'), fs = require('fs');"
    "const files = JSON.parse(fs.readFileSync(0, 'utf8'));"
    "const q = {params: {[zlib.constants.BROTLI_PARAM_QUALITY]: 11}};"
    "console.log(JSON.stringify(files.map(f => zlib.brotliCompressSync(fs.readFileSync(f), q)"
    ".length)));"
)


@dataclass(frozen=True)
class FirstLoad:
    files: list[str]  # paths under /app/, in the document's order
    raw_bytes: int
    gzip_bytes: int
    brotli_bytes: int | None  # None: no node to compress with


class _Loaded(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        rel = set((found.get("rel") or "").split())
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        elif tag == "link" and rel & {"stylesheet", "modulepreload"} and found.get("href"):
            self.urls.append(found["href"] or "")


def first_load_files(dist: Path = DIST) -> list[Path]:
    """The app's own files its document loads first (external URLs are not the app's)."""
    parser = _Loaded()
    parser.feed((dist / "index.html").read_text(encoding="utf-8"))
    files = []
    for url in dict.fromkeys(parser.urls):
        path = url.split("?", 1)[0]
        if path.startswith(APP_PREFIX):
            files.append(dist / path.removeprefix(APP_PREFIX))
        elif not path.startswith(("http:", "https:", "//", "/")):
            files.append(dist / path)
    return files


def first_load(dist: Path = DIST) -> FirstLoad:
    """JavaScript and CSS of the first load, raw and compressed (bytes, summed over files)."""
    files = first_load_files(dist)
    contents = [file.read_bytes() for file in files]
    return FirstLoad(
        files=[APP_PREFIX + str(file.relative_to(dist)) for file in files],
        raw_bytes=sum(len(data) for data in contents),
        gzip_bytes=sum(len(gzip.compress(data, compresslevel=9, mtime=0)) for data in contents),
        brotli_bytes=_brotli(files),
    )


def _brotli(files: list[Path]) -> int | None:
    node = shutil.which("node")
    if node is None:
        return None
    if not files:
        return 0
    ran = subprocess.run(  # noqa: S603 (node, with our own script)
        [node, "-e", _BROTLI],
        input=json.dumps([str(file) for file in files]),
        capture_output=True,
        text=True,
        check=True,
    )
    sizes: list[int] = json.loads(ran.stdout)
    return sum(sizes)
