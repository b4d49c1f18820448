"""What template.yaml must keep true of the photos: a private bucket, TLS only, uploads that
expire, CloudFront reading published photos only, and an API function that can do no more
than presign, check and publish."""

from __future__ import annotations

from typing import Any

import pytest

from mobilise_local.template import Tag, load

Document = dict[str, Any]


@pytest.fixture(scope="module")
def document() -> Document:
    return load()


def _properties(document: Document, name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["Resources"][name]["Properties"]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_bucket_is_private_and_keeps_uploads_one_day(document: Document) -> None:
    bucket = _properties(document, "PhotosBucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    expiring = [
        rule
        for rule in bucket["LifecycleConfiguration"]["Rules"]
        if rule.get("Prefix") == "uploads/" and rule["Status"] == "Enabled"
    ]
    assert [rule["ExpirationInDays"] for rule in expiring] == [1]
    assert "VersioningConfiguration" not in bucket  # or expired uploads would linger


def test_browsers_may_post_uploads_from_the_site_only(document: Document) -> None:
    (rule,) = _properties(document, "PhotosBucket")["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert "*" not in rule["AllowedOrigins"]
    assert len(rule["AllowedOrigins"]) == 1


def test_the_bucket_policy_refuses_plain_http_and_lets_cloudfront_read_photos_only(
    document: Document,
) -> None:
    policy = _properties(document, "PhotosBucketPolicy")
    assert policy["Bucket"] == Tag("Ref", "PhotosBucket")
    statements = policy["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*"
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert len(deny["Resource"]) == 2  # the bucket and every object
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    (allow,) = allows
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == Tag("Sub", "${PhotosBucket.Arn}/photos/*")
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert "${PhotosDistribution}" in source.value


def test_the_distribution_serves_https_only_through_its_origin_access_control(
    document: Document,
) -> None:
    config = _properties(document, "PhotosDistribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == Tag("GetAtt", ["PhotosOriginAccessControl", "Id"])
    assert origin["DomainName"] == Tag("GetAtt", ["PhotosBucket", "RegionalDomainName"])
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    control = _properties(document, "PhotosOriginAccessControl")["OriginAccessControlConfig"]
    assert control["SigningBehavior"] == "always"


def _s3_statements(document: Document) -> dict[str, list[tuple[str, Any]]]:
    """Function -> (action, resource) of every statement of its role that names an S3 action."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for name, resource in document["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        role = document["Resources"][resource["Properties"]["Role"].value[0]]
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                for action in _as_list(statement["Action"]):
                    if action.startswith("s3:"):
                        for target in _as_list(statement["Resource"]):
                            found.setdefault(name, []).append((action, target))
    return found


def test_only_the_api_function_touches_the_bucket_and_only_as_it_must(document: Document) -> None:
    assert _s3_statements(document) == {
        "ApiFunction": [
            ("s3:PutObject", Tag("Sub", "${PhotosBucket.Arn}/uploads/*")),
            ("s3:GetObject", Tag("Sub", "${PhotosBucket.Arn}/uploads/*")),
            ("s3:PutObject", Tag("Sub", "${PhotosBucket.Arn}/photos/*")),
        ]
    }


def test_the_api_function_knows_the_bucket_and_every_function_where_photos_are_served(
    document: Document,
) -> None:
    # The bucket: the API only (uploads, checks); where photos are served: every function
    # (the deliver function renders the emails that show them). The API function's SITE_URL
    # is the parameter itself: SiteDistribution, which fronts the API, cannot be named there.
    assert _properties(document, "ApiFunction")["Environment"]["Variables"] == {
        "PHOTOS_BUCKET": Tag("Ref", "PhotosBucket"),
        "SITE_URL": Tag("Ref", "SiteUrl"),
        "ORIGIN_SECRET_ARN": Tag("Ref", "OriginSecret"),
    }
    variables = document["Globals"]["Function"]["Environment"]["Variables"]
    condition, custom, default = variables["PHOTOS_BASE_URL"].value
    assert condition == "HasPhotosBaseUrl"
    assert custom == Tag("Ref", "PhotosBaseUrl")
    assert default == Tag("Sub", "https://${PhotosDistribution.DomainName}/")
    assert document["Outputs"]["PhotosBaseUrl"]["Value"] == variables["PHOTOS_BASE_URL"]
