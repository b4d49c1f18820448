"""Upgrading a deployment whose petitions carry the counts of before the counters: the
counts stay exact before the recount (the fallback) and after it (the counters alone)."""

from __future__ import annotations

from types import ModuleType

from mobilise.core import clock, crypto
from mobilise.table.models import Petition, Signature, bound
from tests import infra_scripts
from tests.integration.harness import Mobilise


def _recount_command() -> ModuleType:
    return infra_scripts.load("recount")


def _as_before_the_counters(mobilise: Mobilise, petition_id: str, addresses: list[str]) -> None:
    """What the old code left: signatures, and their counts on the petition, no counter."""
    bound()
    now = clock.now()
    for index, address in enumerate(addresses):
        Signature(
            *Signature.key(petition_id, crypto.email_hash(address)),
            petition_id=petition_id,
            email_key=crypto.email_hash(address),
            email=address,
            name="Before",
            wants_updates=index % 3 != 0,
            confirmed_at=now if index % 2 == 0 else None,
            created_at=now,
        ).save()
    confirmed = len(range(0, len(addresses), 2))
    Petition(*Petition.key(petition_id)).update(
        actions=[
            Petition.legacy_signers.set(len(addresses)),
            Petition.legacy_confirmed.set(confirmed),
        ]
    )
    for item in mobilise.items():  # the new code opened the slots: the old had none
        if item["pk"].startswith(f"CNT#{petition_id}#"):
            Signature(item["pk"], item["sk"]).delete()


def _counts(mobilise: Mobilise, petition_id: str) -> tuple[int, int, int]:
    starter = mobilise.request("GET", f"/petitions/{petition_id}/signature-counts", user="alice")
    preview = mobilise.request(
        "POST",
        f"/petitions/{petition_id}/updates/preview",
        {"type": "news", "title": "Hello", "body": "Counting."},
        user="alice",
    )
    counts = starter.json()
    return counts["confirmed"], counts["unconfirmed"], preview.json()["recipients"]


def test_old_petitions_count_exactly_before_and_after_the_recount(mobilise: Mobilise) -> None:
    # Given a petition from before the counters: 12 signatures, 6 confirmed, of whom 4
    # want updates; and one closed then
    petition_id = mobilise.create_petition()
    addresses = [f"old{index}@example.org" for index in range(12)]
    _as_before_the_counters(mobilise, petition_id, addresses)
    closed = mobilise.create_petition()
    _as_before_the_counters(mobilise, closed, ["gone@example.org"])
    Petition(*Petition.key(closed)).update(actions=[Petition.status.set("closed")])

    # Then the new code counts it exactly, from the petition and the old query
    assert _counts(mobilise, petition_id) == (6, 6, 4)
    assert mobilise.request("GET", f"/petitions/{petition_id}").json()["signer_count"] == 6

    # When someone signs it (its slot learns that signing is open) and an old signer
    # unsubscribes, and someone tries the closed one
    assert mobilise.sign(petition_id, "new@example.org").status == 201
    assert mobilise.sign(closed, "late@example.org").status == 404
    from mobilise.delivery import store as delivery_store

    delivery_store.unsubscribe(petition_id, crypto.email_hash("old2@example.org"))

    # Then the counts are still exact, the subscribers by the old query
    assert _counts(mobilise, petition_id) == (7, 6, 4)

    # When the one-off recount runs, then runs again
    command = _recount_command()
    first = command.recount_all()
    second = command.recount_all()

    # Then it recounted the two old petitions once; the counts are the same, from the
    # counters alone, and the petitions carry no counts any more
    assert sorted(first) == sorted([petition_id, closed])
    assert first[petition_id] == {"confirmed": 7, "unconfirmed": 6, "subscribers": 4}
    assert second == {}
    assert _counts(mobilise, petition_id) == (7, 6, 4)
    stored = [
        i for i in mobilise.items() if i["pk"] == f"PET#{petition_id}" and i["sk"] == "PETITION"
    ]
    assert "signer_count" not in stored[0]
    assert "confirmed_count" not in stored[0]
    assert mobilise.sign(closed, "later@example.org").status == 404
