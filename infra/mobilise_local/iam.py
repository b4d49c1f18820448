"""The functions' roles, enforced locally: every request a function makes to DynamoDB, SQS,
SNS, Secrets Manager or S3 is checked against the IAM policies of its role in template.yaml,
and refused as AWS refuses it (``AccessDeniedException``) when none allows it.

moto does not evaluate roles: a request the code makes and the role does not allow passed
every test, and failed on AWS (the reminders' alert on AlarmTopic; the API's counters, read
with BatchGetItem). Here each invocation of a function (:func:`acting`, around
:func:`mobilise_local.lambdas.invoke`) names its role, and botocore's
``BaseClient._make_api_call``, which every client's calls go through (PynamoDB's included),
asks :func:`allowed` first.

What is evaluated, as IAM does for an identity policy: the role's inline policies and the
template's managed policies it attaches; ``Allow`` statements by ``Action`` and ``Resource``
(``*`` and ``?`` wildcards), a matching ``Deny`` overriding. Left out: ``Condition`` blocks
(they only narrow what a statement allows: a request they would refuse passes here), SES
but its sends through a client (:mod:`mobilise.delivery.send_email`'s SendEmail does not go
through ``_make_api_call``), KMS, X-Ray and Cognito. A transaction is checked as IAM checks
it: each of its items by its own action.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlparse

import botocore.client
from botocore.exceptions import ClientError

from mobilise_local.resources import Stack, table_arn
from mobilise_local.template import Tag, Template

_CLIENT: Any = botocore.client.BaseClient  # its _make_api_call is private
_TRANSACTION_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
#: SQS's batch calls are authorised by the action of one message.
_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket"}


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def matches(self, action: str, resource: str) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in self.actions) and any(
            fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources
        )


@dataclass(frozen=True)
class Denied:
    action: str
    resource: str


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resolved(stack: Stack, value: Any) -> str:
    """A statement's resource as deployed here; one the local stack does not make (a KMS key,
    a log group) names nothing any checked request could be on."""
    try:
        return stack.resolve(value)
    except (KeyError, ValueError):
        return f"unresolved:{value!r}"


def role_statements(template: Template, stack: Stack, function: str) -> list[Statement]:
    """The statements of a function's role: its inline policies and the template's managed
    policies it attaches. A function with no role of its own is allowed nothing here."""
    resources = template.resources
    role_value = resources[function]["Properties"].get("Role")
    if not isinstance(role_value, Tag) or role_value.name != "GetAtt":
        return []
    role = resources[role_value.value[0]]["Properties"]
    documents = [policy["PolicyDocument"] for policy in role.get("Policies", [])]
    for arn in role.get("ManagedPolicyArns", []):
        if isinstance(arn, Tag) and arn.name == "Ref" and arn.value in resources:
            documents.append(resources[arn.value]["Properties"]["PolicyDocument"])
    found: list[Statement] = []
    for document in documents:
        for statement in _listed(document["Statement"]):
            if "NotAction" in statement or "NotResource" in statement:
                raise ValueError(f"{function}: the local stack does not evaluate NotAction")
            found.append(
                Statement(
                    statement["Effect"],
                    tuple(str(action) for action in _listed(statement["Action"])),
                    tuple(_resolved(stack, r) for r in _listed(statement["Resource"])),
                )
            )
    return found


def requested(
    service: str, operation: str, params: dict[str, Any], region: str, account: str
) -> list[tuple[str, str]]:
    """The (action, resource ARN) pairs IAM checks for one request; none for a service this
    module does not evaluate."""
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account)
    if service == "sqs":
        url = params.get("QueueUrl")
        name = urlparse(url).path.rsplit("/", 1)[-1] if url else params.get("QueueName", "*")
        action = _SQS_ACTIONS.get(operation, operation)
        return [(f"sqs:{action}", f"arn:aws:sqs:{region}:{account}:{name}")]
    if service == "sns":
        return [(f"sns:{operation}", params.get("TopicArn") or params.get("TargetArn") or "*")]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params.get("SecretId", "*"))]
    if service == "s3":
        return _s3(operation, params)
    if service == "sesv2" and operation in _SES_SENDS:
        return _ses(operation, params, region, account)
    return []


#: SES's sends, authorised by the identity of their From address and their configuration set.
_SES_SENDS = frozenset({"SendEmail", "SendBulkEmail"})


def _ses(
    operation: str, params: dict[str, Any], region: str, account: str
) -> list[tuple[str, str]]:
    """A send as SES authorises it: its action on the identity the From address is verified
    by (its domain, as the template's ``SenderIdentity``) and on its configuration set."""
    domain = parseaddr(str(params.get("FromEmailAddress", "")))[1].rpartition("@")[2] or "*"
    pairs = [(f"ses:{operation}", f"arn:aws:ses:{region}:{account}:identity/{domain}")]
    if "ConfigurationSetName" in params:
        name = params["ConfigurationSetName"]
        pairs.append(
            (f"ses:{operation}", f"arn:aws:ses:{region}:{account}:configuration-set/{name}")
        )
    return pairs


def _dynamodb(
    operation: str, params: dict[str, Any], region: str, account: str
) -> list[tuple[str, str]]:
    def arn(table: str, index: str | None = None) -> str:
        found = table_arn(region, account, table)
        return f"{found}/index/{index}" if index else found

    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", arn(table)) for table in params["RequestItems"]]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params["TransactItems"]:
            (kind, body), *_ = item.items()
            found.append((f"dynamodb:{_TRANSACTION_ACTIONS[kind]}", arn(body["TableName"])))
        return found
    table = params.get("TableName", "*")
    return [(f"dynamodb:{operation}", arn(table, params.get("IndexName")))]


def _s3(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    bucket = params.get("Bucket", "*")
    action = f"s3:{_S3_ACTIONS.get(operation, operation)}"
    if operation == "CopyObject":
        source = params["CopySource"]
        source_arn = (
            f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"
            if isinstance(source, dict)
            else f"arn:aws:s3:::{source.lstrip('/')}"
        )
        target = f"arn:aws:s3:::{bucket}/{params['Key']}"
        return [("s3:GetObject", source_arn), ("s3:PutObject", target)]
    if "Key" in params:
        return [(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
    return [(action, f"arn:aws:s3:::{bucket}")]


def denied(statements: list[Statement], pairs: list[tuple[str, str]]) -> Denied | None:
    """The first (action, resource) no statement allows, or one a statement denies."""
    for action, resource in pairs:
        matching = [s for s in statements if s.matches(action, resource)]
        if any(s.effect == "Deny" for s in matching) or not any(
            s.effect == "Allow" for s in matching
        ):
            return Denied(action, resource)
    return None


class Roles:
    """Each function's statements, and the one acting in this thread (if any)."""

    def __init__(self, template: Template, stack: Stack) -> None:
        self._statements = {
            name: role_statements(template, stack, name) for name in template.functions()
        }
        self._region = stack.parameters["AWS::Region"]
        self._account = stack.parameters["AWS::AccountId"]
        self._acting = threading.local()

    @contextmanager
    def acting(self, function: str) -> Iterator[None]:
        before = getattr(self._acting, "name", None)
        self._acting.name = function
        try:
            yield
        finally:
            self._acting.name = before

    def check(self, client: Any, operation: str, params: dict[str, Any]) -> None:
        """Raise the ``AccessDeniedException`` AWS answers when the acting function's role does
        not allow the request."""
        function = getattr(self._acting, "name", None)
        if function is None:
            return  # the harness's own requests (seeding, polling queues), not a function's
        service = client.meta.service_model.endpoint_prefix
        pairs = requested(service, operation, params, self._region, self._account)
        refused = denied(self._statements[function], pairs)
        if refused is not None:
            message = (
                f"User: arn:aws:sts::{self._account}:assumed-role/{function}Role/{function} "
                f"is not authorized to perform: {refused.action} on resource: "
                f"{refused.resource} because no identity-based policy allows the "
                f"{refused.action} action"
            )
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": message}}, operation
            )


_enforced: list[Roles] = []
_installing = threading.Lock()
_beneath: list[Any] = []  # what _make_api_call was when the roles were first enforced


def _checked(client: Any, operation: str, params: dict[str, Any]) -> Any:
    if _enforced:
        _enforced[-1].check(client, operation, params)
    return _beneath[-1](client, operation, params)


def enforce(template: Template, stack: Stack) -> Roles:
    """The functions' roles enforced from now on (the local stack's process); a recorder
    patched on ``_make_api_call`` before stays beneath the check, one patched after, above."""
    roles = Roles(template, stack)
    with _installing:
        if _CLIENT._make_api_call is not _checked:
            _beneath.append(_CLIENT._make_api_call)
            _CLIENT._make_api_call = _checked
        _enforced.append(roles)
    return roles


@contextmanager
def enforced(template: Template, stack: Stack) -> Iterator[Roles]:
    """The functions' roles enforced for as long as the block runs."""
    roles = enforce(template, stack)
    try:
        yield roles
    finally:
        with _installing:
            _enforced.remove(roles)
            if not _enforced and _CLIENT._make_api_call is _checked:
                _CLIENT._make_api_call = _beneath.pop()


@contextmanager
def acting(function: str) -> Iterator[None]:
    """An invocation of ``function``: its requests are checked against its role while the
    roles are enforced (:func:`enforced`), and not otherwise."""
    if not _enforced:
        yield
        return
    with _enforced[-1].acting(function):
        yield
