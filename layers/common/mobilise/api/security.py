"""The security headers of every page the api function answers (docs/web.md): written in
one place, on the way out of the resolver, so that they hold locally and behind any proxy."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from mobilise.core.config import get_settings


@cache
def policy() -> str:
    """No inline script or style anywhere: the pages use /static/ files only. Images: the
    service's own and its photos' origin (an update's photo)."""
    photos = urlsplit(get_settings().photos_base_url)
    photos_origin = f" {photos.scheme}://{photos.netloc}" if photos.scheme and photos.netloc else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{photos_origin}",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def page_headers() -> dict[str, str]:
    """What every HTML answer carries; a page about one person keeps its ``no-referrer``."""
    return {
        "Content-Security-Policy": policy(),
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
    }


def with_headers(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` (a proxy response) with the page headers when it is HTML; headers the route
    set itself (a token page's ``Referrer-Policy: no-referrer``) win."""
    headers = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    content_type = headers.get("Content-Type") or (multi.get("Content-Type") or [""])[0]
    if not str(content_type).startswith("text/html"):
        return result
    present = {name.lower() for name in (*headers, *multi)}
    added = {name: value for name, value in page_headers().items() if name.lower() not in present}
    if "multiValueHeaders" in result and "headers" not in result:
        return {**result, "multiValueHeaders": {**multi, **{k: [v] for k, v in added.items()}}}
    return {**result, "headers": {**headers, **added}}
