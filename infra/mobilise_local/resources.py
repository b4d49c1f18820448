"""Create, in moto (or DynamoDB Local for the table), what ``template.yaml`` declares.

The physical names differ from AWS; everything else (keys, indexes, queue
attributes, redrive policies) is read from the template, so the local stack and
the tests cannot drift from what is deployed.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import boto3

from mobilise_local.template import Tag, Template

_TABLE_PROPERTIES = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
_QUEUE_ATTRIBUTES = ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")


@dataclass
class Stack:
    """What was created: the value of ``!Ref`` and ``!GetAtt`` for each logical id."""

    parameters: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)  # the template's Conditions

    def resolve(self, value: Any) -> str:
        """A template value (maybe ``!Ref``/``!GetAtt``/``!Sub``/``!If``...) as a string."""
        return str(self.evaluate(value))

    def evaluate(self, value: Any) -> Any:
        """A template value with its functions applied (``!Split`` gives a list)."""
        if not isinstance(value, Tag):
            return value
        if value.name == "Ref":
            if value.value in self.parameters:
                return self.parameters[value.value]
            return self.refs[value.value]
        if value.name == "GetAtt":
            logical, attribute = value.value
            return self.attributes[(logical, attribute)]
        if value.name == "Sub":
            text, variables = (value.value, {}) if isinstance(value.value, str) else value.value
            return re.sub(
                r"\$\{([^}]+)\}",
                lambda m: (
                    self.resolve(variables[m.group(1)])
                    if m.group(1) in variables
                    else self._sub(m.group(1))
                ),
                text,
            )
        if value.name == "If":
            name, then, otherwise = value.value
            return self.evaluate(then if self.condition(name) else otherwise)
        if value.name == "Join":
            separator, parts = value.value
            return separator.join(str(self.evaluate(part)) for part in parts)
        if value.name == "Split":
            separator, text = value.value
            return str(self.evaluate(text)).split(separator)
        if value.name == "Select":
            index, items = value.value
            return self.evaluate(items)[int(index)]
        raise ValueError(f"the local stack cannot resolve !{value.name}")

    def condition(self, name: str) -> bool:
        """The value of one of the template's Conditions."""
        return self._holds(self.conditions[name])

    def _holds(self, value: Any) -> bool:
        if not isinstance(value, Tag):
            raise ValueError(f"the local stack cannot evaluate the condition {value!r}")
        if value.name == "Condition":
            return self.condition(value.value)
        if value.name == "Equals":
            left, right = value.value
            return str(self.evaluate(left)) == str(self.evaluate(right))
        if value.name == "Not":
            return not self._holds(value.value[0])
        if value.name == "And":
            return all(self._holds(each) for each in value.value)
        if value.name == "Or":
            return any(self._holds(each) for each in value.value)
        raise ValueError(f"the local stack cannot evaluate !{value.name}")

    def _sub(self, name: str) -> str:
        if "." in name:
            logical, attribute = name.split(".", 1)
            return self.attributes[(logical, attribute)]
        return self.resolve(Tag("Ref", name))

    def environment(self, variables: dict[str, Any]) -> dict[str, str]:
        return {name: self.resolve(value) for name, value in variables.items()}


def table_arn(region: str, account: str, table: str) -> str:
    """A DynamoDB table's ARN (``!GetAtt Table.Arn``; IAM's resource for its requests)."""
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}"


def create(template: Template, parameters: dict[str, str], prefix: str = "mobilise") -> Stack:
    stack = Stack(
        parameters={
            **template.parameter_defaults(),
            "AWS::Region": boto3.session.Session().region_name or "eu-west-1",
            "AWS::AccountId": "123456789012",
            "AWS::Partition": "aws",
            "AWS::StackName": prefix,
            **parameters,
        },
        conditions=dict(template.document.get("Conditions", {})),
    )
    region, account = stack.parameters["AWS::Region"], stack.parameters["AWS::AccountId"]
    for name, resource in template.of_type("AWS::DynamoDB::Table").items():
        stack.refs[name] = create_table(f"{prefix}-{name}", resource["Properties"])
        stack.attributes[(name, "Arn")] = table_arn(region, account, stack.refs[name])
    _create_queues(template, stack, prefix)
    _create_topics(template, stack, prefix)
    _create_user_pool(template, stack, prefix)
    _create_secrets(template, stack, prefix)
    _create_email(template, stack)
    _create_buckets(template, stack, prefix)
    return stack


def create_table(table_name: str, properties: dict[str, Any]) -> str:
    """Create a table with the keys and indexes of a template's table; returns its name."""
    dynamodb = boto3.client("dynamodb")
    kwargs = {key: properties[key] for key in _TABLE_PROPERTIES if key in properties}
    dynamodb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST", **kwargs)
    dynamodb.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    return table_name


def _create_queues(template: Template, stack: Stack, prefix: str) -> None:
    sqs = boto3.client("sqs")
    queues = template.of_type("AWS::SQS::Queue")
    for name, resource in queues.items():
        properties = resource.get("Properties", {})
        attributes: dict[Any, str] = {
            k: str(properties[k]) for k in _QUEUE_ATTRIBUTES if k in properties
        }
        url = sqs.create_queue(QueueName=f"{prefix}-{name}", Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        stack.refs[name] = url
        stack.attributes[(name, "Arn")] = arn["QueueArn"]
        stack.attributes[(name, "QueueName")] = f"{prefix}-{name}"
    for name, resource in queues.items():
        redrive = resource.get("Properties", {}).get("RedrivePolicy")
        if redrive:
            policy = {
                "deadLetterTargetArn": stack.resolve(redrive["deadLetterTargetArn"]),
                "maxReceiveCount": int(redrive["maxReceiveCount"]),
            }
            sqs.set_queue_attributes(
                QueueUrl=stack.refs[name], Attributes={"RedrivePolicy": json.dumps(policy)}
            )


def _create_topics(template: Template, stack: Stack, prefix: str) -> None:
    sns = boto3.client("sns")
    for name in template.of_type("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=f"{prefix}-{name}")["TopicArn"]
        stack.refs[name] = arn
        stack.attributes[(name, "TopicArn")] = arn
    for resource in template.of_type("AWS::SNS::Subscription").values():
        properties = resource["Properties"]
        sns.subscribe(
            TopicArn=stack.resolve(properties["TopicArn"]),
            Protocol=properties["Protocol"],
            Endpoint=stack.resolve(properties["Endpoint"]),
        )


def _create_user_pool(template: Template, stack: Stack, prefix: str) -> None:
    cognito = boto3.client("cognito-idp")
    for name, resource in template.of_type("AWS::Cognito::UserPool").items():
        properties = resource.get("Properties", {})
        pool = cognito.create_user_pool(
            PoolName=f"{prefix}-{name}",
            UsernameAttributes=properties.get("UsernameAttributes", []),
            AutoVerifiedAttributes=properties.get("AutoVerifiedAttributes", []),
        )["UserPool"]
        stack.refs[name] = pool["Id"]
        stack.attributes[(name, "Arn")] = pool["Arn"]
    for name, resource in template.of_type("AWS::Cognito::UserPoolClient").items():
        properties = resource["Properties"]
        client = cognito.create_user_pool_client(
            UserPoolId=stack.resolve(properties["UserPoolId"]),
            ClientName=f"{prefix}-{name}",
            GenerateSecret=False,
            # The local stack mints tokens for named users (POST /_local/token) with
            # the admin password flow; the deployed client allows SRP only.
            ExplicitAuthFlows=[
                *properties.get("ExplicitAuthFlows", []),
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ],
            # A client without ReadAttributes reads them all, and Cognito's ID tokens carry
            # email and email_verified; moto's carry only the ones named here.
            ReadAttributes=properties.get("ReadAttributes", ["email", "email_verified"]),
        )["UserPoolClient"]
        stack.refs[name] = client["ClientId"]
    for name in template.of_type("AWS::Cognito::UserPoolDomain"):
        # The local stack is its own sign-in domain (mobilise_local.oauth); this is the name.
        stack.refs[name] = f"{prefix}-{name}".lower()


def _create_secrets(template: Template, stack: Stack, prefix: str) -> None:
    manager = boto3.client("secretsmanager")
    for name in template.of_type("AWS::SecretsManager::Secret"):
        arn = manager.create_secret(Name=f"{prefix}-{name}", SecretString=secrets.token_hex(32))
        stack.refs[name] = arn["ARN"]


def _create_email(template: Template, stack: Stack) -> None:
    boto3.client("ses").verify_domain_identity(Domain=stack.parameters["SenderIdentity"])
    sesv2 = boto3.client("sesv2")
    # Named as the template names it: the systems one emulator holds share it (locally it
    # holds nothing of theirs: SES's events reach each system through its own topic).
    existing = set(sesv2.list_configuration_sets().get("ConfigurationSets", []))
    for name in template.of_type("AWS::SES::ConfigurationSet"):
        if name not in existing:
            sesv2.create_configuration_set(ConfigurationSetName=name)
        stack.refs[name] = name


#: What ``!GetAtt PhotosDistribution.DomainName`` is locally (CloudFront's documented example):
#: the local stack serves photos itself, at ``/_local/photos/`` (``PhotosBaseUrl``).
LOCAL_DISTRIBUTION_DOMAIN = "d111111abcdef8.cloudfront.net"


def _create_buckets(template: Template, stack: Stack, prefix: str) -> None:
    """Each bucket with its lifecycle rules and CORS; CloudFront has no local twin, so a
    distribution only gets a domain name (photos are served by the local stack's server)."""
    s3 = boto3.client("s3")
    region = stack.parameters["AWS::Region"]
    for name, resource in template.of_type("AWS::S3::Bucket").items():
        properties = resource.get("Properties", {})
        bucket = f"{prefix}-{name}".lower()
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
        rules = properties.get("LifecycleConfiguration", {}).get("Rules", [])
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=bucket, LifecycleConfiguration={"Rules": [_lifecycle(r) for r in rules]}
            )
        cors = properties.get("CorsConfiguration", {}).get("CorsRules", [])
        if cors:
            s3.put_bucket_cors(
                Bucket=bucket,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedMethods": rule["AllowedMethods"],
                            "AllowedOrigins": [stack.resolve(o) for o in rule["AllowedOrigins"]],
                            "MaxAgeSeconds": int(rule.get("MaxAge", 0)),
                        }
                        for rule in cors
                    ]
                },
            )
        stack.refs[name] = bucket
        stack.attributes[(name, "Arn")] = f"arn:aws:s3:::{bucket}"
        stack.attributes[(name, "RegionalDomainName")] = f"{bucket}.s3.{region}.amazonaws.com"
    for name in template.of_type("AWS::CloudFront::Distribution"):
        stack.attributes[(name, "DomainName")] = LOCAL_DISTRIBUTION_DOMAIN


def _lifecycle(rule: dict[str, Any]) -> Any:
    """A lifecycle rule of the template in the shape of PutBucketLifecycleConfiguration."""
    converted: dict[str, Any] = {
        "ID": rule["Id"],
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        converted["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return converted
