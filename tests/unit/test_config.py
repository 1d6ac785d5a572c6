"""Settings from the environment: defaults, and a clear error for each value out of its range."""

from __future__ import annotations

import pytest

from loyalty_api.config import Settings


def test_the_defaults() -> None:
    settings = Settings.from_env({})
    assert settings == Settings(max_connections=settings.max_connections)
    assert settings.heavy_read_percent == 25 and settings.statement_timeout_ms == 5000


@pytest.mark.parametrize("value", ["1", "50", "100"])
def test_the_heavy_read_share_is_a_percentage(value: str) -> None:
    assert Settings.from_env({"LOYALTY_HEAVY_READ_PERCENT": value}).heavy_read_percent == int(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "LOYALTY_HEAVY_READ_PERCENT must be at least 1"),
        ("101", "LOYALTY_HEAVY_READ_PERCENT is a percentage: at most 100, not 101"),
        ("-5", "LOYALTY_HEAVY_READ_PERCENT must not be negative"),
        ("a quarter", "LOYALTY_HEAVY_READ_PERCENT must be a whole number, not 'a quarter'"),
    ],
)
def test_a_heavy_read_share_out_of_range_is_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Settings.from_env({"LOYALTY_HEAVY_READ_PERCENT": value})
    assert str(raised.value) == message


def test_a_blank_value_is_the_default() -> None:
    assert Settings.from_env({"LOYALTY_HEAVY_READ_PERCENT": ""}).heavy_read_percent == 25


_SECRET = "s" * 32


def test_the_token_secrets() -> None:
    settings = Settings.from_env({"LOYALTY_TOKEN_SECRET": f" {_SECRET} ", "LOYALTY_TOKEN_SECRET_PREVIOUS": "p" * 40})
    assert (settings.token_secret, settings.token_secret_previous) == (_SECRET, "p" * 40)
    assert _SECRET not in repr(settings) and "p" * 40 not in repr(settings)
    assert Settings.from_env({}).token_secret == ""  # time tokens off


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOYALTY_TOKEN_SECRET": "s" * 31}, "LOYALTY_TOKEN_SECRET must have at least 32 characters"),
        (
            {"LOYALTY_TOKEN_SECRET": _SECRET, "LOYALTY_TOKEN_SECRET_PREVIOUS": "short"},
            "LOYALTY_TOKEN_SECRET_PREVIOUS must have at least 32 characters",
        ),
        (
            {"LOYALTY_TOKEN_SECRET_PREVIOUS": _SECRET},
            "LOYALTY_TOKEN_SECRET_PREVIOUS is set without LOYALTY_TOKEN_SECRET",
        ),
    ],
)
def test_a_weak_or_lone_token_secret_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Settings.from_env(env)
    assert str(raised.value) == message


def test_logging_defaults_to_info_as_text_without_access_log() -> None:
    settings = Settings.from_env({})
    assert (settings.log_level, settings.log_format, settings.access_log) == ("info", "text", False)


def test_logging_is_read_from_its_variables() -> None:
    settings = Settings.from_env(
        {"LOYALTY_LOG_LEVEL": "DEBUG", "LOYALTY_LOG_FORMAT": "json", "LOYALTY_ACCESS_LOG": "1"}
    )
    assert (settings.log_level, settings.log_format, settings.access_log) == ("debug", "json", True)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("yes", True), ("0", False), ("off", False)])
def test_the_access_log_is_a_flag(value: str, expected: bool) -> None:
    assert Settings.from_env({"LOYALTY_ACCESS_LOG": value}).access_log is expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOYALTY_LOG_LEVEL", "verbose", "LOYALTY_LOG_LEVEL must be one of debug, info, warning, error, critical"),
        ("LOYALTY_LOG_FORMAT", "xml", "LOYALTY_LOG_FORMAT must be one of text, json, not 'xml'"),
        ("LOYALTY_ACCESS_LOG", "maybe", "LOYALTY_ACCESS_LOG must be 1 or 0 (true or false), not 'maybe'"),
    ],
)
def test_a_logging_value_out_of_its_choices_names_its_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Settings.from_env({name: value})
    assert str(raised.value).startswith(message)
