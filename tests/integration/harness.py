"""An in-process Mobilise on moto, built from template.yaml, for integration tests."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from mobilise_bench.system import Reply, System, on_moto, reset_process_caches

from mobilise_local.auth import BearerIsUser

__all__ = [
    "EVENTS",
    "PUBLIC_URL",
    "TEST_PARAMETERS",
    "HeaderAuthorizer",
    "Mobilise",
    "Reply",
    "at_once",
    "event",
    "reset_process_caches",
    "running_on_moto",
]

PUBLIC_URL = "https://mobilise.test"
_addresses = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


#: The integration tests' authorizer: the bearer token is the user id.
HeaderAuthorizer = BearerIsUser
T = TypeVar("T")


class Mobilise(System):
    """The in-process system (:class:`mobilise_bench.system.System`) with the steps the
    tests take again and again."""

    def seed_signatures(
        self, petition_id: str, addresses: list[str], *, wants_updates: bool = True
    ) -> None:
        """Signatures written straight to the table (confirmed), for tests of scale; then
        counted, as the migration counts signatures from before the counters."""
        from mobilise.core import clock, crypto
        from mobilise.table import counters
        from mobilise.table.models import Signature, bound

        bound()
        now = clock.now()
        with Signature.batch_write() as batch:
            for address in addresses:
                batch.save(
                    Signature(
                        *Signature.key(petition_id, crypto.email_hash(address)),
                        petition_id=petition_id,
                        email_key=crypto.email_hash(address),
                        email=address,
                        name="Seeded",
                        wants_updates=wants_updates,
                        confirmed_at=now,
                        created_at=now,
                    )
                )
        counters.recount(petition_id)

    def seed_update(
        self, petition_id: str, type_: str, fields: dict[str, Any], link: str | None = None
    ) -> str:
        """A published update of ``type_`` written straight to the table: the 24-hour rule lets
        a test publish one update through the API, and some tests need several types."""
        from mobilise.core import clock, ids
        from mobilise.table.models import Update, bound

        bound()
        update_id = ids.new_id()
        Update(
            *Update.key(petition_id, update_id),
            update_id=update_id,
            petition_id=petition_id,
            type=type_,
            title=f"An update of type {type_}",
            body="Read on.",
            fields=fields,
            link=link,
            status="published",
            created_at=clock.now(),
            published_at=clock.now(),
        ).save()
        return update_id

    def cancel(self, petition_id: str, update_id: str, user: str = "alice") -> Reply:
        """The starter's cancel of a scheduled or pending update."""
        path = f"/petitions/{petition_id}/updates/{update_id}"
        return self.request("PATCH", path, {"status": "cancelled"}, user=user)

    def stats(self, petition_id: str, update_id: str) -> dict[str, Any]:
        """An update's statistics as its starter reads them."""
        reply = self.request(
            "GET", f"/petitions/{petition_id}/updates/{update_id}/stats", user="alice"
        )
        assert reply.status == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    def sign(
        self,
        petition_id: str,
        email: str,
        wants_updates: bool = True,
        *,
        source_ip: str | None = None,
        **extra: Any,
    ) -> Reply:
        """Sign, by default each time from another address of TEST-NET-2 (so no rate limit)."""
        body = {"email": email, "name": "A signer", "wants_updates": wants_updates, **extra}
        return self.request(
            "POST",
            f"/petitions/{petition_id}/signatures",
            body,
            source_ip=source_ip or next(_addresses),
        )


def at_once(count: int, call: Callable[[int], T]) -> list[T]:
    """``call(index)`` from ``count`` threads released together by a barrier (a race, not a
    sequence): what each returned, by index."""
    barrier = threading.Barrier(count)
    results: dict[int, T] = {}

    def run(index: int) -> None:
        barrier.wait()
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[index] for index in range(count)]


EVENTS = Path(__file__).resolve().parents[1] / "events"


def event(name: str, **values: str) -> dict[str, Any]:
    """A fixture of tests/events, with its ``${name}`` placeholders filled in."""
    text = (EVENTS / name).read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


#: Parameters of the template for the integration tests: double opt-in is tested on its own.
TEST_PARAMETERS = {
    "PublicBaseUrl": PUBLIC_URL,
    "DoubleOptIn": "false",
    "SesMaxSendRate": "100000",
}


@contextmanager
def running_on_moto(
    *, dynamodb_endpoint: str | None = None, parameters: dict[str, str] | None = None
) -> Iterator[Mobilise]:
    """Mobilise in this process on moto; its tables in DynamoDB Local if an endpoint is given."""
    with on_moto(
        {**TEST_PARAMETERS, **(parameters or {})}, dynamodb_endpoint=dynamodb_endpoint
    ) as system:
        yield Mobilise(system.template, system.stack, system.gateway, system.pollers)
