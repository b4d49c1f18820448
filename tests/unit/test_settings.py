"""Settings read from the environment by the model itself (mobilise.core.config, issue 14):
each field from the variable of its name in any case, collections as JSON, an argument over
the environment, and every refusal a ValidationError that names the field."""

from __future__ import annotations

import os
from typing import Any

import pytest
from pydantic import ValidationError

from mobilise.core.config import Settings

DEPLOYMENT = {
    "TABLE_NAME": "mobilise",
    "PUBLISH_QUEUE_URL": "https://sqs.example/publish",
    "DELIVERY_QUEUE_URL": "https://sqs.example/delivery",
    "SIGNING_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing",
    "SENDER_ADDRESS": "Mobilise <updates@example.org>",
    "SES_CONFIGURATION_SET": "mobilise",
    "PUBLIC_BASE_URL": "https://api.example.org/",
    "IDEMPOTENCY_TABLE_NAME": "mobilise-idempotency",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Only the deployment's variables among those the settings read: set more in the dict."""
    for name in list(os.environ):
        if name.lower() in Settings.model_fields:
            monkeypatch.delenv(name)
    for name, value in DEPLOYMENT.items():
        monkeypatch.setenv(name, value)
    return DEPLOYMENT


def _errors(error: ValidationError) -> list[tuple[Any, ...]]:
    return [(e["loc"], e["type"]) for e in error.errors()]


def test_each_field_is_read_from_its_variable_in_any_case(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("nudge_after_days", "3")
    monkeypatch.setenv("Double_Opt_In", "false")
    monkeypatch.setenv("SES_MAX_SEND_RATE", "12.5")

    settings = Settings()  # type: ignore[call-arg]  # from the environment

    assert settings.table_name == "mobilise"
    assert (settings.nudge_after_days, settings.double_opt_in) == (3, False)
    assert settings.ses_max_send_rate == 12.5
    assert settings.site_url == "https://api.example.org"  # the defaults are derived as before
    assert settings.start_petition_url == "https://api.example.org/start"


def test_a_collection_is_written_as_json(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_RATE_LIMITS", "[[60, 2], [3600, 20]]")

    assert Settings().sign_rate_limits == [(60, 2), (3600, 20)]  # type: ignore[call-arg]


def test_json_that_does_not_parse_is_refused_by_the_fields_name(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_RATE_LIMITS", "[[60, 2]")

    with pytest.raises(ValidationError) as refused:
        Settings()  # type: ignore[call-arg]

    assert _errors(refused.value) == [(("sign_rate_limits",), "json_invalid")]
    assert "[[60, 2]" in str(refused.value)


def test_a_union_with_plain_text_keeps_text_that_is_not_json(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class More(Settings):
        limits: list[int] | str = "none"

    monkeypatch.setenv("LIMITS", "[1, 2]")
    assert More().limits == [1, 2]  # type: ignore[call-arg]
    monkeypatch.setenv("LIMITS", "some")
    assert More().limits == "some"  # type: ignore[call-arg]


def test_an_argument_wins_over_the_environment(environment: dict[str, str]) -> None:
    settings = Settings(table_name="given")  # type: ignore[call-arg]

    assert (settings.table_name, settings.sender_address) == ("given", DEPLOYMENT["SENDER_ADDRESS"])


def test_every_missing_or_invalid_value_is_named(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME")
    monkeypatch.setenv("SIGNATURE_SHARDS", "300")
    monkeypatch.setenv("PUBLIC_BASE_URL", "not a link")

    with pytest.raises(ValidationError) as refused:
        Settings()  # type: ignore[call-arg]

    assert sorted(_errors(refused.value)) == [
        (("public_base_url",), "url_parsing"),
        (("signature_shards",), "less_than_equal"),
        (("table_name",), "missing"),
    ]


def test_the_settings_are_frozen(environment: dict[str, str]) -> None:
    settings = Settings()  # type: ignore[call-arg]

    with pytest.raises(ValidationError):
        settings.table_name = "other"
