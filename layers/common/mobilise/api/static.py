"""/static/{name}: the pages' stylesheet and script, and the proof-of-work widget (ALTCHA's
``dist/external`` build, its CSS and its PBKDF2 worker).

The files ship in the layer, beside this module (``static/``); the widget's are copied from
``node_modules/altcha`` (the version package.json pins) and committed, so that ``sam build``
needs no Node step: a unit test fails when they differ from the installed package. A page
names a file with its version (``?v=``, :func:`version`), so a browser or CloudFront may
keep it for a year: a changed file is a new address.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Annotated

from mobilise.api.contract import refused, text
from mobilise.api.http import Query, Response, Router
from mobilise.core.errors import NotFound

router = Router()
FOLDER = Path(__file__).resolve().parent / "static"
TYPES = {
    "pages.css": "text/css; charset=utf-8",
    "pages.js": "text/javascript; charset=utf-8",
    "share.js": "text/javascript; charset=utf-8",
    "altcha.js": "text/javascript; charset=utf-8",
    "altcha.css": "text/css; charset=utf-8",
    "altcha-pbkdf2.js": "text/javascript; charset=utf-8",
}
IMMUTABLE = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


@cache
def content(name: str) -> bytes:
    return (FOLDER / name).read_bytes()


def version(name: str) -> str:
    """The version a page writes in ``?v=``: the start of the file's SHA-256."""
    return hashlib.sha256(content(name)).hexdigest()[:12]


@router.get(
    "/static/<name>",
    operation_id="static_file",
    tags=["pages"],
    summary="A file of the pages: their CSS and script, the proof-of-work widget",
    description="Cached for a year: a page names each file with its version (`?v=`).",
    responses={
        200: {
            "description": "The file: CSS or JavaScript.",
            "content": {**text("text/css")["content"], **text("text/javascript")["content"]},
        },
        404: refused("not_found", "There is no such file."),
        422: refused("validation_error", "`v` is too long."),
    },
)
def static_file(
    name: str, v: Annotated[str | None, Query(max_length=64, description="The version.")] = None
) -> Response[str]:
    if name not in TYPES:
        raise NotFound("There is no such file.")
    return Response(
        status_code=200,
        content_type=TYPES[name],
        body=content(name).decode(),  # text: gzipped (then base64) only when accepted
        headers=IMMUTABLE,
        compress=True,
    )
