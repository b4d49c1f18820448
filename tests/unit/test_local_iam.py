"""The local stack enforces each function's role (:mod:`mobilise_local.iam`): a request the
role does not allow is refused as AWS refuses it, so a missing grant fails the tests that
take that path, as it would fail on AWS (moto does not evaluate roles)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from mobilise_local import iam, lambdas
from mobilise_local.resources import Stack
from mobilise_local.template import Tag, Template, read

REGION, ACCOUNT = "eu-west-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/mobilise-Table"


def _stack() -> Stack:
    stack = Stack(parameters={"AWS::Region": REGION, "AWS::AccountId": ACCOUNT})
    stack.attributes[("Table", "Arn")] = TABLE
    stack.attributes[("Queue", "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:mobilise-Queue"
    stack.refs["Topic"] = f"arn:aws:sns:{REGION}:{ACCOUNT}:mobilise-Topic"
    return stack


def _template(*statements: dict[str, Any], managed: dict[str, Any] | None = None) -> Template:
    role: dict[str, Any] = {
        "Policies": [{"PolicyName": "f", "PolicyDocument": {"Statement": list(statements)}}]
    }
    resources: dict[str, Any] = {
        "F": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/f",
                "Handler": "f.handler",
                "Role": Tag("GetAtt", ["FRole", "Arn"]),
            },
        },
        "FRole": {"Type": "AWS::IAM::Role", "Properties": role},
    }
    if managed is not None:
        role["ManagedPolicyArns"] = [Tag("Ref", "Baseline")]
        resources["Baseline"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Statement": [managed]}},
        }
    return Template({"Resources": resources})


def _allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _denied(template: Template, service: str, operation: str, params: dict[str, Any]) -> Any:
    statements = iam.role_statements(template, _stack(), "F")
    return iam.denied(statements, iam.requested(service, operation, params, REGION, ACCOUNT))


ON_TABLE = Tag("GetAtt", ["Table", "Arn"])


def test_a_request_its_role_allows_passes_and_one_it_does_not_is_named() -> None:
    template = _template(_allow(["dynamodb:GetItem", "dynamodb:Query"], ON_TABLE))

    assert _denied(template, "dynamodb", "GetItem", {"TableName": "mobilise-Table"}) is None
    refused = _denied(
        template, "dynamodb", "BatchGetItem", {"RequestItems": {"mobilise-Table": {}}}
    )
    assert refused == iam.Denied("dynamodb:BatchGetItem", TABLE)


def test_an_index_is_its_own_resource() -> None:
    template = _template(
        _allow("dynamodb:Query", ON_TABLE),
        _allow("dynamodb:Query", Tag("Sub", "${Table.Arn}/index/outbox")),
    )
    query = {"TableName": "mobilise-Table"}

    assert _denied(template, "dynamodb", "Query", {**query, "IndexName": "outbox"}) is None
    assert _denied(template, "dynamodb", "Query", {**query, "IndexName": "by_email"}) == (
        iam.Denied("dynamodb:Query", f"{TABLE}/index/by_email")
    )


def test_a_transaction_needs_the_action_of_each_of_its_items() -> None:
    template = _template(_allow(["dynamodb:UpdateItem", "dynamodb:PutItem"], ON_TABLE))
    items = [
        {"Update": {"TableName": "mobilise-Table"}},
        {"ConditionCheck": {"TableName": "mobilise-Table"}},
    ]

    refused = _denied(template, "dynamodb", "TransactWriteItems", {"TransactItems": items})

    assert refused == iam.Denied("dynamodb:ConditionCheckItem", TABLE)


def test_a_deny_wins_wildcards_match_and_managed_policies_count() -> None:
    template = _template(
        _allow("dynamodb:*", ON_TABLE),
        {"Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "*"},
        managed=_allow("sns:Publish", Tag("Ref", "Topic")),
    )
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:mobilise-Topic"

    assert _denied(template, "dynamodb", "UpdateItem", {"TableName": "mobilise-Table"}) is None
    assert _denied(template, "dynamodb", "DeleteItem", {"TableName": "mobilise-Table"}) == (
        iam.Denied("dynamodb:DeleteItem", TABLE)
    )
    assert _denied(template, "sns", "Publish", {"TopicArn": topic}) is None


def test_sqs_batches_are_allowed_by_the_action_of_one_message() -> None:
    template = _template(_allow("sqs:SendMessage", Tag("GetAtt", ["Queue", "Arn"])))
    url = f"http://127.0.0.1:5000/{ACCOUNT}/mobilise-Queue"

    assert _denied(template, "sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": []}) is None
    assert _denied(template, "sqs", "DeleteMessage", {"QueueUrl": url}) == iam.Denied(
        "sqs:DeleteMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:mobilise-Queue"
    )


def test_an_ses_send_needs_its_action_on_the_sender_s_identity_and_configuration_set() -> None:
    ses = f"arn:aws:ses:{REGION}:{ACCOUNT}"
    template = _template(
        _allow("ses:SendEmail", [f"{ses}:identity/example.org", f"{ses}:configuration-set/c"])
    )
    send = {"FromEmailAddress": "Mobilise <updates@example.org>", "ConfigurationSetName": "c"}

    assert _denied(template, "sesv2", "SendEmail", send) is None
    assert _denied(template, "sesv2", "SendBulkEmail", send) == iam.Denied(
        "ses:SendBulkEmail", f"{ses}:identity/example.org"
    )
    assert _denied(template, "sesv2", "SendEmail", {**send, "ConfigurationSetName": "d"}) == (
        iam.Denied("ses:SendEmail", f"{ses}:configuration-set/d")
    )


def test_the_deliver_function_may_send_an_update_to_many_at_once() -> None:
    stack = Stack(
        parameters={
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "SenderIdentity": "example.org",
        }
    )
    stack.refs["ConfigurationSet"] = "mobilise-set"
    send = {"FromEmailAddress": "updates@example.org", "ConfigurationSetName": "mobilise-set"}
    statements = iam.role_statements(read(), stack, "DeliverFunction")
    pairs = iam.requested("sesv2", "SendBulkEmail", send, REGION, ACCOUNT)

    assert iam.denied(statements, pairs) is None


def test_a_statement_it_cannot_evaluate_stops_it_rather_than_pass_everything() -> None:
    template = _template({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})

    with pytest.raises(ValueError, match="NotAction"):
        iam.role_statements(template, _stack(), "F")


def test_in_the_local_stack_a_function_s_refused_request_raises_what_aws_raises() -> None:
    """Through the template's real roles, at botocore's client (its answers stubbed): the
    fan-out function may not delete from the table; the harness itself (no function acting)
    may, and the moderation function may read it."""
    client: Any = boto3.client("dynamodb", region_name=REGION)
    key = {"pk": {"S": "x"}}
    with Stubber(client) as stubbed, iam.enforced(read(), _stack()):
        stubbed.add_response("delete_item", {}, {"TableName": "mobilise-Table", "Key": key})
        stubbed.add_response("get_item", {}, {"TableName": "mobilise-Table", "Key": key})
        client.delete_item(TableName="mobilise-Table", Key=key)
        with iam.acting("FanoutFunction"), pytest.raises(ClientError) as refused:
            client.delete_item(TableName="mobilise-Table", Key=key)
        with iam.acting("ModerationFunction"):
            client.get_item(TableName="mobilise-Table", Key=key)
        stubbed.assert_no_pending_responses()

    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "FanoutFunction is not authorized to perform: dynamodb:DeleteItem" in error["Message"]


def test_every_function_s_invocation_acts_as_the_function(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`mobilise_local.lambdas.invoke` names the function whose role its requests are
    checked against (the tests above show the check)."""
    template = read()
    roles = iam.Roles(template, _stack())
    monkeypatch.setattr(iam, "_enforced", [roles])
    acting: list[str | None] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        acting.append(getattr(roles._acting, "name", None))

    monkeypatch.setattr(lambdas, "load_handler", lambda function: handler)
    lambdas.invoke(template.functions()["SweeperFunction"], {})

    assert acting == ["SweeperFunction"]
