"""An in-process Mobilise on moto, built from template.yaml, for integration tests."""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mobilise.core import aws, config, crypto
from mobilise.delivery import sending
from mobilise.table import models
from mobilise_local import lambdas, outbox
from mobilise_local.auth import BearerIsUser
from mobilise_local.gateway import Gateway, HttpResponse, response_from
from mobilise_local.moto_patches import (
    cheap_dynamodb_transactions,
    enforce_s3_post_policies,
    serialise_dynamodb_requests,
)
from mobilise_local.pollers import Pollers
from mobilise_local.resources import Stack, create
from mobilise_local.template import Template, read

PUBLIC_URL = "https://mobilise.test"
_addresses = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


#: The integration tests' authorizer: the bearer token is the user id.
HeaderAuthorizer = BearerIsUser


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Mobilise:
    template: Template
    stack: Stack
    gateway: Gateway
    pollers: Pollers

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
        """A request as API Gateway would hand it to the api function."""
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
            function = self.template.functions()[route.function]
            response = response_from(lambdas.invoke(function, event))
        return Reply(response.status, dict(response.headers), response.body.decode())

    def run_queues(self, visibility_timeout: int | None = None) -> int:
        return self.pollers.run_until_empty(visibility_timeout=visibility_timeout)

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

    def queue_depth(self, logical_id: str) -> int:
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.stack.refs[logical_id],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def invoke(self, function: str, event: dict[str, Any], timeout: float | None = None) -> Any:
        """Call one function of the template directly, as its event source would."""
        return lambdas.invoke(self.template.functions()[function], event, timeout)

    def send(self, queue: str, body: str) -> None:
        boto3.client("sqs").send_message(QueueUrl=self.stack.refs[queue], MessageBody=body)

    def seed_signatures(
        self, petition_id: str, addresses: list[str], *, wants_updates: bool = True
    ) -> None:
        """Signatures written straight to the table (confirmed), for tests of scale."""
        from mobilise.core import clock, crypto
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

    # The steps most tests take --------------------------------------------------------------

    def create_petition(self, owner: str = "alice", **overrides: Any) -> str:
        body = {
            "title": "Save the Bois de Vincennes",
            "description": "Keep the woods open to everyone.",
            "language": "en",
            "decision_maker": {"name": "The Mayor", "email": "mayor@example.org"},
            **overrides,
        }
        reply = self.request("POST", "/petitions", body, user=owner)
        assert reply.status == 201, reply.text
        petition_id: str = reply.json()["petition_id"]
        return petition_id

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

    def publish(self, petition_id: str, owner: str = "alice", **overrides: Any) -> Reply:
        body = {
            "title": "We met the mayor",
            "body": "She listened. Next step: the council.",
            **overrides,
        }
        return self.request("POST", f"/petitions/{petition_id}/updates", body, user=owner)


EVENTS = Path(__file__).resolve().parents[1] / "events"


def event(name: str, **values: str) -> dict[str, Any]:
    """A fixture of tests/events, with its ``${name}`` placeholders filled in."""
    text = (EVENTS / name).read_text()
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def reset_process_caches() -> None:
    """Forget clients, keys, settings and rendered emails made for another backend."""
    config.get_settings.cache_clear()
    aws.reset()
    crypto.reset()
    sending.reset()
    models.reset()


#: Parameters of the template for the integration tests: double opt-in is tested on its own.
TEST_PARAMETERS = {
    "PublicBaseUrl": PUBLIC_URL,
    "DoubleOptIn": "false",
    "SesMaxSendRate": "100000",
}


@contextmanager
def running_on_moto(
    monkeypatch: pytest.MonkeyPatch,
    *,
    dynamodb_endpoint: str | None = None,
    parameters: dict[str, str] | None = None,
) -> Iterator[Mobilise]:
    """Mobilise in this process on moto; its tables in DynamoDB Local if an endpoint is given."""
    serialise_dynamodb_requests()
    cheap_dynamodb_transactions()
    enforce_s3_post_policies()
    prefix = "mobilise"
    if dynamodb_endpoint is not None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
        prefix = f"t{uuid.uuid4().hex[:12]}"  # DynamoDB Local is shared by the whole session
    with mock_aws():
        template = read()
        stack = create(template, {**TEST_PARAMETERS, **(parameters or {})}, prefix=prefix)
        for function in template.functions().values():
            for name, value in stack.environment(function.environment).items():
                monkeypatch.setenv(name, value)
        reset_process_caches()
        gateway = Gateway(
            template.routes(),
            HeaderAuthorizer(),  # type: ignore[arg-type]
            template.gateway_responses(),
            stack.parameters["Stage"],
        )
        pollers = Pollers(
            template.queue_sources(), template.functions(), stack, logging.getLogger("pollers")
        )
        try:
            yield Mobilise(template, stack, gateway, pollers)
        finally:
            if dynamodb_endpoint is not None:
                dynamodb = boto3.client("dynamodb")
                for name in template.of_type("AWS::DynamoDB::Table"):
                    dynamodb.delete_table(TableName=stack.refs[name])
    reset_process_caches()
