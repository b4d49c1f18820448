"""The API answers as infra/openapi.json says: Schemathesis against the local stack.

Each operation is fuzzed (the edges of its schema, then random valid and invalid requests),
then workflows follow the document's links: start a petition, sign it, publish, read the
update and its statistics. Every answer must be documented: never a 5xx, a
documented status, content type and headers, a body that matches its schema; the owner
routes must refuse a request without a valid token.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis import BaseSchema, Case

from mobilise_local.openapi import OUTPUT, SECURITY_SCHEME
from tests.e2e.conftest import Client

pytestmark = pytest.mark.slow  # every operation fuzzed, then stateful workflows: minutes
EXAMPLES = 25  # per operation and per generation mode; the whole module takes about a minute
WORKFLOWS = 20  # stateful scenarios, of at most STEPS calls each
STEPS = 6

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
)

#: Methods the coverage phase sends where the document declares none: API Gateway answers
#: them 404 (the template's MISSING_AUTHENTICATION_TOKEN response). QUERY is left out: API
#: Gateway has no such method.
UNDECLARED_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE"]


def _config(base_url: str, token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "request-timeout": 60,  # as the e2e Client: a busy machine is slow, not wrong
            "auth": {"openapi": {SECURITY_SCHEME: {"bearer": token}}},
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,  # the same requests on every run: no flaky build
                "database": "none",  # nothing written under .hypothesis/
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                "coverage": {"unexpected-methods": UNDECLARED_METHODS},
                # Workflows make valid requests: an invalid step would end them early.
                "stateful": {
                    "max-steps": STEPS,
                    "generation": {"mode": "positive", "max-examples": WORKFLOWS},
                    "inference": {"algorithms": []},
                },
            },
            "cache": {"enabled": False},  # nothing written under .schemathesis/
        }
    )


@pytest.fixture(scope="module")
def api_schema(stack: Client) -> BaseSchema:
    """The committed document, aimed at the running stack, with a starter's token."""
    schema = schemathesis.openapi.from_path(
        OUTPUT, config=_config(stack.base, stack.token("schemathesis"))
    )
    return schema


lazy_schema = schemathesis.pytest.from_fixture("api_schema")


@lazy_schema.parametrize()
def test_every_operation_answers_as_documented(case: Case[Any]) -> None:
    case.call_and_validate()


def test_workflows_answer_as_documented(api_schema: BaseSchema) -> None:
    workflows = api_schema.as_state_machine()
    workflows.run(settings=api_schema.config.get_hypothesis_settings(phase="stateful"))
