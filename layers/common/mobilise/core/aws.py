"""boto3 clients, made on first use and reused across warm invocations.

Nothing here talks to AWS at import time, so tests can start moto first.
Endpoints come from the standard ``AWS_ENDPOINT_URL_<SERVICE>`` variables,
which is how the local stack points the functions at moto or DynamoDB Local.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3)


@cache
def sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


@cache
def sesv2() -> SESV2Client:
    # SES throttling is handled by the deliver function (the record is retried
    # through SQS), so the client itself does not retry.
    return boto3.client("sesv2", config=Config(retries={"mode": "standard", "max_attempts": 1}))


@cache
def secretsmanager() -> SecretsManagerClient:
    return boto3.client("secretsmanager", config=_CONFIG)


@cache
def s3() -> S3Client:
    # Signature version 4 (x-amz-* fields, as every region wants) and virtual-hosted URLs:
    # a presigned POST then goes to bucket.s3.<region>.amazonaws.com, where a browser is not
    # redirected (the global name redirects for a day after a bucket is made). An endpoint
    # that is an IP address (moto, locally) stays path-style.
    return boto3.client(
        "s3",
        config=_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"})),
    )


def reset() -> None:
    """Forget every client (tests that start a new moto, or move endpoints)."""
    for factory in (sqs, sesv2, secretsmanager, s3):
        factory.cache_clear()
