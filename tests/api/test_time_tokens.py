"""``generate_time_token`` and ``validate_time_token``: 36 capital letters bound to the account, valid for their
interval on any node with the secret, under a controlled clock (never a request field), on both stores."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.accounts.time_tokens import make_token
from loyalty_api.config import Settings
from loyalty_api.handler.context import TokenKeys
from loyalty_api.web.app import LoyaltyApp, create_app
from tests.support.api import call, call_json, error_code, error_of, status_of
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import CLERK, OTHER_ADMIN

SECRET: Final = "the-test-secret-of-time-tokens-0001"
OTHER_SECRET: Final = "another-secret-of-time-tokens-00002"
NOW: Final = 1_800_000_000.0
GENERATE: Final = {"type": "generate_time_token"}
VALID: Final = make_token(SECRET.encode(), "greatwidgets", int(NOW) + 60)
EXPIRED: Final = make_token(SECRET.encode(), "greatwidgets", int(NOW))
OF_OTHERCO: Final = make_token(SECRET.encode(), "otherco", int(NOW) + 60)


class Clock:
    """The time tokens' clock of a test: seconds since the epoch, moved by the test."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _set_keys(app: object, clock: Clock, *secrets: str) -> None:
    assert isinstance(app, LoyaltyApp)
    app.api.token_keys = TokenKeys(tuple(secret.encode() for secret in secrets), clock)


CASES: Final = [
    GoldenCase("time_token_generate", {**GENERATE, "token_interval": "300"}),
    GoldenCase("time_token_valid", {"type": "validate_time_token", "time_token": VALID}),
    GoldenCase("time_token_expired", {"type": "validate_time_token", "token": EXPIRED}),
    GoldenCase("time_token_invalid", {"type": "validate_time_token", "time_token": OF_OTHERCO}),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "accounts",
    CASES,
    owns=lambda name: name.startswith("time_token"),
    prepare=lambda client, _case: _set_keys(client.app, Clock(), SECRET),
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(settings: Settings, clock: Clock) -> Iterator[TestClient]:
    """A client of an app with the token secret, whose tokens' clock is ``clock``."""
    app = create_app(dataclasses.replace(settings, token_secret=SECRET))
    app.api.token_keys = dataclasses.replace(app.api.token_keys, clock=clock)
    with TestClient(app) as client:
        yield client


def _generate(client: TestClient, user: tuple[str, str, str] | None = None, **fields: str) -> str:
    answer = call(client, {**GENERATE, **fields}, *(() if user is None else (user,)))
    assert status_of(answer) == "success"
    token = answer.findtext("token")
    assert token is not None
    return token


def _validate(client: TestClient, token: str, user: tuple[str, str, str] | None = None) -> str:
    """``valid``, or the error's code."""
    answer = call(client, {"type": "validate_time_token", "time_token": token}, *(() if user is None else (user,)))
    return "valid" if status_of(answer) == "valid" else error_code(answer)


# --- generate ---------------------------------------------------------------------------------------


def test_a_token_is_36_capital_letters(tokens: TestClient) -> None:
    token = _generate(tokens)
    assert len(token) == 36 and token.isalpha() and token.isupper() and token.isascii()
    assert token == VALID  # the default interval is 60 seconds; a token is the same for the same second


def test_valid_until_its_interval_passes(tokens: TestClient, clock: Clock) -> None:
    token = _generate(tokens)
    clock.now = NOW + 59.999
    assert _validate(tokens, token) == "valid"
    clock.now = NOW + 60
    assert _validate(tokens, token) == "token_expired"


def test_the_interval_counts_from_the_next_whole_second(tokens: TestClient, clock: Clock) -> None:
    clock.now = NOW + 0.25
    token = _generate(tokens, token_interval="1")
    clock.now = NOW + 1.999
    assert _validate(tokens, token) == "valid"
    clock.now = NOW + 2
    assert _validate(tokens, token) == "token_expired"


@pytest.mark.parametrize("interval", ["1", "3600", "86400", " 120 ", ""])
def test_token_interval_from_1_to_86400_seconds(tokens: TestClient, clock: Clock, interval: str) -> None:
    token = _generate(tokens, token_interval=interval)
    seconds = int(interval) if interval.strip() else 60
    clock.now = NOW + seconds - 0.5
    assert _validate(tokens, token) == "valid"
    clock.now = NOW + seconds
    assert _validate(tokens, token) == "token_expired"


@pytest.mark.parametrize("interval", ["0", "86401", "-1", "1.5", "60s", "1e3", "9999999", "sixty"])
def test_other_intervals_are_refused(tokens: TestClient, interval: str) -> None:
    code, message = error_of(call(tokens, {**GENERATE, "token_interval": interval}))
    assert code == "parameter_invalid"
    assert message.startswith("The field token_interval must be a whole number of seconds from 1 to 86,400")


def test_every_user_of_the_account_may_generate_and_validate(tokens: TestClient) -> None:
    token = _generate(tokens, CLERK)
    assert _validate(tokens, token, CLERK) == "valid"
    assert _validate(tokens, token) == "valid"


# --- validate ---------------------------------------------------------------------------------------


def test_a_token_of_another_account_is_invalid(tokens: TestClient) -> None:
    theirs = _generate(tokens, OTHER_ADMIN)
    assert _validate(tokens, theirs) == "token_invalid"
    assert _validate(tokens, theirs, OTHER_ADMIN) == "valid"


@pytest.mark.parametrize("position", [0, 7, 8, 20, 35])
def test_a_changed_letter_makes_it_invalid(tokens: TestClient, position: int) -> None:
    token = _generate(tokens)
    letter = "B" if token[position] == "A" else "A"
    assert _validate(tokens, token[:position] + letter + token[position + 1 :]) == "token_invalid"


def test_a_later_expiry_cannot_be_forged(tokens: TestClient) -> None:
    forged = make_token(b"a guessed secret of thirty-two chars", "greatwidgets", int(NOW) + 3600)
    assert _validate(tokens, forged) == "token_invalid"


@pytest.mark.parametrize("token", [VALID.lower(), VALID[:35], VALID + "A", VALID[:35] + "1", "x" * 400])
def test_a_token_of_another_form_is_refused(tokens: TestClient, token: str) -> None:
    code, message = error_of(call(tokens, {"type": "validate_time_token", "time_token": token}))
    assert (code, message) == ("parameter_invalid", "A time token is 36 capital letters A to Z, as generated.")


def test_the_token_field_of_the_legacy_page_too(tokens: TestClient) -> None:
    assert status_of(call(tokens, {"type": "validate_time_token", "token": f" {VALID} "})) == "valid"
    assert status_of(call(tokens, {"type": "validate_time_token", "token": VALID, "time_token": VALID})) == "valid"
    both = call(tokens, {"type": "validate_time_token", "token": VALID, "time_token": EXPIRED})
    assert error_code(both) == "parameter_mismatch"


def test_no_token_is_a_missing_field(tokens: TestClient) -> None:
    code, message = error_of(call(tokens, {"type": "validate_time_token", "time_token": " "}))
    assert (code, message) == ("parameter_missing", "The field time_token is required.")


def test_json_answers(tokens: TestClient) -> None:
    generated = call_json(tokens, GENERATE)
    assert set(generated) == {"status", "token"} and generated["status"] == "success"
    assert call_json(tokens, {"type": "validate_time_token", "time_token": generated["token"]}) == {"status": "valid"}


# --- nodes, secrets, rotation -------------------------------------------------------------------------


def test_any_node_with_the_secret_checks_any_nodes_token(tokens: TestClient, settings: Settings, clock: Clock) -> None:
    token = _generate(tokens)
    other_node = create_app(dataclasses.replace(settings, token_secret=SECRET))
    _set_keys(other_node, clock, SECRET)
    with TestClient(other_node) as other:
        assert _validate(other, token) == "valid"


def test_rotation_keeps_the_previous_secrets_tokens(tokens: TestClient, clock: Clock) -> None:
    old = _generate(tokens)
    _set_keys(tokens.app, clock, OTHER_SECRET, SECRET)  # LOYALTY_TOKEN_SECRET_PREVIOUS = the old secret
    assert _validate(tokens, old) == "valid"
    new = _generate(tokens)
    assert new != old and _validate(tokens, new) == "valid"
    _set_keys(tokens.app, clock, OTHER_SECRET)  # the previous secret dropped
    assert (_validate(tokens, old), _validate(tokens, new)) == ("token_invalid", "valid")


def test_the_settings_give_the_app_its_secrets(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, token_secret=OTHER_SECRET, token_secret_previous=SECRET))
    assert app.api.token_keys.secrets == (OTHER_SECRET.encode(), SECRET.encode())
    assert SECRET not in repr(app.api.token_keys)


def test_without_a_secret_time_tokens_are_off(client: TestClient) -> None:
    for fields in (GENERATE, {"type": "validate_time_token", "time_token": VALID}):
        code, message = error_of(call(client, fields))
        assert code == "time_tokens_off"
        assert "LOYALTY_TOKEN_SECRET" in message
