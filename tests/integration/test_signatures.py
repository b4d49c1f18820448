"""Signing: once per address, whatever its case or surrounding spaces."""

from __future__ import annotations

from tests.integration.harness import Mobilise


def test_signing_twice_with_the_same_address_is_one_signature(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    first = mobilise.sign(petition_id, "Camille.Durand@Example.org")
    again = mobilise.sign(petition_id, "  camille.durand@example.ORG ")

    assert first.status == 201
    assert again.status == 409
    assert again.json()["error"] == {
        "code": "already_signed",
        "message": "This email address has already signed this petition.",
    }
    signatures = [item for item in mobilise.items() if str(item["sk"]).startswith("EMAIL#")]
    assert len(signatures) == 1
    shown = mobilise.request("GET", f"/petitions/{petition_id}").json()
    assert shown["signer_count"] == 1


def test_a_signature_is_stored_under_a_hash_and_records_consent(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    reply = mobilise.sign(petition_id, "Lea@example.org", wants_updates=True, language="fr")

    assert reply.status == 201
    assert reply.json()["wants_updates"] is True
    (signature,) = [i for i in mobilise.items() if str(i["sk"]).startswith("EMAIL#")]
    assert "lea@example.org" not in signature["sk"]
    assert "lea@example.org" not in signature["pk"]
    assert signature["email"] == "lea@example.org"
    assert signature["consent_version"]
    assert signature["consent_at"]


def test_signatures_are_spread_over_shards(mobilise: Mobilise) -> None:
    petition_id = mobilise.create_petition()

    for index in range(40):
        assert mobilise.sign(petition_id, f"signer{index}@example.org").status == 201

    partitions = {i["pk"] for i in mobilise.items() if str(i["sk"]).startswith("EMAIL#")}
    assert len(partitions) > 8
    assert mobilise.request("GET", f"/petitions/{petition_id}").json()["signer_count"] == 40
