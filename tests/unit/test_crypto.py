"""Email lookup hashes and signed links, under a fixed master key (no Secrets Manager)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mobilise.core import aws, clock, crypto
from mobilise.core.errors import InvalidLink

MASTER_KEY = b"unit-test-master-key-0123456789abcdef"
OTHER_MASTER_KEY = b"another-master-key-for-a-new-secret!"
UNSUBSCRIBE = "unsubscribe"
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
CLAIMS = {"p": "01JXAMPLE0000000000000000", "h": "ab" * 32}


def _use_master_key(monkeypatch: pytest.MonkeyPatch, key: bytes) -> None:
    # Cached like the real one, so crypto.reset() can clear it.
    monkeypatch.setattr(crypto, "_master_key", functools.cache(lambda: key))
    crypto.reset()


@pytest.fixture(autouse=True)
def _fixed_master_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def no_aws() -> None:
        raise AssertionError("a unit test reached for Secrets Manager")

    monkeypatch.setattr(aws, "secretsmanager", no_aws)
    _use_master_key(monkeypatch, MASTER_KEY)
    yield
    crypto.reset()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(purpose: str, payload: str, key: bytes = MASTER_KEY) -> str:
    """A token with a genuine MAC over ``payload``, computed as documented, not through crypto."""
    link_key = hmac.new(key, b"mobilise/signed-links/v1", hashlib.sha256).digest()
    mac = hmac.new(link_key, f"{purpose}.{payload}".encode(), hashlib.sha256).digest()[:16]
    return f"{payload}.{_b64(mac)}"


def _flip(text: str, index: int) -> str:
    """``text`` with the character at ``index`` changed to another base64url character."""
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# --- signed links -----------------------------------------------------------------------


def test_a_signed_token_verifies_to_its_claims() -> None:
    # Given claims signed for a purpose
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # When the token is verified for the same purpose
    claims = crypto.verify(UNSUBSCRIBE, token)

    # Then the claims come back unchanged
    assert claims == CLAIMS


def test_claims_with_non_ascii_text_roundtrip() -> None:
    # Given claims with accents, quotes and a nested value
    claims = {"name": "Zoé « l’autre »", "n": 3, "nested": {"ok": True}}

    # When they are signed then verified
    verified = crypto.verify("confirm", crypto.sign("confirm", claims))

    # Then they come back unchanged
    assert verified == claims


def test_a_token_is_url_safe_payload_dot_mac() -> None:
    # Given a token
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # When it is looked at
    payload, mac = token.split(".")

    # Then it can sit in a URL path as is, and its MAC is 16 bytes of base64url
    assert re.fullmatch(r"[A-Za-z0-9_-]+", payload)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", mac)


def test_a_token_matches_the_documented_scheme() -> None:
    # Given the documented scheme: HMAC over "purpose.payload" under a key derived from the master
    payload = _b64(json.dumps(CLAIMS, separators=(",", ":"), sort_keys=True).encode())

    # When crypto signs the same claims
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # Then it is exactly the token of the scheme: links already emailed keep working
    assert token == _forge(UNSUBSCRIBE, payload)


def test_a_token_signed_for_one_purpose_is_refused_for_another() -> None:
    # Given a token signed to unsubscribe
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # When it is presented for another purpose
    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify("confirm-email", token)


def test_a_token_signed_under_another_master_key_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a token signed under another secret
    _use_master_key(monkeypatch, OTHER_MASTER_KEY)
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # When the secret is the usual one again and the token is verified
    _use_master_key(monkeypatch, MASTER_KEY)

    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token)


def test_a_token_with_other_claims_under_the_original_mac_is_refused() -> None:
    # Given a genuine token, and the payload of other claims
    _, mac = crypto.sign(UNSUBSCRIBE, CLAIMS).split(".")
    other = _b64(json.dumps({**CLAIMS, "p": "01JOTHER00000000000000000"}).encode())

    # When the other payload is sent with the original MAC
    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, f"{other}.{mac}")


@pytest.mark.parametrize("index", [0, 5, -1])
def test_a_token_with_a_changed_payload_character_is_refused(index: int) -> None:
    # Given a genuine token
    payload, mac = crypto.sign(UNSUBSCRIBE, CLAIMS).split(".")

    # When one character of its payload is changed
    tampered = f"{_flip(payload, index)}.{mac}"

    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, tampered)


@pytest.mark.parametrize("index", [0, 10, 20])
def test_a_token_with_a_changed_mac_character_is_refused(index: int) -> None:
    # Given a genuine token
    payload, mac = crypto.sign(UNSUBSCRIBE, CLAIMS).split(".")

    # When one character of its MAC is changed
    tampered = f"{payload}.{_flip(mac, index)}"

    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, tampered)


def test_a_token_with_a_truncated_mac_is_refused() -> None:
    # Given a genuine token
    token = crypto.sign(UNSUBSCRIBE, CLAIMS)

    # When its MAC loses its last four characters (three bytes)
    # Then it is refused
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token[:-4])


def _non_canonical_last_character(mac: str) -> str:
    # 16 bytes take 22 base64 characters; the last carries 2 bits and 4 unused ones.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(mac[-1])
    return mac[:-1] + alphabet[last ^ 0b0001]


@pytest.mark.parametrize(
    "respell",
    [
        pytest.param(lambda mac: mac + "=", id="padding appended"),
        pytest.param(lambda mac: mac + "==", id="full padding appended"),
        pytest.param(lambda mac: mac + "!!!", id="non-base64 characters appended"),
        pytest.param(lambda mac: mac[:5] + "." + mac[5:] + "==", id="dot inside the MAC"),
        pytest.param(_non_canonical_last_character, id="unused bits of the last character set"),
    ],
)
def test_a_token_is_refused_unless_spelled_exactly_as_signed(respell) -> None:
    # Given a genuine token
    payload, mac = crypto.sign(UNSUBSCRIBE, CLAIMS).split(".")

    # When its MAC is spelled another way (same bytes once leniently decoded)
    respelled = f"{payload}.{respell(mac)}"
    assert respelled != f"{payload}.{mac}"

    # Then it is refused: a signed link has one spelling only
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, respelled)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param(".", id="only a dot"),
        pytest.param("eyJwIjoxfQ", id="no dot"),
        pytest.param("eyJwIjoxfQ.", id="no MAC"),
        pytest.param(".AAAAAAAAAAAAAAAAAAAAAA", id="no payload"),
        pytest.param("%%%.***", id="not base64"),
        pytest.param("é.é", id="non-ASCII"),
        pytest.param("a.b.c", id="three parts"),
        pytest.param("A.A", id="impossible base64 length"),
        pytest.param("eyJwIjoxfQ.AAAAAAAAAAAAAAAAAAAAAA", id="zero MAC"),
    ],
)
def test_garbage_is_refused_as_an_invalid_link(token: str) -> None:
    # Given a string that is no token
    # When it is verified
    # Then it is refused as an invalid link, never with another error
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_b64(b"not json"), id="not JSON"),
        pytest.param(_b64(b"\xff\xfe\x00garbage"), id="not UTF-8"),
        pytest.param(_b64(b""), id="empty"),
        pytest.param("A", id="impossible base64 length"),
        pytest.param("%%%", id="not base64"),
        pytest.param(_b64(b'{"p": 1'), id="truncated JSON"),
    ],
)
def test_a_genuinely_signed_payload_that_is_not_json_is_refused(payload: str) -> None:
    # Given a payload that does not decode to JSON, under a genuine MAC
    token = _forge(UNSUBSCRIBE, payload)

    # When it is verified
    # Then it is refused as an invalid link
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token)


@pytest.mark.parametrize(
    "value",
    [[1, 2], "text", 42, 1.5, True, None],
    ids=["list", "string", "number", "float", "boolean", "null"],
)
def test_a_genuinely_signed_json_that_is_not_an_object_is_refused(value: object) -> None:
    # Given JSON that is not an object, under a genuine MAC
    token = _forge(UNSUBSCRIBE, _b64(json.dumps(value).encode()))

    # When it is verified
    # Then it is refused: claims are always an object
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token)


def test_a_forged_object_payload_verifies() -> None:
    # Given an object payload under a MAC computed as documented (the control for the above)
    token = _forge(UNSUBSCRIBE, _b64(b'{"p":"x"}'))

    # When it is verified
    claims = crypto.verify(UNSUBSCRIBE, token)

    # Then it is accepted: the refusals above are about the payload, not the forging
    assert claims == {"p": "x"}


# --- email lookup hashes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "normalised"),
    [
        ("zoe@example.org", "zoe@example.org"),
        ("  Zoe@Example.ORG \t\n", "zoe@example.org"),
        ("ZOÉ@EXEMPLE.FR", "zoé@exemple.fr"),
    ],
)
def test_normalise_email_trims_and_lower_cases(address: str, normalised: str) -> None:
    # Given an address as someone typed it
    # When it is normalised
    result = crypto.normalise_email(address)

    # Then it is trimmed and lower-cased
    assert result == normalised


@pytest.mark.parametrize(
    "spelling",
    [
        "zoe@example.org",
        "ZOE@EXAMPLE.ORG",
        "Zoe@Example.Org",
        "  zoe@example.org  ",
        "\tZoe@example.ORG\n",
    ],
)
def test_email_hash_is_the_same_for_any_case_and_surrounding_spaces(spelling: str) -> None:
    # Given the same address spelled another way
    # When both are hashed
    # Then the hashes are equal
    assert crypto.email_hash(spelling) == crypto.email_hash("zoe@example.org")


def test_email_hash_differs_between_addresses() -> None:
    # Given addresses that differ by little
    addresses = ["zoe@example.org", "zoe@example.com", "zoe2@example.org", "zo.e@example.org"]

    # When they are hashed
    hashes = {crypto.email_hash(address) for address in addresses}

    # Then no two hashes are equal
    assert len(hashes) == len(addresses)


def test_email_hash_is_64_hex_characters_and_hides_the_address() -> None:
    # Given an address
    address = "zoe@example.org"

    # When it is hashed
    digest = crypto.email_hash(address)

    # Then it is 64 lower-case hex characters, not a plain unkeyed SHA-256 of the address
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert "zoe" not in digest
    assert digest != hashlib.sha256(address.encode()).hexdigest()


def test_email_hash_depends_on_the_master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the hash of an address under the usual secret
    usual = crypto.email_hash("zoe@example.org")

    # When the secret changes (and the derived keys are forgotten)
    _use_master_key(monkeypatch, OTHER_MASTER_KEY)
    other = crypto.email_hash("zoe@example.org")

    # Then the hash changes: nobody without the secret can compute it
    assert other != usual


def test_email_hash_and_link_keys_are_separate() -> None:
    # Given the hash of an address
    digest = crypto.email_hash("zoe@example.org")

    # When the link key's HMAC of the same text is computed as documented
    link_key = hmac.new(MASTER_KEY, b"mobilise/signed-links/v1", hashlib.sha256).digest()
    under_link_key = hmac.new(link_key, b"zoe@example.org", hashlib.sha256).hexdigest()

    # Then they differ: the two uses are keyed apart
    assert digest != under_link_key


# --- expiry -----------------------------------------------------------------------------


def test_a_token_with_an_expiry_verifies_until_then_and_not_after() -> None:
    # Given a token that expires in an hour, on a frozen domain clock
    clock.freeze(NOW)
    token = crypto.sign(UNSUBSCRIBE, CLAIMS, expires_at=NOW + timedelta(hours=1))

    # When it is verified a second before the hour, then at the hour
    clock.advance(3599)
    claims = crypto.verify(UNSUBSCRIBE, token)
    clock.advance(1)

    # Then it is good before, carrying its claims, and refused from the expiry on
    assert {key: claims[key] for key in CLAIMS} == CLAIMS
    with pytest.raises(InvalidLink):
        crypto.verify(UNSUBSCRIBE, token)


@pytest.mark.parametrize("exp", ["9999999999", 9_999_999_999.5, None, [1]], ids=str)
def test_a_genuinely_signed_expiry_that_is_not_whole_seconds_is_refused(exp: object) -> None:
    # Given claims whose expiry is not an integer, under a genuine MAC
    payload = _b64(json.dumps({**CLAIMS, "exp": exp}).encode())
    token = _forge(UNSUBSCRIBE, payload)

    # When it is verified
    # Then it is refused (a null expiry only when there is none: it is the control)
    if exp is None:
        assert crypto.verify(UNSUBSCRIBE, token)["exp"] is None
    else:
        with pytest.raises(InvalidLink):
            crypto.verify(UNSUBSCRIBE, token)


def test_a_petition_share_token_names_no_update_and_reads_back_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from mobilise.core import links

    # The link's origin only (no settings from the environment: these tests run alone too)
    origin = SimpleNamespace(link=lambda path: f"https://api.mobilise.example{path}")
    monkeypatch.setattr(links, "get_settings", lambda: origin)
    share = links.ActionRef("01HZZZZZZZZZZZZZZZZZZZZZZZ", None, "share_x")
    token = links.redirect_url(share).rsplit("/r/", 1)[1]
    assert links.read_redirect(token) == share
    with_update = links.ActionRef("01HZZZZZZZZZZZZZZZZZZZZZZZ", "01J0000000000000000000000A", "x")
    assert links.read_redirect(links.redirect_url(with_update).rsplit("/r/", 1)[1]) == with_update
