"""Read-only data every in-process system of a test process can share, decoded once.

Each test builds its own Mobilise on a fresh moto (nothing a test does is seen by another),
and building one used to decode the same files again and again: botocore's service models
(moto gives every test a new boto3 session, and PynamoDB, Powertools and the stack's code
make their own) and the RSA key moto's Cognito signs its tokens with (one per user pool).
Together that was more than half of what a fresh system cost. Both are data no code
changes after it is read: sharing them changes nothing a test sees.
"""

from __future__ import annotations

import json
from typing import Any


def share_botocore_models() -> None:
    """One botocore data loader (and its cache of decoded models) for every session."""
    import botocore.loaders
    import botocore.session

    loaders: dict[str | None, botocore.loaders.Loader] = {}
    create = botocore.session.create_loader

    def shared(search_path_string: str | None = None) -> botocore.loaders.Loader:
        if search_path_string not in loaders:
            loaders[search_path_string] = create(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = shared


def share_rsa_keys() -> None:
    """An RSA key imported from a JWK dictionary (moto's Cognito: the same key for every user
    pool) is imported once; recovering its primes is most of a user pool's cost."""
    from joserfc.jwk import RSAKey

    import_key = RSAKey.import_key.__func__  # type: ignore[attr-defined]
    if getattr(import_key, "imports_once", False):
        return  # another conftest of the session did it
    imported: dict[str, RSAKey] = {}

    def import_once(
        cls: type[RSAKey], value: Any, parameters: Any = None, password: Any = None
    ) -> RSAKey:
        if not isinstance(value, dict) or parameters is not None or password is not None:
            key: RSAKey = import_key(cls, value, parameters, password)
            return key
        text = json.dumps(value, sort_keys=True)
        if text not in imported:
            imported[text] = import_key(cls, value)
        return imported[text]

    import_once.imports_once = True  # type: ignore[attr-defined]
    RSAKey.import_key = classmethod(import_once)  # type: ignore[method-assign, assignment]
