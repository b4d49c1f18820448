"""boto3 clients, made on first use and reused across warm invocations.

Nothing here talks to AWS at import time, so tests can start moto first.
Endpoints come from the standard ``AWS_ENDPOINT_URL_<SERVICE>`` variables,
which is how the local stack points the functions at moto or DynamoDB Local.

PynamoDB makes a botocore session of its own for each connection (and thread):
a new session registers botocore's few hundred handlers again and parses its data
files again (the endpoints, the DynamoDB model and its rules), about 60 ms, a
third of a cold start. :func:`share_botocore_data` has PynamoDB use boto3's own
session, which has parsed them for the first boto3 client or will have for the next.
A session is not safe to make clients from in two threads at once (the local stack
runs the functions in threads): every client is made under one lock (:func:`made`).

Every session reads botocore's data files with :class:`ServiceLoader`, which finds a service's
model from its own directory where botocore's lists every service's first, and resolves the
endpoints of Mobilise's services from their own data, not every service's
(:mod:`mobilise.core.endpoints`).

Every client sends one constant User-Agent (:data:`USER_AGENT`): botocore otherwise builds
its own again for each request, twice, from a dozen parts each cleaned character by
character, about 0.1 ms a request measured here, a fifth of what a SendEmail costs the
deliver function. Every v4 signature is :mod:`mobilise.core.sigv4`'s: botocore's, written
the same, for less CPU.
"""

from __future__ import annotations

import os
import platform
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
import botocore
import botocore.session
import pynamodb.connection.base
from botocore.config import Config
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, instance_cache

from mobilise.core import endpoints, sigv4

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

#: What every request of Mobilise's says it comes from (the ``user_agent`` option of botocore's
#: ``Config``: botocore then writes no User-Agent of its own).
USER_AGENT = f"mobilise botocore/{botocore.__version__} Python/{platform.python_version()}"
_AGENT = Config(user_agent=USER_AGENT)
_CONFIG = _AGENT.merge(Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3))
#: SES answers a SendEmail well inside a second: one not connected in 3 s, or not answered
#: 10 s after, is failing (botocore waits 60 s for each by default). A request that sends an
#: email at once then answers inside API Gateway's 29 s; a delivery's record is tried again.
SES_CONNECT_TIMEOUT = 3.0
SES_READ_TIMEOUT = 10.0

Made = TypeVar("Made")
_MAKING = threading.Lock()


def made(make: Callable[[], Made]) -> Made:
    """``make()`` (which makes a client from boto3's session) under the clients' lock."""
    with _MAKING:
        botocore_session()  # set up as Mobilise's clients want it, before the first
        return make()


@cache
def sqs() -> SQSClient:
    return made(lambda: boto3.client("sqs", config=_CONFIG))


@cache
def sesv2() -> SESV2Client:
    # SES throttling is handled by the deliver function (the record is retried
    # through SQS), so the client itself does not retry: one attempt in all
    # (``total_max_attempts``; botocore reads ``max_attempts`` as the retries after the
    # first, and a throttled email was sent twice, the second after a back-off sleep).
    # Its parameters are not checked against the model before each call:
    # :func:`mobilise.delivery.ses.send` makes them all, of one shape, and SES refuses a
    # malformed request all the same (30 µs an email).
    config = _AGENT.merge(
        Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            parameter_validation=False,
            connect_timeout=SES_CONNECT_TIMEOUT,
            read_timeout=SES_READ_TIMEOUT,
        )
    )
    return made(lambda: boto3.client("sesv2", config=config))


@cache
def sns() -> SNSClient:
    # The operators' alarms (mobilise.delivery.alarms), with botocore's own retries.
    return made(lambda: boto3.client("sns", config=_AGENT))


@cache
def secretsmanager() -> SecretsManagerClient:
    return made(lambda: boto3.client("secretsmanager", config=_CONFIG))


@cache
def s3() -> S3Client:
    # Signature version 4 (x-amz-* fields, as every region wants) and virtual-hosted URLs:
    # a presigned POST then goes to bucket.s3.<region>.amazonaws.com, where a browser is not
    # redirected (the global name redirects for a day after a bucket is made). An endpoint
    # that is an IP address (moto, locally) stays path-style.
    config = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
    return made(lambda: boto3.client("s3", config=config))


def _loader() -> Any:
    """The data loader of the session boto3.client() uses: it keeps what it parsed."""
    return botocore_session().get_component("data_loader")


def botocore_session() -> botocore.session.Session:
    """The botocore session of boto3's default session, which boto3.client() and PynamoDB's
    connections use; every client it makes says :data:`USER_AGENT`."""
    default: Any = boto3._get_default_session()
    session: botocore.session.Session = default._session
    if session.get_default_client_config() is None:
        session.set_default_client_config(_AGENT)
        session.register_component("data_loader", ServiceLoader.of(session))
        endpoints.register(session)
    return session


_LOADERS: dict[str | None, ServiceLoader] = {}


class ServiceLoader(Loader):
    """botocore's data loader, which finds a service's files from the service's own directory.

    To load a service's model, or its endpoint rules, botocore's loader first lists the
    directory of every service it knows (440 of them, and each one's versions, a few thousand
    file system calls) to check that the name asked for is among them: about 11 ms of every
    cold start, once for each kind of file, measured with Lambda's Python and the layer
    (``docs/performance.md``). Here a service is known when its own directory holds that kind
    of file, which is what botocore's listing checks for each; a name with no such directory
    gets botocore's own answer (``UnknownServiceError``, naming the known ones).
    :meth:`load_service_model` is botocore's but for that check; botocore is pinned, and
    ``tests/unit/test_service_loader.py`` fails if botocore's changes, or if any model of the
    services Mobilise uses reads differently.
    """

    @classmethod
    def of(cls, session: botocore.session.Session) -> ServiceLoader:
        """The loader for ``session``'s data path (``botocore.loaders.create_loader``'s), one
        for the process: boto3's default session is made again by tests and the local stack,
        and the models one session parsed serve the next."""
        paths = session.get_config_variable("data_path")
        if paths not in _LOADERS:
            extra = paths.split(os.pathsep) if paths else []
            _LOADERS[paths] = cls(
                extra_search_paths=[os.path.expandvars(os.path.expanduser(p)) for p in extra]
            )
        return _LOADERS[paths]

    @instance_cache
    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        try:
            self.list_api_versions(service_name, type_name)
        except DataNotFoundError:  # unknown: botocore's own error, which lists the known
            return super().load_service_model(service_name, type_name, api_version)
        if api_version is None:
            api_version = self.determine_latest_version(service_name, type_name)
        full_path = os.path.join(service_name, api_version, type_name)
        model = self.load_data(full_path)
        botocores: Any = self  # the two private helpers botocore's method uses
        extras_data = botocores._find_extras(service_name, type_name, api_version)
        botocores._extras_processor.process(model, extras_data)
        return model


def load_service_data(*services: str) -> None:
    """Parse the data files a first client of each of ``services`` reads (the endpoints and
    partitions, the retry rules, the service's model and endpoint rules) into boto3's loader,
    without making a client: no credentials read, no connection (a SnapStart snapshot's hook,
    :mod:`mobilise.core.snapstart`)."""
    loader = _loader()
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        loader.load_data(name)
    for service in services:
        for kind in ("service-2", "endpoint-rule-set-1"):
            loader.load_service_model(service, kind)


def share_botocore_data() -> None:
    """PynamoDB's connections make their client from boto3's session."""
    connection_module: Any = pynamodb.connection.base
    connection_module.get_session = botocore_session


share_botocore_data()
sigv4.install()


def reset() -> None:
    """Forget every client (tests that start a new moto, or move endpoints)."""
    for factory in (sqs, sesv2, sns, secretsmanager, s3):
        factory.cache_clear()
