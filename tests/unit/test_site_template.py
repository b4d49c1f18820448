"""What template.yaml must keep true of the site (issue 13): one distribution in front of the
API and the app's private bucket, with the contract's paths, caches and security headers, and
a sign-in client for the app (authorization code with PKCE, no secret)."""

from __future__ import annotations

import json
import subprocess
from typing import Any, cast

import pytest

from mobilise.api.common import ORIGIN_PROOF, VIEWER_ADDRESS
from mobilise_local.template import Tag, load

Document = dict[str, Any]
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SITE = Tag(
    "If",
    ["HasSiteUrl", Tag("Ref", "SiteUrl"), Tag("Sub", "https://${SiteDistribution.DomainName}")],
)


@pytest.fixture(scope="module")
def document() -> Document:
    return load()


def _properties(document: Document, name: str) -> dict[str, Any]:
    return cast(dict[str, Any], document["Resources"][name]["Properties"])


def _distribution(document: Document) -> dict[str, Any]:
    config: dict[str, Any] = _properties(document, "SiteDistribution")["DistributionConfig"]
    return config


def _behaviours(document: Document) -> dict[str, dict[str, Any]]:
    return {b["PathPattern"]: b for b in _distribution(document)["CacheBehaviors"]}


def _security(document: Document, policy: str) -> dict[str, Any]:
    config = _properties(document, policy)["ResponseHeadersPolicyConfig"]
    found: dict[str, Any] = config["SecurityHeadersConfig"]
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_api_is_the_default_behaviour_uncached_with_every_header_but_host(
    document: Document,
) -> None:
    config = _distribution(document)
    (api,) = [o for o in config["Origins"] if o["Id"] == "api"]
    assert api["DomainName"] == Tag("Sub", "${Api}.execute-api.${AWS::Region}.amazonaws.com")
    assert api["OriginPath"] == Tag("Sub", "/${Stage}")
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "api"
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # Authorization too
    assert set(default["AllowedMethods"]) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "POST",
        "DELETE",
    }
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"


def test_only_the_public_pages_and_their_static_files_are_cached(document: Document) -> None:
    behaviours = _behaviours(document)
    api_paths = {p for p, b in behaviours.items() if b["TargetOriginId"] == "api"}
    assert api_paths == {"/p/*", "/start", "/static/*"}
    assert behaviours["/p/*"]["CachePolicyId"] == Tag("Ref", "PagesCachePolicy")
    assert behaviours["/start"]["CachePolicyId"] == Tag("Ref", "PagesCachePolicy")
    assert behaviours["/static/*"]["CachePolicyId"] == Tag("Ref", "StaticCachePolicy")
    for path in api_paths:
        assert behaviours[path]["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    for policy in ("PagesCachePolicy", "StaticCachePolicy"):
        config = _properties(document, policy)["CachePolicyConfig"]
        # Nothing cached that the API function did not say to cache (Cache-Control)
        assert (config["MinTTL"], config["DefaultTTL"]) == (0, 0)
        keys = config["ParametersInCacheKeyAndForwardedToOrigin"]
        assert keys["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
        assert keys["CookiesConfig"] == {"CookieBehavior": "none"}
    pages = _properties(document, "PagesCachePolicy")["CachePolicyConfig"]
    headers = pages["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]
    # One copy per page and query: its language is the petition's or ?lang=, never a header
    assert headers == {"HeaderBehavior": "none"}


def test_the_app_is_read_from_its_private_bucket_through_origin_access_control(
    document: Document,
) -> None:
    config = _distribution(document)
    (app,) = [o for o in config["Origins"] if o["Id"] == "app"]
    assert app["DomainName"] == Tag("GetAtt", ["AppBucket", "RegionalDomainName"])
    assert app["OriginAccessControlId"] == Tag("GetAtt", ["AppOriginAccessControl", "Id"])
    assert app["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    behaviours = _behaviours(document)
    app_paths = [p for p, b in behaviours.items() if b["TargetOriginId"] == "app"]
    # CloudFront takes the first match: the preview frame before the rest of the app
    assert app_paths == ["/app/preview-frame.html", "/app/*", "/app"]
    for path in app_paths:
        assert behaviours[path]["AllowedMethods"] == ["GET", "HEAD"]
        assert behaviours[path]["CachePolicyId"] == CACHING_OPTIMIZED
    for path in ("/app/*", "/app"):
        assert behaviours[path]["ResponseHeadersPolicyId"] == Tag("Ref", "AppHeadersPolicy")
        assert behaviours[path]["FunctionAssociations"] == [
            {
                "EventType": "viewer-request",
                "FunctionARN": Tag("GetAtt", ["AppRoutesFunction", "FunctionMetadata.FunctionARN"]),
            }
        ]
    frame = behaviours["/app/preview-frame.html"]
    assert frame["ResponseHeadersPolicyId"] == Tag("Ref", "PreviewFrameHeadersPolicy")
    assert "CustomErrorResponses" not in config  # they would answer the API's 404s too


def test_the_bucket_is_private_versioned_and_readable_by_the_distribution_only(
    document: Document,
) -> None:
    bucket = _properties(document, "AppBucket")
    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption[0]["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    statements = _properties(document, "AppBucketPolicy")["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == Tag("Sub", "${AppBucket.Arn}/app/*")
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert source.value.endswith(":distribution/${SiteDistribution}")


def test_the_apps_policy_is_the_contracts(document: Document) -> None:
    security = _security(document, "AppHeadersPolicy")
    csp = security["ContentSecurityPolicy"]
    assert csp["Override"] is True
    text, variables = csp["ContentSecurityPolicy"].value
    assert _one_line(text) == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
        "${Photos}; connect-src 'self' ${Login} ${Uploads}; form-action 'self' ${Login}; "
        "frame-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    assert variables["Login"] == Tag(
        "Sub", "https://${LoginDomain}.auth.${AWS::Region}.amazoncognito.com"
    )
    assert variables["Photos"].value[0] == "HasPhotosBaseUrl"
    # the presigned POST's URL (core/aws.py: virtual-hosted, regional)
    assert variables["Uploads"] == Tag("Sub", "https://${PhotosBucket.RegionalDomainName}")
    assert security["StrictTransportSecurity"] == {
        "Override": True,
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
    }
    assert security["FrameOptions"] == {"Override": True, "FrameOption": "DENY"}
    assert security["ReferrerPolicy"] == {
        "Override": True,
        "ReferrerPolicy": "strict-origin-when-cross-origin",
    }
    assert security["ContentTypeOptions"] == {"Override": True}


def test_the_preview_frame_runs_no_script_of_the_email_and_only_the_app_frames_it(
    document: Document,
) -> None:
    security = _security(document, "PreviewFrameHeadersPolicy")
    assert _one_line(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
        "script-src 'self'; frame-ancestors 'self'"
    )
    assert security["FrameOptions"]["FrameOption"] == "SAMEORIGIN"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 63072000


def test_no_policy_allows_inline_scripts_and_only_the_frame_inline_styles(
    document: Document,
) -> None:
    policies = [
        name
        for name, resource in document["Resources"].items()
        if resource["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
    ]
    assert sorted(policies) == ["ApiHeadersPolicy", "AppHeadersPolicy", "PreviewFrameHeadersPolicy"]
    for name in policies:
        csp = _security(document, name).get("ContentSecurityPolicy")
        if csp is None:
            continue  # the API's pages send their own
        value = csp["ContentSecurityPolicy"]
        text = value if isinstance(value, str) else value.value[0]
        directives = dict(d.strip().split(" ", 1) for d in _one_line(text).split(";"))
        assert "unsafe-inline" not in directives.get("script-src", "")
        assert "unsafe-eval" not in text
        if name != "PreviewFrameHeadersPolicy":
            assert "unsafe-inline" not in text


def test_the_apis_answers_keep_their_own_headers_and_get_hsts(document: Document) -> None:
    security = _security(document, "ApiHeadersPolicy")
    assert set(security) == {"StrictTransportSecurity", "ContentTypeOptions"}
    for behaviour in [
        _distribution(document)["DefaultCacheBehavior"],
        *_behaviours(document).values(),
    ]:
        if behaviour["TargetOriginId"] == "api":
            assert behaviour["ResponseHeadersPolicyId"] == Tag("Ref", "ApiHeadersPolicy")


ROUTES = [
    ("/app/", "/app/index.html"),
    ("/app/new", "/app/index.html"),
    ("/app/petitions/01J0/compose", "/app/index.html"),
    ("/app/callback", "/app/index.html"),
    ("/app/assets/index-3f2a.js", "/app/assets/index-3f2a.js"),
    ("/app/config.json", "/app/config.json"),
    ("/app/preview-frame.html", "/app/preview-frame.html"),
]


def test_the_routes_function_serves_client_side_routes_the_apps_document(
    document: Document,
) -> None:
    # Given the CloudFront Function's code, run by node on viewer requests
    code = _properties(document, "AppRoutesFunction")["FunctionCode"]
    events = [{"request": {"uri": uri, "method": "GET"}} for uri, _ in ROUTES]
    events.append({"request": {"uri": "/app", "method": "GET"}})
    script = f"{code}\nconsole.log(JSON.stringify({json.dumps(events)}.map(handler)));"

    # When each request goes through it
    ran = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)  # noqa: S607
    *requests, bare = json.loads(ran.stdout)

    # Then client-side routes become the app's document, files stay themselves
    assert [r["uri"] for r in requests] == [expected for _, expected in ROUTES]
    # And /app is sent to /app/ (the app's relative URLs need the slash)
    assert bare["statusCode"] == 301
    assert bare["headers"]["location"] == {"value": "/app/"}


def test_the_routes_function_keeps_the_query_when_it_adds_the_slash(document: Document) -> None:
    # Given /app asked with a query (as CloudFront hands it over: values as received)
    code = _properties(document, "AppRoutesFunction")["FunctionCode"]
    querystring = {
        "type": {"value": "victory"},
        "tag": {"value": "a", "multiValue": [{"value": "a"}, {"value": "b%20c"}]},
    }
    event = {"request": {"uri": "/app", "method": "GET", "querystring": querystring}}
    script = f"{code}\nconsole.log(JSON.stringify(handler({json.dumps(event)})));"

    # When it goes through the function
    ran = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)  # noqa: S607
    answer = json.loads(ran.stdout)

    # Then the redirect keeps every parameter (a link to /app?type=victory opens the composer)
    assert answer["statusCode"] == 301
    assert answer["headers"]["location"] == {"value": "/app/?type=victory&tag=a&tag=b%20c"}


def test_the_apps_client_signs_in_with_code_and_pkce_back_to_the_site(document: Document) -> None:
    client = _properties(document, "AppClient")
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    (callback,) = client["CallbackURLs"]
    assert callback == Tag("Sub", ["${Site}/app/callback", {"Site": SITE}])
    (logout,) = client["LogoutURLs"]
    assert logout == Tag("Sub", ["${Site}/app/", {"Site": SITE}])
    domain = _properties(document, "LoginDomain")
    assert domain["UserPoolId"] == Tag("Ref", "UserPool")
    assert domain["Domain"].value[:2] == ["HasLoginDomainPrefix", Tag("Ref", "LoginDomainPrefix")]


def test_the_authorizer_takes_every_client_of_the_pool(document: Document) -> None:
    # A Cognito user pool authorizer names the pool, not its clients: the app's ID tokens pass
    authorizers = _properties(document, "Api")["Auth"]["Authorizers"]
    assert authorizers == {"CognitoAuthorizer": {"UserPoolArn": Tag("GetAtt", ["UserPool", "Arn"])}}
    clients = [
        r["Properties"]["UserPoolId"]
        for r in document["Resources"].values()
        if r["Type"] == "AWS::Cognito::UserPoolClient"
    ]
    assert clients == [Tag("Ref", "UserPool")] * 2


def test_the_site_is_siteurl_or_the_distribution_everywhere_it_is_named(document: Document) -> None:
    variables = document["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["SITE_URL"] == SITE
    assert document["Outputs"]["SiteUrl"]["Value"] == SITE
    outputs = document["Outputs"]
    assert outputs["AppBucketName"]["Value"] == Tag("Ref", "AppBucket")
    assert outputs["SiteDistributionId"]["Value"] == Tag("Ref", "SiteDistribution")
    assert outputs["LoginDomain"]["Value"] == Tag(
        "Sub", "https://${LoginDomain}.auth.${AWS::Region}.amazoncognito.com"
    )
    assert outputs["AppClientId"]["Value"] == Tag("Ref", "AppClient")


# --- the viewer's address, for the per-address rate limit ----------------------------------
# Behind the distribution, API Gateway's sourceIp is CloudFront's edge: the distribution names
# the viewer, and proves it with a secret the API's direct callers do not have.

VIEWER_HEADER = VIEWER_ADDRESS.lower()  # how CloudFront Functions name headers
ORIGIN_SECRET_VALUE = Tag("Sub", "{{resolve:secretsmanager:${OriginSecret}:SecretString}}")


def _viewer_address_function(events: list[dict[str, Any]], document: Document) -> list[Any]:
    code = _properties(document, "ViewerAddressFunction")["FunctionCode"]
    script = f"{code}\nconsole.log(JSON.stringify({json.dumps(events)}.map(handler)));"
    ran = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)  # noqa: S607
    return cast(list[Any], json.loads(ran.stdout))


def test_the_viewer_address_function_names_the_viewer_over_what_a_client_sent(
    document: Document,
) -> None:
    # Given viewer requests, one naming another address itself (twice: a multi-value header)
    forged = {
        "value": "192.0.2.66",
        "multiValue": [{"value": "192.0.2.66"}, {"value": "192.0.2.67"}],
    }
    events = [
        {"viewer": {"ip": "198.51.100.7"}, "request": {"uri": "/p/x", "headers": {}}},
        {
            "viewer": {"ip": "2001:db8::7"},
            "request": {"uri": "/petitions/x/signatures", "headers": {VIEWER_HEADER: forged}},
        },
    ]

    # When CloudFront runs the function on them
    plain, ipv6 = _viewer_address_function(events, document)

    # Then each goes on with the viewer's own address, and only it
    assert plain["headers"][VIEWER_HEADER] == {"value": "198.51.100.7"}
    assert ipv6["headers"][VIEWER_HEADER] == {"value": "2001:db8::7"}
    assert ipv6["uri"] == "/petitions/x/signatures"


def test_the_routes_that_sign_get_the_viewers_address_and_the_origins_proof(
    document: Document,
) -> None:
    config = _distribution(document)
    association = {
        "EventType": "viewer-request",
        "FunctionARN": Tag("GetAtt", ["ViewerAddressFunction", "FunctionMetadata.FunctionARN"]),
    }
    # The JSON route (the default behaviour) and the petition page's sign form (/p/*)
    for behaviour in (config["DefaultCacheBehavior"], _behaviours(document)["/p/*"]):
        assert behaviour["FunctionAssociations"] == [association]
        # and every viewer header, the function's included, goes on to the API
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    (api,) = [o for o in config["Origins"] if o["Id"] == "api"]
    assert api["OriginCustomHeaders"] == [
        {"HeaderName": ORIGIN_PROOF, "HeaderValue": ORIGIN_SECRET_VALUE}
    ]


def test_the_origin_secret_is_generated_at_deploy_and_only_the_api_function_reads_it(
    document: Document,
) -> None:
    secret = _properties(document, "OriginSecret")
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["GenerateSecretString"]["ExcludePunctuation"] is True  # a header's value
    assert secret["KmsKeyId"] == Tag("GetAtt", ["DataKey", "Arn"])
    api = _properties(document, "ApiFunction")
    assert api["Environment"]["Variables"]["ORIGIN_SECRET_ARN"] == Tag("Ref", "OriginSecret")
    readers = {
        name
        for name, resource in document["Resources"].items()
        if resource["Type"] in {"AWS::IAM::Role", "AWS::IAM::ManagedPolicy"}
        and repr(Tag("Ref", "OriginSecret")) in repr(resource)
    }
    assert readers == {"ApiFunctionRole"}
