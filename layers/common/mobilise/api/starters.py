"""/petitions for their starter: the list of their own petitions, their signatures' counts, and
their reminders' switch."""

from __future__ import annotations

from typing import Annotated

from mobilise.api.common import caller, checked_id
from mobilise.api.contract import INVALID, INVALID_CURSOR, JSON_BODY, NO_PETITION, ok, refused
from mobilise.api.http import Query, Router
from mobilise.petitions import lifecycle, owned
from mobilise.petitions.owned import Nudges, NudgesIn, OwnedPetitions
from mobilise.petitions.schemas import SignatureCounts

router = Router()
_NOT_YOURS = refused("forbidden", "Only the starter of the petition may.")


@router.get(
    "/petitions",
    operation_id="list_my_petitions",
    tags=["petitions"],
    summary="The signed-in starter's petitions, newest first, a page at a time",
    responses={200: ok(), 400: INVALID_CURSOR, 422: INVALID},
)
def list_my_petitions(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> OwnedPetitions:
    return owned.page(caller(router), limit, cursor)


@router.get(
    "/petitions/<petition_id>/nudges",
    operation_id="get_nudges",
    tags=["subscriptions"],
    summary="Whether the starter receives reminders about the petition",
    responses={200: ok(), 403: _NOT_YOURS, 404: NO_PETITION},
)
def get_nudges(petition_id: str) -> Nudges:
    return owned.nudges(caller(router), checked_id(petition_id))


@router.put(
    "/petitions/<petition_id>/nudges",
    operation_id="set_nudges",
    tags=["subscriptions"],
    summary="Switch the starter's reminders about the petition on or off",
    description="Reminders are nudges after a quiet spell and a meeting's follow-up; the link "
    "in each of them switches them off too. Idempotent.",
    responses={200: ok(), 403: _NOT_YOURS, 404: NO_PETITION, **JSON_BODY},
)
def set_nudges(petition_id: str, request: NudgesIn) -> Nudges:
    return owned.set_nudges(caller(router), checked_id(petition_id), request.on)


@router.get(
    "/petitions/<petition_id>/signature-counts",
    operation_id="signature_counts",
    tags=["petitions"],
    summary="Confirmed and unconfirmed signatures, and signers over time",
    description="For the petition's starter (the public `signer_count` is the confirmed ones). "
    "`history` has one entry per day (UTC, `YYYY-MM-DD`) that brought a signature or a "
    "confirmation, oldest first: `signed`, the signatures received that day, `confirmed`, the "
    "confirmations made that day; a day with neither is left out. Read from counters, it "
    "costs the same whatever the number of signatures.",
    responses={
        200: ok(),
        403: refused("forbidden", "Only the starter of the petition sees them."),
        404: NO_PETITION,
    },
)
def signature_counts(petition_id: str) -> SignatureCounts:
    """Confirmed and unconfirmed signatures and their history, for the petition's starter."""
    return lifecycle.counts(caller(router), checked_id(petition_id))
