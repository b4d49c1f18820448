"""Mobilise in this process, built from template.yaml, as the integration tests build it.

The same steps as ``tests/integration/harness.py``: moto (in-process) for
every service, optionally DynamoDB Local for the tables, the template's
resources and function environments, a gateway that turns requests into
proxy events. Kept here rather than imported from ``tests`` so that the
benchmarks depend on the shipped packages only.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, cast

from mobilise.core import aws, clock, config, crypto
from mobilise.delivery import sending
from mobilise.petitions import store
from mobilise.table import models
from mobilise.table.models import Signature
from mobilise_bench.env import scoped
from mobilise_local import lambdas
from mobilise_local.auth import BearerIsUser, CognitoAuthorizer
from mobilise_local.gateway import Gateway, HttpResponse, response_from
from mobilise_local.lambdas import Handler
from mobilise_local.resources import Stack, create
from mobilise_local.template import ROOT, Function, Template, read

PUBLIC_URL = "https://mobilise.bench"
STARTER = "starter"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class System:
    template: Template
    stack: Stack
    gateway: Gateway

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
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> Reply:
        function, event = self.api_event(method, path, body, user=user)
        response = response_from(lambdas.invoke(function, event))
        return Reply(response.status, dict(response.headers), response.body.decode())

    def create_petition(self, title: str = "Save the Bois de Vincennes") -> str:
        reply = self.request(
            "POST",
            "/petitions",
            {
                "title": title,
                "description": "Keep the woods open to everyone.",
                "language": "en",
                "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
            },
            user=STARTER,
        )
        if reply.status != 201:
            raise RuntimeError(f"petition not created: {reply.status} {reply.body}")
        petition_id: str = reply.json()["petition_id"]
        return petition_id

    def publish(self, petition_id: str, title: str = "We met the mayor") -> Reply:
        return self.request(
            "POST",
            f"/petitions/{petition_id}/updates",
            {"title": title, "body": "She listened. Next step: the council."},
            user=STARTER,
        )


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
def built(parameters: dict[str, str], *, dynamodb_endpoint: str | None = None) -> Iterator[System]:
    """The template's resources wherever the environment points boto3 (moto in-process under
    ``mock_aws``, or moto's server), the tables in DynamoDB Local if an endpoint is given,
    and the functions' environment set for as long as the block runs."""
    prefix = "mobilise"
    with ExitStack() as stack_of_contexts:
        if dynamodb_endpoint is not None:
            stack_of_contexts.enter_context(
                scoped({"AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint})
            )
            prefix = f"b{uuid.uuid4().hex[:12]}"  # DynamoDB Local may outlive this system
        template = read()
        stack = create(template, {"PublicBaseUrl": PUBLIC_URL, **parameters}, prefix=prefix)
        environment = function_environment(template, stack)
        stack_of_contexts.enter_context(scoped(dict(environment)))
        reset_process_caches()
        gateway = Gateway(
            template.routes(),
            cast(CognitoAuthorizer, BearerIsUser()),
            template.gateway_responses(),
            stack.parameters["Stage"],
        )
        try:
            yield System(template, stack, gateway)
        finally:
            reset_process_caches()


@contextmanager
def on_moto(
    parameters: dict[str, str], *, dynamodb_endpoint: str | None = None
) -> Iterator[System]:
    """Mobilise in this process on moto (``mock_aws``); the tables in DynamoDB Local if asked."""
    from moto import mock_aws

    from mobilise_local.moto_patches import (
        cheap_dynamodb_transactions,
        serialise_dynamodb_requests,
    )

    serialise_dynamodb_requests()
    cheap_dynamodb_transactions()  # moto copies whole tables per transaction otherwise
    with mock_aws(), built(parameters, dynamodb_endpoint=dynamodb_endpoint) as system:
        yield system


# Seeding ------------------------------------------------------------------------------------


def signer_email(index: int, tag: str) -> str:
    return f"{tag}-{index}@example.org"


def seed_signatures(
    petition_id: str, count: int, *, tag: str = "signer", threads: int = 1, start: int = 0
) -> list[str]:
    """``count`` confirmed signatures that want updates, the items ``petitions.sign`` writes,
    written with BatchWriteItem (25 items a request); returns their email hashes."""
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

    pairs = list(zip(indexes, hashes, strict=True))
    size = max(25, -(-len(pairs) // max(1, threads)))
    chunks = [pairs[offset : offset + size] for offset in range(0, len(pairs), size)]
    if threads <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            write(chunk)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(write, chunks))
    return hashes


# Execution environments ---------------------------------------------------------------------

_environments = itertools.count()


def fresh_handler(function: Function) -> Handler:
    """The function's handler from a module of its own, as a new Lambda execution environment
    loads it (:func:`mobilise_local.lambdas.load_module` shares one module per process).

    Two invocations running at once in one process must not share module state: the
    handler modules keep a Powertools ``BatchProcessor`` whose records and failures are
    instance attributes.
    """
    module_name, attribute = function.handler.rsplit(".", 1)
    unique = f"{module_name}__env{next(_environments)}"
    path = ROOT / function.code_uri / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{function.logical_id}: no module at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    handler: Handler = getattr(module, attribute)
    return handler
