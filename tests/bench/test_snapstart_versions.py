"""SnapStart applies to published versions: every event source must invoke the alias of a
version that the deploy published from the code it deploys, the common layer included (it
holds the package ``mobilise``). Read from SAM's own translation of template.yaml."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mobilise_local import cloudformation


def _translated(layer_uri: str, snap_start: str = "None") -> dict[str, Any]:
    """The translation as ``sam deploy`` makes it: the code already uploaded (``sam package``),
    the layer at ``layer_uri``."""
    document = copy.deepcopy(cloudformation.sam_document())
    for name, resource in document["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://artifacts/{name}.zip"
    document["Resources"]["CommonLayer"]["Properties"]["ContentUri"] = layer_uri
    resources: dict[str, Any] = cloudformation.translate(document, {"SnapStart": snap_start})[
        "Resources"
    ]
    return resources


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


def test_a_new_layer_publishes_a_new_version_of_every_function() -> None:
    before = _of_type(_translated("s3://artifacts/layer-1.zip"), "AWS::Lambda::Version")
    after = _of_type(_translated("s3://artifacts/layer-2.zip"), "AWS::Lambda::Version")

    functions = {version["Properties"]["FunctionName"]["Ref"] for version in before.values()}
    assert len(before) == len(after) == len(functions) == 9
    assert not set(before) & set(after)  # new logical ids: CloudFormation publishes them


def test_every_event_source_invokes_the_alias_and_snapstart_follows_the_parameter() -> None:
    resources = _translated("s3://artifacts/layer-1.zip", "PublishedVersions")
    aliases = _of_type(resources, "AWS::Lambda::Alias")

    assert {alias["Properties"]["Name"] for alias in aliases.values()} == {"live"}
    for mapping in _of_type(resources, "AWS::Lambda::EventSourceMapping").values():
        assert mapping["Properties"]["FunctionName"]["Ref"] in aliases
    for function in _of_type(resources, "AWS::Lambda::Function").values():
        assert function["Properties"]["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}


@pytest.mark.parametrize("value", ["None", "PublishedVersions"])
def test_the_snapstart_parameter_allows_both_values(value: str) -> None:
    parameter = cloudformation.sam_document()["Parameters"]["SnapStart"]

    assert value in parameter["AllowedValues"]
    assert parameter["Default"] == "None"
