"""The plain email addresses most people have, validated without email-validator's import.

email-validator compiles, at its import, five regular expressions whose character classes
run to U+10FFFF; CPython's compiler walks such a range one code point at a time: 31 ms of
the API's first request with an address (Lambda's Python, the built layer), a new petition
or a signature. Most addresses are plain ASCII: ``jane.doe+news@mail.example.org``.

:func:`plain` gives, for such an address, exactly what email-validator (through pydantic's
``validate_email``, as the request models call it) gives: the same address, its domain in
lower case. It answers only for a subset that email-validator accepts, and None for anything
else, which then goes to email-validator as before, for its answer and its error message:

* before the @, one or more of ``A-Z a-z 0-9 _ + -`` separated by single dots, at most 64
  characters, and not a mailbox name whose case email-validator folds (``postmaster``...);
* after it, dotted labels of ``a-z A-Z 0-9`` and inner hyphens (never two together, which
  is where Punycode and its rules begin), at most 63 characters each, a top-level domain
  of letters only, none of the special-use names email-validator refuses;
* at most 254 characters in all, no space, no display name, nothing else.

``tests/unit/test_addresses.py`` checks the two lists below against email-validator's, and
that any text this accepts, email-validator accepts with the same result (hypothesis).
"""

from __future__ import annotations

import re

#: email-validator's ``SPECIAL_USE_DOMAIN_NAMES`` (2.4.0): refused, and so never plain.
SPECIAL_USE_DOMAIN_NAMES = ("arpa", "invalid", "local", "localhost", "onion", "test")
#: email-validator's ``CASE_INSENSITIVE_MAILBOX_NAMES`` (RFC 2142): it lowers their case.
CASE_INSENSITIVE_MAILBOX_NAMES = frozenset(
    {
        "info",
        "marketing",
        "sales",
        "support",
        "abuse",
        "noc",
        "security",
        "postmaster",
        "hostmaster",
        "usenet",
        "news",
        "webmaster",
        "www",
        "uucp",
        "ftp",
    }
)

_LABEL = r"[A-Za-z0-9](?:-?[A-Za-z0-9])*"
_PLAIN = re.compile(
    rf"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]+)",
    re.ASCII,
)
MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64
MAX_LABEL_LENGTH = 63


def plain(address: str) -> str | None:
    """``address`` as email-validator normalises it (its domain in lower case) if it is a
    plain address (see the module's docstring); None if it is not: ask email-validator."""
    found = _PLAIN.fullmatch(address) if len(address) <= MAX_LENGTH else None
    if found is None:
        return None
    local, domain = found["local"], found["domain"].lower()
    if len(local) > MAX_LOCAL_LENGTH or local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        return None
    labels = domain.split(".")
    if any(len(label) > MAX_LABEL_LENGTH for label in labels):
        return None
    if any(domain == name or domain.endswith("." + name) for name in SPECIAL_USE_DOMAIN_NAMES):
        return None
    return f"{local}@{domain}"
