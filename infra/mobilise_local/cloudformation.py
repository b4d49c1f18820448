"""``template.yaml`` as plain CloudFormation, translated offline and deployed into moto.

The steps are those of ``sam package`` and ``sam deploy``, with no AWS account:

1. :func:`sam_document` reads the SAM template with its intrinsic functions in
   their long form (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``), as the
   translator wants them.
2. :func:`package` zips each ``CodeUri``/``ContentUri`` folder into a bucket of
   moto's S3 and puts its ``s3://`` address in its place.
3. :func:`translate` runs ``aws-sam-translator`` (the library behind the
   ``AWS::Serverless`` transform) on it, with no IAM call.
4. :func:`deploy` creates the result as a stack of moto's CloudFormation, less
   the resource types moto's CloudFormation cannot create (:data:`UNDEPLOYABLE`,
   each with its reason). A reference to a dropped resource becomes a visible
   :func:`placeholder`, never a silent hole (moto leaves a property out when its
   ``Ref`` names a resource it did not create).

Steps 2 and 4 need moto to be started (``moto.mock_aws``).
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from samtranslator.metrics.metrics import (  # type: ignore[import-untyped, unused-ignore]
    DummyMetricsPublisher,
    Metrics,
)
from samtranslator.parser.parser import Parser  # type: ignore[import-untyped, unused-ignore]
from samtranslator.translator.translator import (  # type: ignore[import-untyped, unused-ignore]
    Translator,
)
from samtranslator.utils.py27hash_fix import (  # type: ignore[import-untyped, unused-ignore]
    to_py27_compatible_template,
    undo_mark_unicode_str_in_template,
)

from mobilise_local.template import ROOT, TEMPLATE, Tag, load

NO_MODEL = "no CloudFormation model in moto"

#: Resource types of the translated template that moto's CloudFormation cannot create,
#: and why. :func:`deploy` drops them (and only them); a type that is neither here nor
#: known to moto stops the deployment, so this list cannot go stale unnoticed.
UNDEPLOYABLE: dict[str, str] = {
    "AWS::ApiGateway::RestApi": (
        "moto's RestApi reads only Name (which SAM leaves unset) and ignores Body, the "
        "OpenAPI document that carries every route: the routes are checked on Body instead"
    ),
    "AWS::ApiGateway::Deployment": "deploys the RestApi, which is dropped",
    "AWS::ApiGateway::Account": NO_MODEL,
    "AWS::IAM::ManagedPolicy": (
        "moto checks the document of a managed policy (not of a role's inline policy), and the "
        "placeholder of a dropped resource is no ARN: ReadSigningSecretPolicy names SigningSecret"
    ),
    "AWS::ApiGateway::Stage": NO_MODEL,
    "AWS::CloudWatch::Alarm": NO_MODEL,
    "AWS::Cognito::UserPool": NO_MODEL,
    "AWS::Cognito::UserPoolClient": NO_MODEL,
    "AWS::SecretsManager::Secret": NO_MODEL,
    "AWS::SES::ConfigurationSet": NO_MODEL,
    "AWS::SES::ConfigurationSetEventDestination": NO_MODEL,
    "AWS::SNS::Subscription": NO_MODEL,
    "AWS::SNS::TopicPolicy": NO_MODEL,
    "AWS::SQS::QueuePolicy": NO_MODEL,
    "AWS::S3::BucketPolicy": NO_MODEL,
    "AWS::CloudFront::Distribution": NO_MODEL,
    "AWS::CloudFront::OriginAccessControl": NO_MODEL,
    "AWS::CloudFront::CachePolicy": NO_MODEL,
    "AWS::CloudFront::Function": NO_MODEL,
    "AWS::CloudFront::ResponseHeadersPolicy": NO_MODEL,
    "AWS::Cognito::UserPoolDomain": NO_MODEL,
    "AWS::Cognito::ManagedLoginBranding": NO_MODEL,
}

ARTIFACTS_BUCKET = "mobilise-sam-artifacts"
_CODE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


def long_form(value: Any) -> Any:
    """A template value with its short-form tags (``!Ref``, ``!Sub``, ...) in long form."""
    if isinstance(value, Tag):
        if value.name == "Ref":
            return {"Ref": value.value}
        return {f"Fn::{value.name}": long_form(value.value)}
    if isinstance(value, dict):
        return {key: long_form(item) for key, item in value.items()}
    if isinstance(value, list):
        return [long_form(item) for item in value]
    return value


def sam_document(path: Path = TEMPLATE) -> dict[str, Any]:
    """The SAM template as the translator reads it (long-form intrinsic functions)."""
    document: dict[str, Any] = long_form(load(path))
    return document


def package(document: dict[str, Any], bucket: str = ARTIFACTS_BUCKET) -> dict[str, Any]:
    """A copy whose local code folders are zipped into moto's S3, as ``sam package`` does."""
    packaged = copy.deepcopy(document)
    s3 = boto3.client("s3")
    if bucket not in {found["Name"] for found in s3.list_buckets().get("Buckets", [])}:
        region = s3.meta.region_name
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
    for name, resource in packaged["Resources"].items():
        key = _CODE_PROPERTIES.get(resource["Type"])
        if key is None:
            continue
        folder = resource["Properties"][key]
        if not isinstance(folder, str) or folder.startswith("s3://"):
            continue
        s3.put_object(Bucket=bucket, Key=f"{name}.zip", Body=_zip(ROOT / folder))
        resource["Properties"][key] = f"s3://{bucket}/{name}.zip"
    return packaged


def _zip(folder: Path) -> bytes:
    if not folder.is_dir():
        raise FileNotFoundError(f"no code folder at {folder}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def translate(document: dict[str, Any], parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain CloudFormation template that the ``AWS::Serverless`` transform makes of it.

    The steps of ``samtranslator.translator.transform.transform``, with no IAM call (an AWS
    managed policy named by name is found in the translator's bundled map, or left as it is)
    and the translator's metrics published (to nowhere) rather than left to warn on stderr.
    """
    sam = copy.deepcopy(document)
    values: dict[str, Any] = dict(parameters or {})
    to_py27_compatible_template(sam, values)  # the hashes of generated ids, as in `sam deploy`
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(None, Parser(), metrics=metrics)
    translated = translator.translate(sam, parameter_values=values, get_managed_policy_map=dict)
    metrics.publish()
    result: dict[str, Any] = undo_mark_unicode_str_in_template(translated)
    return result


def placeholder(resource_type: str, logical_id: str, attribute: str | None = None) -> str:
    """What a reference to a dropped resource becomes in the deployed template."""
    suffix = f".{attribute}" if attribute else ""
    return f"<not deployed: {resource_type} {logical_id}{suffix}>"


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<not deployed: ")


def deployable(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The template less the resources of :data:`UNDEPLOYABLE` types, and those dropped."""
    kept = copy.deepcopy(template)
    dropped = {
        name: resource["Type"]
        for name, resource in template["Resources"].items()
        if resource["Type"] in UNDEPLOYABLE
    }
    for name in dropped:
        del kept["Resources"][name]
    for resource in kept["Resources"].values():
        depends = resource.get("DependsOn")
        if isinstance(depends, str):
            depends = [depends]
        if depends is not None:
            resource["DependsOn"] = [name for name in depends if name not in dropped]
    kept["Resources"] = _replace_references(kept["Resources"], dropped)
    kept["Outputs"] = {
        name: output
        for name, output in _replace_references(kept.get("Outputs", {}), dropped).items()
        if not is_placeholder(output.get("Value"))
    }
    return kept, dropped


def _replace_references(value: Any, dropped: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in dropped:
            return placeholder(dropped[value["Ref"]], value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = _get_att(value["Fn::GetAtt"])
            if logical_id in dropped:
                return placeholder(dropped[logical_id], logical_id, attribute)
        if set(value) == {"Fn::Sub"}:
            return {"Fn::Sub": _replace_in_sub(value["Fn::Sub"], dropped)}
        return {key: _replace_references(item, dropped) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_references(item, dropped) for item in value]
    return value


def _get_att(value: Any) -> tuple[str, str]:
    if isinstance(value, str):
        logical_id, attribute = value.split(".", 1)
        return logical_id, attribute
    return str(value[0]), str(value[1])


def _replace_in_sub(value: Any, dropped: dict[str, str]) -> Any:
    def substitute(found: re.Match[str]) -> str:
        logical_id, _, attribute = found.group(1).partition(".")
        if logical_id not in dropped:
            return found.group(0)
        return placeholder(dropped[logical_id], logical_id, attribute or None)

    if isinstance(value, str):
        return re.sub(r"\$\{([^}!]+)\}", substitute, value)
    text, variables = value
    return [re.sub(r"\$\{([^}!]+)\}", substitute, text), _replace_references(variables, dropped)]


@dataclass(frozen=True)
class Deployed:
    """A stack of moto's CloudFormation made from a translated template."""

    stack_name: str
    translated: dict[str, Any]  # the whole CloudFormation template, as translated
    template: dict[str, Any]  # what was created: the translated template less `dropped`
    parameters: dict[str, str]  # every parameter's value (defaults included)
    physical_ids: dict[str, str]  # logical id -> physical id, of what moto created with one
    types: dict[str, str]  # logical id -> resource type, of what moto created
    dropped: dict[str, str]  # logical id -> resource type, of what was not deployed

    def of_type(self, resource_type: str) -> dict[str, str]:
        """Logical id -> physical id of the created resources of one type."""
        return {
            name: self.physical_ids[name]
            for name, kind in self.types.items()
            if kind == resource_type and name in self.physical_ids
        }


def deploy(
    template: dict[str, Any],
    parameters: dict[str, str] | None = None,
    stack_name: str = "mobilise",
) -> Deployed:
    """Create the template, less :data:`UNDEPLOYABLE` types, as a stack of moto's CloudFormation."""
    from moto.cloudformation.parsing import get_model_map

    unknown = {
        resource["Type"]
        for resource in template["Resources"].values()
        if resource["Type"] not in UNDEPLOYABLE and resource["Type"] not in get_model_map()
    }
    if unknown:
        raise ValueError(
            f"moto's CloudFormation cannot create {sorted(unknown)}: say why in UNDEPLOYABLE"
        )
    kept, dropped = deployable(template)
    values = {
        **{
            name: str(spec["Default"])
            for name, spec in kept.get("Parameters", {}).items()
            if "Default" in spec
        },
        **(parameters or {}),
    }
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(kept),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name}: {status}")
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    return Deployed(
        stack_name=stack_name,
        translated=template,
        template=kept,
        parameters=values,
        physical_ids={
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in resources
            if "PhysicalResourceId" in r  # moto gives none to a Lambda permission or layer
        },
        types={r["LogicalResourceId"]: r["ResourceType"] for r in resources},
        dropped=dropped,
    )
