"""botocore's endpoint data for the services Mobilise calls, without every other service's.

To make its first client, a botocore session parses ``endpoints.json``: every endpoint of every
AWS service in every partition, 1.25 MB of JSON, about 27 ms of a cold start measured with
Lambda's Python and the layer (``docs/performance.md``), a tenth of ``import boto3`` and one
client. A client reads only its own service's entries (and each partition's defaults). The
file beside this module, ``endpoints.json``, is botocore's with only the services of
:data:`SERVICES` in each partition (64 KB): their entries as botocore has them, every
partition's metadata whole. A session of Mobilise's (:func:`mobilise.core.aws.botocore_session`)
resolves those services from it and any other from botocore's whole file, read when one is
first asked for; so every answer is botocore's own. ``tests/unit/test_endpoints.py`` compares
them, and fails when the file is not the pinned botocore's (after an upgrade: run
``python -m mobilise.core.endpoints`` to write it again).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import botocore.session
from botocore.regions import EndpointResolver

#: Every service a function of Mobilise makes a client of (boto3's names).
SERVICES = ("dynamodb", "sesv2", "sqs", "secretsmanager", "s3", "sns")
DATA = Path(__file__).with_name("endpoints.json")


def kept(endpoints: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """``endpoints`` (botocore's data) with only the services named ``names`` (their endpoint
    prefixes) in each partition."""
    partitions = [
        {**partition, "services": {k: v for k, v in partition["services"].items() if k in names}}
        for partition in endpoints["partitions"]
    ]
    return {**endpoints, "partitions": partitions}


def prefixes(loader: Any) -> set[str]:
    """The names :data:`SERVICES` have in botocore's endpoint data (an SES v2 client is
    ``email``'s)."""
    return {
        loader.load_service_model(service, "service-2")["metadata"]["endpointPrefix"]
        for service in SERVICES
    }


class Resolver(EndpointResolver):
    """botocore's resolver over :data:`DATA` for the services it holds; any other service is
    resolved by botocore's resolver over its whole data, loaded then by ``loader``."""

    def __init__(self, data: dict[str, Any], loader: Any) -> None:
        super().__init__(data, uses_builtin_data=True)
        self._loader = loader
        self._held = {name for partition in data["partitions"] for name in partition["services"]}

    @cached_property
    def _everything(self) -> EndpointResolver:
        return EndpointResolver(self._loader.load_data("endpoints"), uses_builtin_data=True)

    def _for(self, service_name: str) -> EndpointResolver:
        """What resolves ``service_name``: this resolver's data, or botocore's whole. Each
        method below is botocore's own, called on it."""
        return self if service_name in self._held else self._everything

    def construct_endpoint(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        resolver = self._for(service_name)
        return EndpointResolver.construct_endpoint(resolver, service_name, *args, **kwargs)

    def get_available_endpoints(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        resolver = self._for(service_name)
        return EndpointResolver.get_available_endpoints(resolver, service_name, *args, **kwargs)

    def get_service_endpoints_data(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        resolver = self._for(service_name)
        return EndpointResolver.get_service_endpoints_data(resolver, service_name, *args, **kwargs)


def register(session: botocore.session.Session) -> None:
    """``session`` resolves endpoints with :class:`Resolver`, unless its data path is set (data
    of one's own, ``AWS_DATA_PATH``: then botocore's resolver reads it, as ever)."""
    if session.get_config_variable("data_path"):
        return
    loader = session.get_component("data_loader")
    botocores = cast(Any, session)  # its internal components: botocore is pinned (the tests)
    botocores._internal_components.lazy_register_component(
        "endpoint_resolver", lambda: Resolver(json.loads(DATA.read_bytes()), loader)
    )


def write() -> None:
    """Write :data:`DATA` from the installed botocore's data."""
    loader = botocore.session.get_session().get_component("data_loader")
    data = kept(loader.load_data("endpoints"), prefixes(loader))
    DATA.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
