"""Expand template.yaml from SAM to plain CloudFormation, offline, for checkov.

    .tools/sam/bin/python infra/translate_template.py [TEMPLATE] [OUT]

TEMPLATE defaults to template.yaml, OUT to .aws-sam/translated.json. It runs in the SAM CLI's
virtualenv (.tools/sam, see infra/sam.sh): the template is read by the SAM CLI's own parser and
expanded by the aws-sam-translator that `sam build` and `sam deploy` use, so checkov sees the
roles, permissions, event source mappings, stage and deployment that CloudFormation will.

Nothing talks to AWS: the region is fixed, and the managed-policy loader is a stub that fails
loudly if the template ever names a managed policy by its name (which would need IAM's list of
policies); policies given by ARN, inline statements and SAM's own roles need no lookup.

Each generated resource gets the Metadata of the SAM resource it comes from
(``passthrough_metadata``), so a checkov skip written next to a SAM resource applies to what SAM
makes of it (one written next to the API applies to its stage and deployment).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3

# The SAM CLI's virtualenv has these; the project's .venv (where mypy runs) may not, and
# neither package is typed.
from samcli.yamlhelper import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
    yaml_parse,
)
from samtranslator.model.exceptions import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
    InvalidDocumentException,
)
from samtranslator.parser.parser import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
    Parser,
)
from samtranslator.translator.translator import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
    Translator,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
OUT = ROOT / ".aws-sam" / "translated.json"

# Pseudo parameters of a made-up deployment; none of them is looked up.
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
STACK_NAME = "mobilise"


# Where SAM reads local code: `sam build` uploads it; the translator only accepts an S3 URI.
LOCAL_PATHS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
}


class OfflinePolicyLoader:
    """Stands in for ``ManagedPolicyLoader``, which asks IAM for the list of managed policies."""

    def load(self) -> dict[str, str]:
        raise RuntimeError(
            "the template names a managed policy by name: give its ARN instead "
            "(resolving a name needs IAM, and these checks never reach AWS)"
        )


def with_code_in_s3(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``template`` whose local code folders are S3 URIs, as `sam package` leaves them."""
    copy: dict[str, Any] = json.loads(json.dumps(template))
    for resource in copy.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        key = LOCAL_PATHS.get(resource.get("Type", ""))
        if key and isinstance(properties.get(key), str) and "://" not in properties[key]:
            properties[key] = f"s3://offline-translation/{properties[key]}"
    return copy


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation that SAM makes of ``template`` (which is left unchanged)."""
    session = boto3.session.Session(region_name=REGION)  # no credentials: no call is made
    translator = Translator(None, Parser(), boto_session=session)
    loader = OfflinePolicyLoader()
    translated: dict[str, Any] = translator.translate(
        with_code_in_s3(template),  # a copy: the translator edits its input
        parameter_values={
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": STACK_NAME,
            "AWS::Partition": "aws",
        },
        passthrough_metadata=True,
        get_managed_policy_map=loader.load,
    )
    return translated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("template", nargs="?", type=Path, default=TEMPLATE)
    parser.add_argument("out", nargs="?", type=Path, default=OUT)
    arguments = parser.parse_args(argv)

    template = yaml_parse(arguments.template.read_text())
    try:
        translated = translate(template)
    except InvalidDocumentException as error:
        causes = "".join(f"  - {cause.message}\n" for cause in error.causes)
        sys.stderr.write(f"{arguments.template}: {error.message}\n{causes}")
        return 1
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(translated, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
