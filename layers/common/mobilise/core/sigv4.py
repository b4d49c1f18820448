"""AWS Signature Version 4 as botocore's ``SigV4Auth`` signs, for a fraction of its CPU.

Every request a function makes is signed, and botocore's signer was a third of the CPU of
each call through a client (a DynamoDB GetItem answered in-process: 0.46 of 1.42 s for
2,000, cProfile): for each request it parses the URL again, builds an
``email.message.Message`` of the headers twice, prepares a copy of the whole request each
time it reads the body, and derives the signing key (four HMACs) again. What differs from
one request to the next here is the time, the headers and the body's hash; the rest is
worked out once per URL, and the key once per day: 15 µs a GetItem's signature, against 55.

:class:`QuickSigV4Auth` takes botocore's place for the ``v4`` signature (DynamoDB, SQS,
Secrets Manager; S3's ``s3v4`` is not touched) once :func:`install` has run
(:mod:`mobilise.core.aws` runs it). It signs the requests Mobilise's clients make (bytes
bodies, no query parameters apart from the URL's) itself, and hands any other to
botocore's ``SigV4Auth``: a form body, a ``Date`` header, unsigned payloads, streamed
checksums. ``tests/unit/test_sigv4.py`` signs random requests both ways and compares the
headers, and :mod:`mobilise.delivery.send_email` signs with :func:`sign` as well.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from functools import lru_cache
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import EMPTY_SHA256_HASH, SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, SigV4Auth
from botocore.exceptions import NoCredentialsError

_keys: dict[tuple[str, str, str, str], bytes] = {}


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    """The day's signing key for ``region`` and ``service``: the same four HMACs as botocore,
    kept for the few (credentials, day, region, service) a function signs with."""
    wanted = (secret, day, region, service)
    key = _keys.get(wanted)
    if key is None:
        key = f"AWS4{secret}".encode()
        for part in (day, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), sha256).digest()
        if len(_keys) > 8:  # a few services and regions, and each day's keys
            _keys.clear()
        _keys[wanted] = key
    return key


@lru_cache(maxsize=64)
def url_parts(method: str, url: str) -> tuple[str, str]:
    """The canonical request's first three lines (method, path, query) and the Host botocore
    derives for a URL, worked out by ``SigV4Auth`` itself."""
    reference: Any = SigV4Auth(None, "", "")  # type: ignore[arg-type]  # no credentials: unused
    parts = urlsplit(url)
    head = "\n".join(
        (
            method.upper(),
            reference._normalize_url_path(parts.path),
            reference._canonical_query_string_url(parts),
        )
    )
    host: str = botocore.auth._host_from_url(url)  # type: ignore[attr-defined]
    return head, host


def timestamp() -> str:
    """Now, as SigV4 writes it (botocore's clock, which tests may fix)."""
    clock: Any = botocore.auth.get_current_datetime  # type: ignore[attr-defined]
    when: str = clock().strftime(SIGV4_TIMESTAMP)
    return when


def payload_hash(body: bytes) -> str:
    return sha256(body).hexdigest() if body else EMPTY_SHA256_HASH


def sign(
    headers: Any,
    *,
    body: bytes,
    head: str,
    host: str,
    credentials: Any,
    region: str,
    service: str,
) -> str:
    """Add SigV4's headers to ``headers`` (a dict, or botocore's ``HTTPHeaders``) in the order
    ``SigV4Auth`` adds them: ``X-Amz-Date``, the session token if any, ``Authorization``.
    The request's canonical request starts with ``head`` (:func:`url_parts`); returns the
    time it was signed at."""
    when = timestamp()
    for replaced in ("Authorization", "X-Amz-Date"):
        if replaced in headers:
            del headers[replaced]
    headers["X-Amz-Date"] = when
    if credentials.token:
        if "X-Amz-Security-Token" in headers:
            del headers["X-Amz-Security-Token"]
        headers["X-Amz-Security-Token"] = credentials.token
    given = headers.get("X-Amz-Content-SHA256")
    headers["Authorization"] = authorization(
        head=head,
        headers=headers.items(),
        host=host,
        payload=payload_hash(body) if given is None else given,
        when=when,
        credentials=credentials,
        region=region,
        service=service,
    )
    return when


def authorization(
    *,
    head: str,
    headers: Iterable[tuple[str, str]],
    host: str,
    payload: str,
    when: str,
    credentials: Any,
    region: str,
    service: str,
) -> str:
    """The ``Authorization`` header of a request whose canonical request starts with
    ``head`` (:func:`url_parts`), with these headers (``X-Amz-Date`` and any session token
    among them) and this payload hash, signed at ``when`` (:func:`timestamp`)."""
    names, canonical = _canonical_headers(headers, host)
    request = f"{head}\n{canonical}\n\n{names}\n{payload}"
    scope = f"{when[0:8]}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{when}\n{scope}\n{sha256(request.encode()).hexdigest()}"
    key = signing_key(credentials.secret_key, when[0:8], region, service)
    signature = hmac.new(key, to_sign.encode(), sha256).hexdigest()
    return (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )


def _canonical_headers(headers: Iterable[tuple[str, str]], host: str) -> tuple[str, str]:
    """SignedHeaders and the canonical headers: each signed header's name in lower case, its
    values' runs of white space as one space, the values of one name joined by commas; the
    Host derived from the URL unless the request sets one."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        lower = name.lower()
        if lower not in SIGNED_HEADERS_BLACKLIST:
            values.setdefault(lower, []).append(" ".join(value.split()))
    if "host" not in values:
        values["host"] = [host]
    ordered = sorted(values)
    names = ";".join(sorted(name.strip() for name in ordered))
    return names, "\n".join(f"{name}:{','.join(values[name])}" for name in ordered)


class QuickSigV4Auth(SigV4Auth):
    """botocore's ``SigV4Auth``, the same headers written in the same order, for less CPU."""

    def add_auth(self, request: Any) -> None:
        if self.credentials is None:
            raise NoCredentialsError()
        if not _plain(request):
            super().add_auth(request)
            return
        this: Any = self  # botocore's stubs leave out SigV4Auth's own attributes
        head, host = url_parts(request.method, request.url)
        request.context["timestamp"] = sign(
            request.headers,
            body=request.data,
            head=head,
            host=host,
            credentials=self.credentials,
            region=this._region_name,
            service=this._service_name,
        )


def _plain(request: Any) -> bool:
    """A request :class:`QuickSigV4Auth` signs itself: a body of bytes, no query parameters
    but the URL's, no ``Date`` header, its payload signed, no streamed checksum."""
    checksum = (request.context.get("checksum") or {}).get("request_algorithm")
    return (
        isinstance(request.data, bytes)
        and not request.params
        and "Date" not in request.headers
        and request.context.get("payload_signing_enabled", True)
        and not isinstance(checksum, dict)
    )


def install() -> None:
    """Sign ``v4`` requests with :class:`QuickSigV4Auth` (unless botocore signs with the AWS
    CRT, which is not botocore's Python signer)."""
    if botocore.auth.AUTH_TYPE_MAPS.get("v4") is SigV4Auth:
        botocore.auth.AUTH_TYPE_MAPS["v4"] = QuickSigV4Auth
