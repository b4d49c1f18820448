"""What template.yaml must keep true to be safe to deploy and hard to abuse.

Each check is a function of the template document (as :func:`mobilise_local.template.load`
reads it) returning its violations, one sentence each; an empty list means the template holds
the invariant. The tests run every check on template.yaml, then break a copy of it in the ways
that matter (an owner route left open, a queue without its dead-letter queue, a ``*`` action,
...) and show that the checks notice.

What is allowed on purpose is listed here, each with its reason: the public routes, the one
IAM action whose only resource is ``*``, the AWS managed policies, the ways a function may be
invoked. Some of these checks stand guard where .checkov.yaml and .cfnlintrc.yaml skip a check
for every resource (each skip there names the check here that takes its place).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mobilise_local.template import Tag, Template, load

Document = dict[str, Any]
Check = Callable[[Document], list[str]]

#: The routes anyone may call, without signing in. Every other route is an owner route and
#: must have the Cognito authorizer. Adding a route here is a decision: say why.
PUBLIC_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/petitions/{petition_id}"): "a petition's page",
    ("POST", "/petitions/{petition_id}/signatures"): "signing a petition",
    ("GET", "/signatures/confirm/{token}"): "the link of the confirmation email: a page",
    ("POST", "/signatures/confirm/{token}"): "that page's button, which confirms",
    ("GET", "/petitions/{petition_id}/updates"): "a petition's updates, for everyone",
    ("GET", "/petitions/{petition_id}/updates/{update_id}"): "an update's page",
    ("GET", "/unsubscribe/{token}"): "the unsubscribe link of every email",
    ("POST", "/unsubscribe/{token}"): "RFC 8058 one-click unsubscribe, posted by mail clients",
    ("GET", "/unsubscribe-digest/{token}"): "the one unsubscribe link of a digest",
    ("POST", "/unsubscribe-digest/{token}"): "a digest's RFC 8058 one-click, for its petitions",
    ("GET", "/r/{token}"): "the buttons of an update's email (counts a click, redirects)",
    ("HEAD", "/r/{token}"): "what mail scanners ask of a button (the same 302, counts nothing)",
    ("GET", "/nudges/off/{token}"): "the starter's link, in every reminder, to stop them",
    ("POST", "/nudges/off/{token}"): "the reminders' RFC 8058 one-click, posted by mail clients",
    ("GET", "/petitions/{petition_id}/updates/{update_id}/event.ics"): (
        "an event's calendar file, the email's add-to-calendar button"
    ),
    ("GET", "/respond/{token}"): "the respond link of an email: a signer's form",
    ("POST", "/respond/{token}"): "a signer's testimony, advice or contact, from that form",
    ("GET", "/rsvp/{token}"): "the RSVP link of an event's email: a page with Yes and No",
    ("POST", "/rsvp/{token}"): "a signer's answer to an event, from that page",
    ("GET", "/p/{petition_id}"): "a petition's public page, with its sign form",
    ("POST", "/p/{petition_id}"): "that sign form, posted by a browser",
    ("GET", "/p/{petition_id}/updates/{update_id}"): "a published update's page (view in browser)",
    ("GET", "/p/{petition_id}/answer/{token}"): "the decision-maker's page (a signed link)",
    ("POST", "/p/{petition_id}/answer/{token}"): "the decision-maker's answer, from that page",
    ("GET", "/start"): "the page the emails' and nudges' start-a-petition links open",
    ("GET", "/static/{name}"): "the pages' CSS and scripts (the proof-of-work widget)",
}

#: IAM actions that have no resource-level permission, so ``Resource: "*"`` is the narrowest
#: resource a statement granting them can name.
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    "ses:GetAccount": "the account's sending quota (the deliver function paces itself on it)",
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions (Tracing: Active)",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions (Tracing: Active)",
}

#: AWS managed policies the template may attach (their statements cannot be read here).
MANAGED_POLICIES: dict[str, str] = {
    "AmazonAPIGatewayPushToCloudWatchLogs": (
        "API Gateway's logging role is one per account and region, for every API: it cannot be "
        "narrowed to this stack's log groups"
    ),
}

#: The events a function may have, and what becomes of an invocation that fails: why no function
#: has a dead-letter queue or an on-failure destination of its own (the skip of CKV_AWS_116 in
#: .checkov.yaml, the ignores of ES1007 and ES4000 in .cfnlintrc.yaml). A function without
#: events is invoked by an operator, synchronously: the operator sees the error.
FAILED_INVOCATIONS: dict[str, str] = {
    "Api": "synchronous: API Gateway returns the error to the caller",
    "SQS": "the message stays in its queue, whose dead-letter queue keeps it (check_queues)",
    "Schedule": "the next run does the work left due; the errors alarm reports it (check_alarms)",
}

#: Resources that would invoke a function outside its Events, out of FAILED_INVOCATIONS' sight.
HIDDEN_INVOKERS = ("AWS::Events::Rule", "AWS::Scheduler::Schedule", "AWS::Lambda::Permission")

MIN_MAX_RECEIVE_COUNT = 5
VISIBILITY_TIMEOUT_FACTOR = 6
MAX_BOUNCE_RATE_THRESHOLD = 0.02
MAX_COMPLAINT_RATE_THRESHOLD = 0.0005
ALARM_TOPIC = "AlarmTopic"


# --- Reading the document ---------------------------------------------------------------------


def resources(document: Document, kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in document.get("Resources", {}).items()
        if resource.get("Type") == kind
    }


def properties(resource: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = resource.get("Properties") or {}
    return found


def target(value: Any) -> str | None:
    """The logical id that ``!Ref X`` or ``!GetAtt X.Attribute`` names, else None."""
    if isinstance(value, Tag) and value.name == "Ref":
        return str(value.value)
    if isinstance(value, Tag) and value.name == "GetAtt":
        return str(value.value[0])
    return None


def number(document: Document, value: Any) -> float:
    """A number written as is or as ``!Ref`` to a parameter (its default); 0 if neither."""
    name = target(value)
    if name is not None:
        value = document.get("Parameters", {}).get(name, {}).get("Default")
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def attribute(value: Any) -> tuple[str, str] | None:
    """(logical id, attribute) of ``!GetAtt X.Attribute``, else None."""
    if isinstance(value, Tag) and value.name == "GetAtt":
        return str(value.value[0]), str(value.value[1])
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def function_events(document: Document, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(function, event name, event properties) of every event of type ``kind``."""
    for function, resource in resources(document, "AWS::Serverless::Function").items():
        for name, event in (properties(resource).get("Events") or {}).items():
            if event.get("Type") == kind:
                yield function, name, event.get("Properties") or {}


def dead_letter_queues(document: Document) -> set[str]:
    """The queues some queue or SNS subscription sends its failures to."""
    found = set()
    for kind in ("AWS::SQS::Queue", "AWS::SNS::Subscription"):
        for resource in resources(document, kind).values():
            redrive = properties(resource).get("RedrivePolicy") or {}
            queue = target(redrive.get("deadLetterTargetArn"))
            if queue:
                found.add(queue)
    return found


def alarms(document: Document) -> dict[str, dict[str, Any]]:
    return {
        name: properties(r) for name, r in resources(document, "AWS::CloudWatch::Alarm").items()
    }


def dimension(alarm: dict[str, Any], name: str) -> Any:
    for found in alarm.get("Dimensions") or []:
        if found.get("Name") == name:
            return found.get("Value")
    return None


# --- The checks -------------------------------------------------------------------------------


def check_routes_are_authorized(document: Document) -> list[str]:
    """Owner routes have the Cognito authorizer; public routes are exactly PUBLIC_ROUTES."""
    violations = []
    apis = resources(document, "AWS::Serverless::Api")
    seen = set()
    for function, name, event in function_events(document, "Api"):
        route = (str(event.get("Method", "")).upper(), str(event.get("Path", "")))
        seen.add(route)
        api = apis.get(target(event.get("RestApiId")) or "")
        if api is None:
            violations.append(f"{function}.{name}: the route is on no AWS::Serverless::Api")
            continue
        auth = properties(api).get("Auth") or {}
        chosen = (event.get("Auth") or {}).get("Authorizer", auth.get("DefaultAuthorizer"))
        where = f"{function}.{name} {route[0]} {route[1]}"
        if route in PUBLIC_ROUTES:
            if chosen not in (None, "NONE"):
                violations.append(f"{where}: listed as public but has authorizer {chosen}")
        elif chosen in (None, "NONE"):
            violations.append(f"{where}: an owner route without the Cognito authorizer")
        elif "UserPoolArn" not in ((auth.get("Authorizers") or {}).get(chosen) or {}):
            violations.append(f"{where}: authorizer {chosen} is not a Cognito user pool")
    for method, path in sorted(PUBLIC_ROUTES.keys() - seen):
        violations.append(f"PUBLIC_ROUTES lists {method} {path}, which the template has not")
    return violations


def check_stage_throttling_and_tracing(document: Document) -> list[str]:
    violations = []
    for name, api in resources(document, "AWS::Serverless::Api").items():
        settings = properties(api).get("MethodSettings") or []
        everything = [
            s for s in settings if s.get("ResourcePath") == "/*" and s.get("HttpMethod") == "*"
        ]
        if not any(
            number(document, s.get("ThrottlingBurstLimit")) > 0
            and number(document, s.get("ThrottlingRateLimit")) > 0
            for s in everything
        ):
            violations.append(f"{name}: no stage throttling (MethodSettings /* *, burst and rate)")
        if properties(api).get("TracingEnabled") is not True:
            violations.append(f"{name}: X-Ray tracing is off on the stage (TracingEnabled)")
    function_globals = document.get("Globals", {}).get("Function", {})
    for name, function in resources(document, "AWS::Serverless::Function").items():
        if properties(function).get("Tracing", function_globals.get("Tracing")) != "Active":
            violations.append(f"{name}: X-Ray tracing is not Active")
    return violations


def check_sqs_event_sources(document: Document) -> list[str]:
    """Partial batch failures, and a visibility timeout of 6 x the consumer's timeout."""
    violations = []
    template = Template(document)
    functions = template.functions()
    queues = resources(document, "AWS::SQS::Queue")
    for function, name, event in function_events(document, "SQS"):
        if "ReportBatchItemFailures" not in (event.get("FunctionResponseTypes") or []):
            violations.append(f"{function}.{name}: no ReportBatchItemFailures")
        queue = target(event.get("Queue"))
        if queue not in queues:
            violations.append(f"{function}.{name}: its queue is not an AWS::SQS::Queue here")
            continue
        visibility = int(properties(queues[queue]).get("VisibilityTimeout", 30))
        needed = VISIBILITY_TIMEOUT_FACTOR * functions[function].timeout
        if visibility < needed:
            violations.append(
                f"{queue}: VisibilityTimeout {visibility} s is under {VISIBILITY_TIMEOUT_FACTOR}"
                f" x the {functions[function].timeout} s timeout of {function} ({needed} s)"
            )
    return violations


def check_queues(document: Document) -> list[str]:
    """Encrypted; a dead-letter queue after >= 5 receives unless the queue is one; DLQ alarms."""
    violations = []
    queues = resources(document, "AWS::SQS::Queue")
    dlqs = dead_letter_queues(document)
    watched = {
        target(dimension(alarm, "QueueName"))
        for alarm in alarms(document).values()
        if alarm.get("Namespace") == "AWS/SQS"
        and alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    }
    for name, queue in queues.items():
        props = properties(queue)
        if props.get("SqsManagedSseEnabled") is not True and not props.get("KmsMasterKeyId"):
            violations.append(f"{name}: not encrypted (SqsManagedSseEnabled or KmsMasterKeyId)")
        if name in dlqs:
            if name not in watched:
                violations.append(f"{name}: a dead-letter queue with no alarm on its depth")
            continue
        redrive = props.get("RedrivePolicy")
        if not redrive:
            violations.append(f"{name}: no dead-letter queue (RedrivePolicy)")
            continue
        if target(redrive.get("deadLetterTargetArn")) not in queues:
            violations.append(f"{name}: RedrivePolicy names no queue of this template")
        if int(redrive.get("maxReceiveCount", 0)) < MIN_MAX_RECEIVE_COUNT:
            violations.append(f"{name}: maxReceiveCount under {MIN_MAX_RECEIVE_COUNT}")
    return violations


def check_tables(document: Document) -> list[str]:
    """Point-in-time recovery, TTL, and encryption with a customer-managed key of the template."""
    violations = []
    keys = resources(document, "AWS::KMS::Key")
    for name, table in resources(document, "AWS::DynamoDB::Table").items():
        props = properties(table)
        pitr = props.get("PointInTimeRecoverySpecification") or {}
        if pitr.get("PointInTimeRecoveryEnabled") is not True:
            violations.append(f"{name}: point-in-time recovery is off")
        ttl = props.get("TimeToLiveSpecification") or {}
        if ttl.get("Enabled") is not True or not ttl.get("AttributeName"):
            violations.append(f"{name}: no TTL")
        sse = props.get("SSESpecification") or {}
        if (
            sse.get("SSEEnabled") is not True
            or sse.get("SSEType") != "KMS"
            or target(sse.get("KMSMasterKeyId")) not in keys
        ):
            violations.append(f"{name}: not encrypted with a customer-managed key of the template")
    for name, key in keys.items():
        if properties(key).get("EnableKeyRotation") is not True:
            violations.append(f"{name}: key rotation is off")
    return violations


def check_log_groups(document: Document) -> list[str]:
    """Every function logs to a log group of the template that has a retention."""
    violations = []
    groups = resources(document, "AWS::Logs::LogGroup")
    for name, group in groups.items():
        if not properties(group).get("RetentionInDays"):
            violations.append(f"{name}: no RetentionInDays (logs kept forever)")
    for name, function in resources(document, "AWS::Serverless::Function").items():
        logging = properties(function).get("LoggingConfig") or {}
        if target(logging.get("LogGroup")) not in groups:
            violations.append(f"{name}: LoggingConfig.LogGroup names no log group of the template")
    return violations


POLICY_DOCUMENT_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
)


def policy_statements(document: Document) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    """(where, is a key policy, statement) of every policy document the template writes."""
    for name, resource in document.get("Resources", {}).items():
        props = properties(resource)
        documents: list[tuple[str, Any]] = []
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function":
            for index, policy in enumerate(as_list(props.get("Policies"))):
                documents.append((f"Policies[{index}]", policy))
        elif kind == "AWS::IAM::Role":
            documents.append(("AssumeRolePolicyDocument", props.get("AssumeRolePolicyDocument")))
            for policy in as_list(props.get("Policies")):
                documents.append((str(policy.get("PolicyName")), policy.get("PolicyDocument")))
        elif kind in POLICY_DOCUMENT_TYPES:
            documents.append(("PolicyDocument", props.get("PolicyDocument")))
        elif kind == "AWS::KMS::Key":
            documents.append(("KeyPolicy", props.get("KeyPolicy")))
        for where, policy in documents:
            # A managed policy's name or a SAM policy template hides its statements.
            readable = isinstance(policy, dict) and "Statement" in policy
            statements = as_list(policy["Statement"]) if readable else [{"Unreadable": policy}]
            for statement in statements:
                yield f"{name}.{where}", kind == "AWS::KMS::Key", statement


def check_iam_statements(document: Document) -> list[str]:
    """No ``*`` action or principal; Resource ``*`` only in key policies, or for the actions
    of STAR_RESOURCE_ACTIONS."""
    violations = []
    for where, key_policy, statement in policy_statements(document):
        if "Unreadable" in statement:
            violations.append(
                f"{where}: not an inline policy document ({statement['Unreadable']!r}); write "
                "its statements, so that these checks can read them"
            )
            continue
        if "NotAction" in statement or "NotResource" in statement:
            violations.append(f"{where}: NotAction/NotResource grants everything but a list")
        actions = [str(action) for action in as_list(statement.get("Action"))]
        for action in actions:
            if "*" in action:
                violations.append(f"{where}: action {action!r} has a wildcard")
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*" or "*" in as_list((principal or {}).get("AWS")):
            violations.append(f"{where}: allows any principal ('*')")
        if key_policy:
            continue  # in a key policy, Resource "*" is the key itself
        if "*" in as_list(statement.get("Resource")):
            too_wide = sorted(set(actions) - STAR_RESOURCE_ACTIONS.keys())
            if too_wide:
                violations.append(f"{where}: Resource '*' for {too_wide}, which can be narrowed")
    own_policies = resources(document, "AWS::IAM::ManagedPolicy")
    for name, resource in document.get("Resources", {}).items():
        for arn in as_list(properties(resource).get("ManagedPolicyArns")):
            if target(arn) in own_policies:
                continue  # a policy of this template: its statements are checked above
            text = arn.value if isinstance(arn, Tag) else str(arn)
            if str(text).rsplit("/", 1)[-1] not in MANAGED_POLICIES:
                violations.append(f"{name}: managed policy {text} is not in MANAGED_POLICIES")
    return violations


def check_function_roles(document: Document) -> list[str]:
    """Every function runs with a role of this template: SAM gives a function without ``Role``
    AWS managed policies (AWSLambdaBasicExecutionRole, AWSXrayWriteOnlyAccess,
    AWSLambdaSQSQueueExecutionRole) whose statements allow their actions on every resource."""
    violations = []
    roles = resources(document, "AWS::IAM::Role")
    for name, function in resources(document, "AWS::Serverless::Function").items():
        props = properties(function)
        role = props.get("Role")
        if "Policies" in props or role is None:
            violations.append(f"{name}: no Role of its own (SAM would attach managed policies)")
            continue
        if target(role) not in roles:
            violations.append(f"{name}: its Role is not a role of this template")
    return violations


def check_failed_invocations_are_kept_or_redone(document: Document) -> list[str]:
    """Every function is invoked by events of FAILED_INVOCATIONS or by an operator; nothing
    else invokes one (asynchronously, where a failure would be lost without a DLQ)."""
    violations = []
    for function, resource in resources(document, "AWS::Serverless::Function").items():
        for name, event in (properties(resource).get("Events") or {}).items():
            kind = event.get("Type")
            if kind not in FAILED_INVOCATIONS:
                violations.append(
                    f"{function}.{name}: a {kind} event, whose failed invocations nothing keeps"
                    " (add an on-failure destination, or say in FAILED_INVOCATIONS why none is)"
                )
    for kind in HIDDEN_INVOKERS:
        for name in resources(document, kind):
            violations.append(
                f"{name}: a {kind} written by hand; write it as an event of its function"
            )
    return violations


def check_alarms(document: Document) -> list[str]:
    """Errors of every function, SES reputation; every alarm notifies AlarmTopic."""
    violations = []
    found = alarms(document)
    for name, alarm in found.items():
        if ALARM_TOPIC not in {target(action) for action in as_list(alarm.get("AlarmActions"))}:
            violations.append(f"{name}: does not notify {ALARM_TOPIC}")
    errors_watched = {
        target(dimension(alarm, "FunctionName"))
        for alarm in found.values()
        if alarm.get("Namespace") == "AWS/Lambda" and alarm.get("MetricName") == "Errors"
    }
    for name in resources(document, "AWS::Serverless::Function"):
        if name not in errors_watched:
            violations.append(f"{name}: no alarm on its Errors")
    for metric, ceiling in (
        ("Reputation.BounceRate", MAX_BOUNCE_RATE_THRESHOLD),
        ("Reputation.ComplaintRate", MAX_COMPLAINT_RATE_THRESHOLD),
    ):
        if not any(
            alarm.get("Namespace") == "AWS/SES"
            and alarm.get("MetricName") == metric
            and 0 < float(alarm.get("Threshold", 0)) <= ceiling
            and alarm.get("ComparisonOperator") == "GreaterThanOrEqualToThreshold"
            for alarm in found.values()
        ):
            violations.append(f"no alarm on AWS/SES {metric} at {ceiling} or less")
    for name, configuration in resources(document, "AWS::SES::ConfigurationSet").items():
        reputation = properties(configuration).get("ReputationOptions") or {}
        if reputation.get("ReputationMetricsEnabled") is not True:
            violations.append(f"{name}: ReputationMetricsEnabled is off")
    return violations


CHECKS: list[Check] = [
    check_routes_are_authorized,
    check_stage_throttling_and_tracing,
    check_sqs_event_sources,
    check_queues,
    check_tables,
    check_log_groups,
    check_iam_statements,
    check_function_roles,
    check_failed_invocations_are_kept_or_redone,
    check_alarms,
]


def violations(document: Document) -> list[str]:
    return [found for check in CHECKS for found in check(document)]


# --- template.yaml holds them ----------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> Document:
    return load()


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_template_holds(check: Check, document: Document) -> None:
    assert check(document) == []


def test_the_checks_see_what_they_check(document: Document) -> None:
    # Given the template, then the checks have something to look at (a check over nothing
    # would pass forever).
    assert len(list(function_events(document, "Api"))) > len(PUBLIC_ROUTES)
    assert len(list(function_events(document, "SQS"))) >= 3
    assert len(dead_letter_queues(document)) >= 3
    assert len(resources(document, "AWS::DynamoDB::Table")) >= 2
    assert len(list(policy_statements(document))) >= 10
    assert len(resources(document, "AWS::IAM::ManagedPolicy")) >= 1


# --- ... and notice when it breaks ------------------------------------------------------------


def _event(document: Document, function: str, event: str) -> dict[str, Any]:
    found: dict[str, Any] = document["Resources"][function]["Properties"]["Events"][event]
    return found


def open_an_owner_route(document: Document) -> None:
    _event(document, "ApiFunction", "CreatePetition")["Properties"]["Auth"] = {"Authorizer": "NONE"}


def drop_a_dead_letter_queue(document: Document) -> None:
    del document["Resources"]["PublishQueue"]["Properties"]["RedrivePolicy"]


def grant_a_star_action(document: Document) -> None:
    statements = _statements(document, "SweeperFunction")
    statements.append(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": Tag("GetAtt", ["Table", "Arn"])}
    )


def grant_everything_on_star(document: Document) -> None:
    statements = _statements(document, "ApiFunction")
    statements.append({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"})


def grant_a_star_action_to_every_function(document: Document) -> None:
    policy = document["Resources"]["FunctionBaselinePolicy"]["Properties"]["PolicyDocument"]
    policy["Statement"].append({"Effect": "Allow", "Action": "xray:*", "Resource": "*"})


def attach_an_aws_managed_policy(document: Document) -> None:
    role = document["Resources"]["ApiFunctionRole"]["Properties"]
    role["ManagedPolicyArns"].append("arn:aws:iam::aws:policy/AdministratorAccess")


def invoke_on_an_sns_event(document: Document) -> None:
    events = document["Resources"]["SweeperFunction"]["Properties"]["Events"]
    events["Alerts"] = {"Type": "SNS", "Properties": {"Topic": Tag("Ref", "AlarmTopic")}}


def invoke_from_a_rule_written_by_hand(document: Document) -> None:
    document["Resources"]["NightlyRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "ScheduleExpression": "rate(1 day)",
            "Targets": [{"Id": "sweep", "Arn": Tag("GetAtt", ["SweeperFunction", "Arn"])}],
        },
    }


def shorten_a_visibility_timeout(document: Document) -> None:
    document["Resources"]["DeliveryQueue"]["Properties"]["VisibilityTimeout"] = 120


def stop_reporting_batch_failures(document: Document) -> None:
    _event(document, "DeliverFunction", "DeliveryQueue")["Properties"].pop("FunctionResponseTypes")


def encrypt_a_table_with_an_aws_key(document: Document) -> None:
    document["Resources"]["Table"]["Properties"]["SSESpecification"] = {"SSEEnabled": True}


def turn_off_pitr(document: Document) -> None:
    table = document["Resources"]["IdempotencyTable"]["Properties"]
    table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] = False


def keep_logs_forever(document: Document) -> None:
    del document["Resources"]["FanoutFunctionLogGroup"]["Properties"]["RetentionInDays"]


def drop_an_errors_alarm(document: Document) -> None:
    del document["Resources"]["SesEventsFunctionErrorsAlarm"]


def drop_a_dead_letter_alarm(document: Document) -> None:
    del document["Resources"]["DeliveryDeadLetterAlarm"]


def lift_the_stage_throttling(document: Document) -> None:
    document["Resources"]["Api"]["Properties"]["MethodSettings"] = []


def raise_the_bounce_alarm(document: Document) -> None:
    document["Resources"]["SesBounceRateAlarm"]["Properties"]["Threshold"] = 0.05


def open_the_events_topic_to_anyone(document: Document) -> None:
    policy = document["Resources"]["SesEventsTopicPolicy"]["Properties"]["PolicyDocument"]
    policy["Statement"][0]["Principal"] = "*"


def use_a_policy_template(document: Document) -> None:
    function = document["Resources"]["FanoutFunction"]["Properties"]
    del function["Role"]
    function["Policies"] = [{"DynamoDBCrudPolicy": {"TableName": Tag("Ref", "Table")}}]


def _statements(document: Document, function: str) -> list[dict[str, Any]]:
    """The statements of a function's own role."""
    policies = document["Resources"][f"{function}Role"]["Properties"]["Policies"]
    statements: list[dict[str, Any]] = policies[0]["PolicyDocument"]["Statement"]
    return statements


MUTATIONS: list[tuple[Callable[[Document], None], str]] = [
    (open_an_owner_route, "ApiFunction.CreatePetition POST /petitions: an owner route without"),
    (drop_a_dead_letter_queue, "PublishQueue: no dead-letter queue"),
    (grant_a_star_action, "action 'dynamodb:*' has a wildcard"),
    (grant_everything_on_star, "Resource '*' for ['sqs:SendMessage']"),
    (
        grant_a_star_action_to_every_function,
        "FunctionBaselinePolicy.PolicyDocument: action 'xray:*'",
    ),
    (attach_an_aws_managed_policy, "ApiFunctionRole: managed policy arn:aws:iam::aws:policy/Admin"),
    (invoke_on_an_sns_event, "SweeperFunction.Alerts: a SNS event, whose failed invocations"),
    (invoke_from_a_rule_written_by_hand, "NightlyRule: a AWS::Events::Rule written by hand"),
    (shorten_a_visibility_timeout, "DeliveryQueue: VisibilityTimeout 120 s is under 6 x"),
    (stop_reporting_batch_failures, "DeliverFunction.DeliveryQueue: no ReportBatchItemFailures"),
    (encrypt_a_table_with_an_aws_key, "Table: not encrypted with a customer-managed key"),
    (turn_off_pitr, "IdempotencyTable: point-in-time recovery is off"),
    (keep_logs_forever, "FanoutFunctionLogGroup: no RetentionInDays"),
    (drop_an_errors_alarm, "SesEventsFunction: no alarm on its Errors"),
    (drop_a_dead_letter_alarm, "DeliveryDeadLetterQueue: a dead-letter queue with no alarm"),
    (lift_the_stage_throttling, "Api: no stage throttling"),
    (raise_the_bounce_alarm, "no alarm on AWS/SES Reputation.BounceRate"),
    (use_a_policy_template, "FanoutFunction: no Role of its own"),
    (open_the_events_topic_to_anyone, "SesEventsTopicPolicy.PolicyDocument: allows any principal"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), MUTATIONS, ids=[mutate.__name__ for mutate, _ in MUTATIONS]
)
def test_a_broken_copy_is_caught(
    mutate: Callable[[Document], None], expected: str, document: Document
) -> None:
    # Given a copy of the template, broken in one way
    broken = copy.deepcopy(document)
    mutate(broken)

    # When every check runs on it
    found = violations(broken)

    # Then exactly that is reported, and the template itself is untouched
    assert any(expected in violation for violation in found), found
    assert violations(document) == []


def test_a_public_route_left_in_the_allow_list_is_reported(document: Document) -> None:
    # Given a copy whose unsubscribe page needs the authorizer after all
    broken = copy.deepcopy(document)
    del _event(broken, "ApiFunction", "UnsubscribePage")["Properties"]["Auth"]

    # Then the allow-list no longer matches the template, and that is said
    assert check_routes_are_authorized(broken) == [
        "ApiFunction.UnsubscribePage GET /unsubscribe/{token}: listed as public but has "
        "authorizer CognitoAuthorizer"
    ]


def test_the_signing_routes_have_their_own_throttle_and_name_real_routes(
    document: Document,
) -> None:
    """A petition that goes viral signs far faster than the stage's default allows: the two
    signing routes have their own limits. A MethodSettings path that names no route (a typo
    in its "~1" escapes) is silently ignored by API Gateway, so each must be a route."""
    (api,) = resources(document, "AWS::Serverless::Api").values()
    routes = {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for function in resources(document, "AWS::Serverless::Function").values()
        for event in (properties(function).get("Events") or {}).values()
        if event.get("Type") == "Api"
    }
    own = {
        (setting["HttpMethod"], setting["ResourcePath"].replace("~1", "/")[1:]): setting
        for setting in properties(api)["MethodSettings"]
        if setting["ResourcePath"] != "/*"
    }

    signing = {("POST", "/petitions/{petition_id}/signatures"), ("POST", "/p/{petition_id}")}
    assert set(own) == signing
    assert set(own) <= routes
    for setting in own.values():
        assert target(setting["ThrottlingRateLimit"]) == "SigningRateLimit"
        assert target(setting["ThrottlingBurstLimit"]) == "SigningBurstLimit"
    assert number(document, Tag("Ref", "SigningRateLimit")) >= 2000
