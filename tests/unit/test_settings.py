"""Settings read from the environment by :mod:`mobilise.core.config` (a dataclass, not a
pydantic model: issue 14): each field from the variable of its name in any case, the rate
windows as JSON, an argument over the environment, and every refusal one SettingsError that
names each field at fault."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.core.config import Settings, SettingsError

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
        if name.upper() in Settings.variables():
            monkeypatch.delenv(name)
    for name, value in DEPLOYMENT.items():
        monkeypatch.setenv(name, value)
    return DEPLOYMENT


def test_each_field_is_read_from_its_variable_in_any_case(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("nudge_after_days", "3")
    monkeypatch.setenv("Double_Opt_In", "false")
    monkeypatch.setenv("SES_MAX_SEND_RATE", "12.5")
    monkeypatch.setenv("MODERATION_ENABLED", " Yes ")

    settings = Settings.from_environment()

    assert settings.table_name == "mobilise"
    assert (settings.nudge_after_days, settings.double_opt_in) == (3, False)
    assert settings.ses_max_send_rate == 12.5
    assert settings.moderation_enabled is True
    assert settings.signature_shards == 16  # a default
    assert settings.site_url == "https://api.example.org"  # derived from the public URL
    assert settings.start_petition_url == "https://api.example.org/start"
    assert settings.link("/p/1") == "https://api.example.org/p/1"


def test_the_rate_windows_are_written_as_json(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_RATE_LIMITS", "[[60, 2], [3600, 20]]")

    assert Settings.from_environment().sign_rate_limits == [(60, 2), (3600, 20)]


def test_json_that_does_not_parse_is_refused_by_the_fields_name(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGN_RATE_LIMITS", "[[60, 2]")

    with pytest.raises(SettingsError) as refused:
        Settings.from_environment()

    assert list(refused.value.problems) == ["sign_rate_limits"]
    assert "SIGN_RATE_LIMITS: must be JSON" in str(refused.value)
    assert "[[60, 2]" in str(refused.value)


def test_an_argument_wins_over_the_environment(environment: dict[str, str]) -> None:
    settings = Settings.from_environment(table_name="given", signature_shards="4")

    assert (settings.table_name, settings.sender_address) == ("given", DEPLOYMENT["SENDER_ADDRESS"])
    assert settings.signature_shards == 4
    with pytest.raises(TypeError, match="no tabel_name"):
        Settings.from_environment(tabel_name="a typo")


def test_every_missing_or_invalid_value_is_named(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TABLE_NAME")
    monkeypatch.setenv("SIGNATURE_SHARDS", "300")
    monkeypatch.setenv("PUBLIC_BASE_URL", "not a link")
    monkeypatch.setenv("DOUBLE_OPT_IN", "maybe")
    monkeypatch.setenv("SES_MAX_SEND_RATE", "nan")
    monkeypatch.setenv("FANOUT_PAGE_SIZE", "5")

    with pytest.raises(SettingsError) as refused:
        Settings.from_environment()

    assert refused.value.problems == {
        "double_opt_in": "must be true or false, not 'maybe'",
        "fanout_page_size": "must be at least 10, not 5",
        "public_base_url": "must be an http:// or https:// link, not 'not a link'",
        "ses_max_send_rate": "must be a finite number, not 'nan'",
        "signature_shards": "must be at most 256, not 300",
        "table_name": "missing",
    }


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("https://API.Example.org:443/", "https://api.example.org/"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://localhost:3000/", "http://localhost:3000/"),
        ("https://[::1]:8443/api/", "https://[::1]:8443/api/"),
    ],
)
def test_the_public_url_is_read_in_the_normal_form_pydantic_gave_it(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, written: str, read: str
) -> None:
    """Every link of the emails and the calendar entries' ids are built from it."""
    monkeypatch.setenv("PUBLIC_BASE_URL", written)

    assert Settings.from_environment().public_base_url == read


def test_a_whole_number_may_be_written_as_cloudformation_may_write_it(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNATURE_RETENTION_DAYS", "365.0")
    monkeypatch.setenv("DELIVERY_CONCURRENCY", " 4 ")

    settings = Settings.from_environment()

    assert (settings.signature_retention_days, settings.delivery_concurrency) == (365, 4)
    monkeypatch.setenv("DELIVERY_CONCURRENCY", "4.5")
    with pytest.raises(SettingsError, match="DELIVERY_CONCURRENCY: must be a whole number"):
        Settings.from_environment()


def test_the_settings_are_frozen(environment: dict[str, str]) -> None:
    settings = Settings.from_environment()

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.table_name = "other"  # type: ignore[misc]


def test_every_default_is_a_value_its_field_accepts(environment: dict[str, str]) -> None:
    defaults = Settings.from_environment()
    given = {
        spec.name: getattr(defaults, spec.name)
        for spec in dataclasses.fields(Settings)
        if spec.name not in ("site_url", "start_petition_url")  # derived when empty
    }

    assert vars(Settings.from_environment(**given)) == vars(defaults)  # compared by identity


_VARIABLES = sorted(Settings.variables())


@given(
    variable=st.sampled_from(_VARIABLES),
    text=st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=40),
)
def test_any_text_in_any_variable_is_read_or_refused_by_name(variable: str, text: str) -> None:
    """Whatever an operator writes, the settings are read, or refused naming that variable
    (never another exception, which would hide which variable is wrong)."""
    written = {**DEPLOYMENT, variable: text}
    saved = dict(os.environ)
    try:
        for name in _VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(written)
        try:
            Settings.from_environment()
            refused: set[str] = set()
        except SettingsError as error:
            refused = set(error.problems)
        assert refused <= {variable.lower()}
    finally:
        os.environ.clear()
        os.environ.update(saved)
