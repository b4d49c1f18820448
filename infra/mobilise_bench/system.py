"""Mobilise in this process, built from template.yaml: the one in-process system.

moto (in-process, or its server) for every service, optionally DynamoDB Local
for the tables, the template's resources and function environments, a gateway
that turns requests into proxy events and pollers that run the queues. The
benchmarks use it, and so do the tests (``tests/integration/harness.py`` adds
only the test conveniences): it lives in a shipped package so that the
benchmarks depend on nothing under ``tests``.
"""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, cast

import boto3

from mobilise.core import aws, clock, config, crypto
from mobilise.delivery import sending
from mobilise.digests import alone
from mobilise.petitions import store
from mobilise.table import counters, models
from mobilise.table.batch_reads import raw_items
from mobilise.table.models import Signature
from mobilise.table.persons import Follows
from mobilise_bench.env import scoped
from mobilise_local import iam, lambdas, outbox
from mobilise_local.auth import BearerIsUser, CognitoAuthorizer
from mobilise_local.gateway import Gateway, HttpResponse, response_from
from mobilise_local.pollers import Pollers
from mobilise_local.resources import Stack, create
from mobilise_local.runtime import Handler, load_handler
from mobilise_local.template import ROOT, Function, Template, read

PUBLIC_URL = "https://mobilise.bench"
STARTER = "starter"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class System:
    template: Template
    stack: Stack
    gateway: Gateway
    pollers: Pollers

    def function(self, logical_id: str) -> Function:
        return self.template.functions()[logical_id]

    def queue_url(self, logical_id: str) -> str:
        return self.stack.refs[logical_id]

    def queue_arn(self, logical_id: str) -> str:
        return self.stack.attributes[(logical_id, "Arn")]

    def api_event(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[Function, dict[str, Any]]:
        """The proxy event API Gateway would hand the api function for this request."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if user is not None:
            headers["Authorization"] = f"Bearer {user}"
        data = json.dumps(body).encode() if body is not None else b""
        built = self.gateway.event(method, path, headers, data, "192.0.2.10")
        if isinstance(built, HttpResponse):
            raise ValueError(f"the gateway answered {built.status} for {method} {path}")
        route, event = built
        return self.function(route.function), event

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        user: str | None = None,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        source_ip: str = "192.0.2.10",
    ) -> Reply:
        """A request as API Gateway would hand it to the api function (or the gateway's own
        answer, for a request it refuses)."""
        sent = dict(headers or {})
        if body is not None or raw is not None:
            sent.setdefault("Content-Type", "application/json")
        if user is not None:
            sent["Authorization"] = f"Bearer {user}"
        if isinstance(raw, bytes):
            data = raw
        else:
            data = (
                raw if raw is not None else json.dumps(body) if body is not None else ""
            ).encode()
        built = self.gateway.event(method, path, sent, data, source_ip)
        if isinstance(built, HttpResponse):
            response = built
        else:
            route, event = built
            response = response_from(lambdas.invoke(self.function(route.function), event))
        return Reply(response.status, dict(response.headers), response.body.decode())

    def invoke(self, function: str, event: dict[str, Any], timeout: float | None = None) -> Any:
        """Call one function of the template directly, as its event source would."""
        return lambdas.invoke(self.function(function), event, timeout)

    def run_queues(self, visibility_timeout: int | None = None) -> int:
        return self.pollers.run_until_empty(visibility_timeout=visibility_timeout)

    def send(self, queue: str, body: str) -> None:
        boto3.client("sqs").send_message(QueueUrl=self.queue_url(queue), MessageBody=body)

    def queue_depth(self, logical_id: str) -> int:
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url(logical_id),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def outbox(self) -> list[dict[str, Any]]:
        return outbox.messages("eu-west-1")

    def items(self) -> list[dict[str, Any]]:
        """Every item of the table (tests compare before and after)."""
        table = boto3.resource("dynamodb").Table(self.stack.refs["Table"])
        found: list[dict[str, Any]] = []
        response = table.scan()
        found.extend(response["Items"])
        while "LastEvaluatedKey" in response:
            response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
            found.extend(response["Items"])
        return found

    # The steps most callers take -----------------------------------------------------------

    def create_petition(self, owner: str = "alice", **overrides: Any) -> str:
        body = {
            "title": "Save the Bois de Vincennes",
            "description": "Keep the woods open to everyone.",
            "language": "en",
            "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
            **overrides,
        }
        reply = self.request("POST", "/petitions", body, user=owner)
        if reply.status != 201:
            raise RuntimeError(f"petition not created: {reply.status} {reply.text}")
        petition_id: str = reply.json()["petition_id"]
        return petition_id

    def publish(self, petition_id: str, owner: str = "alice", **overrides: Any) -> Reply:
        body = {
            "title": "We met the mayor",
            "body": "She listened. Next step: the council.",
            **overrides,
        }
        return self.request("POST", f"/petitions/{petition_id}/updates", body, user=owner)


def reset_process_caches() -> None:
    """Forget clients, keys, settings and rendered emails made for another backend."""
    config.get_settings.cache_clear()
    aws.reset()
    crypto.reset()
    sending.reset()
    models.reset()


def function_environment(template: Template, stack: Stack) -> dict[str, str]:
    """The environment of every function (they share it: the template's Globals)."""
    environment: dict[str, str] = {}
    for function in template.functions().values():
        environment.update(stack.environment(function.environment))
    return environment


@contextmanager
def built(
    parameters: dict[str, str],
    *,
    dynamodb_endpoint: str | None = None,
    prefix: str = "mobilise",
) -> Iterator[System]:
    """The template's resources wherever the environment points boto3 (moto in-process under
    ``mock_aws``, or moto's server), named from ``prefix`` (one emulator can hold several
    systems), the tables in DynamoDB Local if an endpoint is given (dropped on exit: one
    DynamoDB Local serves many systems), and the functions' environment set for as long as
    the block runs."""
    with ExitStack() as stack_of_contexts:
        if dynamodb_endpoint is not None:
            stack_of_contexts.enter_context(
                scoped({"AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint})
            )
            prefix = f"t{uuid.uuid4().hex[:12]}"  # DynamoDB Local outlives this system
        template = read()
        # Pages, app and API on one origin, as make run and SiteDistribution have them; an
        # update goes out when published (the grace period is tested where it is asked for).
        origin = {"PublicBaseUrl": PUBLIC_URL, "SiteUrl": PUBLIC_URL, "PublishGraceMinutes": "0"}
        stack = create(template, {**origin, **parameters}, prefix=prefix)
        stack_of_contexts.enter_context(scoped(dict(function_environment(template, stack))))
        stack_of_contexts.enter_context(iam.enforced(template, stack))
        reset_process_caches()
        gateway = Gateway(
            template.routes(),
            cast(CognitoAuthorizer, BearerIsUser()),  # the bearer token is the user id
            template.gateway_responses(),
            stack.parameters["Stage"],
        )
        pollers = Pollers(
            template.queue_sources(), template.functions(), stack, logging.getLogger("pollers")
        )
        try:
            yield System(template, stack, gateway, pollers)
        finally:
            if dynamodb_endpoint is not None:
                dynamodb = boto3.client("dynamodb")
                for name in template.of_type("AWS::DynamoDB::Table"):
                    dynamodb.delete_table(TableName=stack.refs[name])
            reset_process_caches()


@contextmanager
def on_moto(
    parameters: dict[str, str], *, dynamodb_endpoint: str | None = None
) -> Iterator[System]:
    """Mobilise in this process on moto (``mock_aws``); the tables in DynamoDB Local if asked."""
    from moto import mock_aws

    from mobilise_local.moto_patches import (
        cheap_dynamodb_transactions,
        enforce_s3_post_policies,
        serialise_dynamodb_requests,
    )
    from mobilise_local.ses_bulk import emulate_send_bulk_email

    serialise_dynamodb_requests()
    cheap_dynamodb_transactions()  # moto copies whole tables per transaction otherwise
    enforce_s3_post_policies()
    emulate_send_bulk_email()  # moto has no SendBulkEmail
    with mock_aws(), built(parameters, dynamodb_endpoint=dynamodb_endpoint) as system:
        yield system


# Seeding ------------------------------------------------------------------------------------


def signer_email(index: int, tag: str) -> str:
    return f"{tag}-{index}@example.org"


def seed_signatures(
    petition_id: str, count: int, *, tag: str = "signer", threads: int = 1, start: int = 0
) -> list[str]:
    """``count`` confirmed signatures that want updates, the items ``petitions.sign`` writes,
    written with BatchWriteItem (25 items a request), then the petition's counters set from a
    full count and each person's count of petitions followed moved by one (what signing
    would have moved); returns their email hashes."""
    models.bound()
    now = clock.now()
    indexes = range(start, start + count)
    hashes = [crypto.email_hash(signer_email(index, tag)) for index in indexes]

    def write(chunk: list[tuple[int, str]]) -> None:
        with Signature.batch_write() as batch:
            for index, email_hash in chunk:
                batch.save(
                    Signature(
                        *Signature.key(petition_id, email_hash),
                        petition_id=petition_id,
                        email_key=email_hash,
                        email=signer_email(index, tag),
                        name=f"Signer {index}",
                        language=None,
                        wants_updates=True,
                        consent_at=now,
                        consent_version=store.CONSENT_VERSION,
                        confirmed_at=now,
                        created_at=now,
                    )
                )
        _follow_one_more(petition_id, [email_hash for _, email_hash in chunk])

    pairs = list(zip(indexes, hashes, strict=True))
    size = max(25, -(-len(pairs) // max(1, threads)))
    chunks = [pairs[offset : offset + size] for offset in range(0, len(pairs), size)]
    if threads <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            write(chunk)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(write, chunks))
    counters.recount(petition_id)
    return hashes


def _follow_one_more(petition_id: str, hashes: list[str]) -> None:
    """Each person's :class:`~mobilise.table.persons.Follows` one more, as a confirmed
    signature's transaction moves it (read and written a batch at a time); and, as it then
    does, the window of those who now follow two petitions seeded from the other's emails."""
    for offset in range(0, len(hashes), 100):
        chunk = hashes[offset : offset + 100]
        found = {
            item.pk: item
            for item in map(Follows.from_raw_data, raw_items([Follows.key(h) for h in chunk]))
        }
        with Follows.batch_write() as batch:
            for email_hash in chunk:
                pk, sk = Follows.key(email_hash)
                before = found.get(pk)
                if before is None:
                    batch.save(Follows(pk, sk, petitions=1))
                else:  # as the transaction's update: the rest of the item kept
                    before.petitions = int(before.petitions) + 1
                    batch.save(before)
        for email_hash in chunk:
            before = found.get(Follows.key(email_hash)[0])
            if before is not None and before.petitions == 2:
                alone.Following(email_hash, petition_id, start=0, seed=True).written()


# Execution environments ---------------------------------------------------------------------

_environments = itertools.count()


def fresh_handler(function: Function) -> Handler:
    """The function's handler from a module of its own, as a new Lambda execution environment
    loads it (:func:`mobilise_local.lambdas.load_module` shares one module per process).

    Two invocations running at once in one process must not share module state: the
    handler modules keep a Powertools ``BatchProcessor`` whose records and failures are
    instance attributes.
    """
    module_name = function.handler.rsplit(".", 1)[0]
    unique = f"{module_name}__env{next(_environments)}"
    return load_handler(str(ROOT / function.code_uri), function.handler, unique)
