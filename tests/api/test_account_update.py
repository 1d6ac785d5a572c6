"""``account_update``: every field's rule (absent unchanged, blank cleared or refused), the rights, the owner's new
key, and the audit trail (old and new values, never a key), through HTTP on both stores."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final

import pytest
from starlette.testclient import TestClient

from loyalty_api.accounts.auth import key_digest
from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.api import call, call_json, error_code, error_of, status_of, warnings_of
from tests.support.cli import invoke, run_cli
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import ADMIN, CLERK, MANAGER, OTHER_ADMIN, OWNER, User

UPDATE: Final = {"type": "account_update"}

CASES: Final = [
    GoldenCase(
        "account_update",
        {
            **UPDATE,
            "biz_name": "Great Widgets & Gadgets",
            "biz_address2": "Suite 5",
            "biz_city": "Wellington",
            "biz_country": "NZ",
            "biz_online": "Y",
            "symbol_selector": "nzd",
            "timezone_selector": "Pacific/Auckland",
        },
        changes_state=True,
    ),
    GoldenCase("account_update_ignored", {**UPDATE, "referrer_name": "Jo", "sms_password": "s3cret"}),
    GoldenCase("account_update_denied", UPDATE, CLERK),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "accounts", CASES, owns=lambda name: name.startswith("account_update")
)


def _account(client: TestClient, user: User = ADMIN) -> dict[str, str]:
    answer = call_json(client, {"type": "account_info"}, user)["account"]
    assert isinstance(answer, dict)
    return answer


def _update(client: TestClient, user: User = ADMIN, **fields: str) -> dict[str, Any]:
    return call_json(client, {**UPDATE, **fields}, user)


def _history(settings: Settings, account_id: str = "greatwidgets") -> list[dict[str, Any]]:
    return [json.loads(line) for line in run_cli(settings, "account", "history", account_id).splitlines()]


def _refused(client: TestClient, code: str, user: User = ADMIN, **fields: str) -> str:
    """The message of the error ``code`` the update answers; the account is left as it was."""
    return _refused_with(client, code, fields, user)


def _refused_with(client: TestClient, code: str, fields: dict[str, str], user: User = ADMIN) -> str:
    before = _account(client, user)
    answer = _update(client, user, **fields)
    assert (answer["status"], answer["error_code"]) == ("error", code), answer
    assert _account(client, user) == before
    return str(answer["error"])


# --- absent, blank, changed -----------------------------------------------------------------------


def test_an_absent_field_leaves_its_setting(client: TestClient) -> None:
    before = _account(client)
    after = _update(client, biz_city="Springfield")["account"]
    assert {key for key in after if after[key] != before[key]} == {"biz_city"}
    assert after == _account(client)


@pytest.mark.parametrize(
    "field",
    [
        "biz_address1",
        "biz_address2",
        "biz_city",
        "biz_state",
        "biz_zip",
        "biz_country",
        "biz_locations",
        "biz_employees",
        "industry",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
    ],
)
def test_a_blank_text_clears_it(client: TestClient, field: str) -> None:
    assert call_json(client, {**UPDATE, field: "   "})["account"][field] == ""
    assert _account(client)[field] == ""


@pytest.mark.parametrize(
    "field",
    ["biz_name", "symbol", "symbol_selector", "timezone", "timezone_selector", "language_selector", "biz_online"],
)
def test_a_blank_is_refused_where_a_setting_cannot_be_empty(client: TestClient, field: str) -> None:
    assert field in _refused_with(client, "parameter_invalid", {field: " "})


def test_texts_are_trimmed_and_kept_whole_up_to_255_characters(client: TestClient) -> None:
    assert _update(client, industry="  Retail  ")["account"]["industry"] == "Retail"
    assert _update(client, biz_address1="y" * 255)["account"]["biz_address1"] == "y" * 255
    assert "biz_address1" in _refused(client, "string_parameter_too_long", biz_address1="z" * 256)


def test_biz_name_changes_the_accounts_name(client: TestClient) -> None:
    assert _update(client, biz_name="Widgets Ltd")["account"]["biz_name"] == "Widgets Ltd"


def test_biz_employees_under_the_legacy_spelling_too(client: TestClient) -> None:
    assert _update(client, biz_empoloyees="12")["account"]["biz_employees"] == "12"
    assert "different" in _refused(client, "parameter_mismatch", biz_employees="1", biz_empoloyees="2")


def test_the_e_mail_addresses_must_look_like_one(client: TestClient) -> None:
    assert _update(client, contact_email="ops@widgets.example")["account"]["contact_email"] == "ops@widgets.example"
    assert "contact_email" in _refused(client, "parameter_invalid", contact_email="not an address")
    _update(client, client_email="billing@widgets.example")
    assert "client_email" in _refused(client, "parameter_invalid", client_email="billing@")


# --- symbol, timezone, language, biz_online --------------------------------------------------------


@pytest.mark.parametrize(("sent", "symbol", "glyph"), [("EUR", "EUR", "€"), ("gbp", "GBP", "£"), (" CLP ", "CLP", "")])
def test_symbol_is_an_iso_4217_code(client: TestClient, sent: str, symbol: str, glyph: str) -> None:
    account = _update(client, symbol=sent)["account"]
    assert (account["symbol"], account["glyph"]) == (symbol, glyph)


@pytest.mark.parametrize("sent", ["EURO", "XXX", "ABC", "$", "12"])
def test_an_unknown_currency_is_refused(client: TestClient, sent: str) -> None:
    assert "ISO 4217" in _refused(client, "parameter_invalid", symbol_selector=sent)


def test_the_two_names_of_a_setting_must_agree(client: TestClient) -> None:
    assert _update(client, symbol="EUR", symbol_selector="eur")["account"]["symbol"] == "EUR"
    message = _refused(client, "parameter_mismatch", symbol="EUR", symbol_selector="USD")
    assert "symbol" in message and "symbol_selector" in message


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC"])
def test_timezone_is_an_iana_name(client: TestClient, zone: str) -> None:
    assert _update(client, timezone=zone)["account"]["timezone"] == zone


@pytest.mark.parametrize("zone", ["68", "Mars/Olympus", "europe/paris", "GMT+2"])
def test_other_time_zones_are_refused(client: TestClient, zone: str) -> None:
    assert "IANA" in _refused(client, "parameter_invalid", timezone_selector=zone)


def test_language_is_a_two_letter_code(client: TestClient) -> None:
    assert _update(client, language_selector="fr")["account"]["language"] == "FR"
    assert _update(client, language="de")["account"]["language"] == "DE"
    assert "language_selector" in _refused(client, "parameter_invalid", language_selector="French")


@pytest.mark.parametrize(("sent", "shown"), [("Y", "Y"), ("yes", "Y"), ("N", "N"), ("no", "N"), ("y", "Y")])
def test_biz_online_is_y_or_n(client: TestClient, sent: str, shown: str) -> None:
    assert _update(client, biz_online=sent)["account"]["biz_online"] == shown


def test_biz_online_refuses_other_words(client: TestClient) -> None:
    assert "Y or N" in _refused(client, "parameter_invalid", biz_online="maybe")


# --- the rights, the account ---------------------------------------------------------------------


@pytest.mark.parametrize("user", [ADMIN, OWNER])
def test_administrators_and_the_owner_may_update(client: TestClient, user: User) -> None:
    assert _update(client, user, biz_city="Owner Town")["account"]["biz_city"] == "Owner Town"


@pytest.mark.parametrize("user", [MANAGER, CLERK])
def test_managers_and_clerks_may_not(client: TestClient, user: User) -> None:
    message = _refused(client, "permission_denied", user, biz_city="Nowhere")
    assert message == f"The user {user[1]} may not change the account's settings."


def test_account_id_names_the_callers_account_only(client: TestClient) -> None:
    before = _account(client)
    assert _update(client, OTHER_ADMIN, biz_city="Otherville")["account"]["account_id"] == "otherco"
    assert _account(client) == before
    answer = call(client, {**UPDATE, "biz_city": "X"}, ("otherco", "john1970", ADMIN[2]))
    assert error_code(answer) == "no_valid_session"


def test_the_account_id_cannot_change(client: TestClient) -> None:
    assert _refused(client, "parameter_invalid", new_account_id="widgets2") == "The account_id cannot be changed."


def test_the_agency_is_the_operators(client: TestClient) -> None:
    assert status_of(call(client, {**UPDATE, "agency": "greatwidgets"})) == "success"  # the account's own: unchanged
    message = _refused(client, "permission_denied", agency="loyaltygator")
    assert message == "The user john1970 may not change the account's agency."


def test_fields_not_kept_are_ignored_with_a_warning(client: TestClient) -> None:
    before = _account(client)
    answer = call(client, {**UPDATE, "mailchimp_password": "pw", "activate": "Y"})
    assert status_of(answer) == "success"
    assert warnings_of(answer) == [
        "The field activate was ignored: this server does not keep it.",
        "The field mailchimp_password was ignored: this server does not keep it.",
    ]
    assert _account(client) == before


def test_nothing_sent_changes_nothing_and_records_nothing(client: TestClient, settings: Settings) -> None:
    assert _update(client)["account"] == _account(client)
    assert _update(client, biz_city="Anytown")["status"] == "success"  # the value it has
    assert _history(settings) == []


# --- the owner's key ------------------------------------------------------------------------------


NEW_KEY: Final = "a-new-owner-key-0123"


def test_new_account_password_is_the_owners_new_key(client: TestClient) -> None:
    assert _update(client, new_account_password=f"  {NEW_KEY} ")["status"] == "success"
    new_owner = ("greatwidgets", "greatwidgets", NEW_KEY)
    assert _account(client, new_owner)["account_id"] == "greatwidgets"
    assert error_code(call(client, {"type": "account_info"}, OWNER)) == "no_valid_session"
    assert status_of(call(client, {"type": "account_info"}, ADMIN)) == "success"  # other users keep theirs


def test_the_owner_may_change_its_own_key(settings: Settings) -> None:
    # A process keeps a login it looked up for LOYALTY_LOGIN_CACHE_SECONDS (the owner's, here): off for this test.
    with TestClient(create_app(dataclasses.replace(settings, login_cache_seconds=0))) as client:
        assert _update(client, OWNER, new_account_password=NEW_KEY)["status"] == "success"
        new_owner = ("greatwidgets", "greatwidgets", NEW_KEY)
        assert status_of(call(client, {"type": "account_info"}, new_owner)) == "success"
        assert error_code(call(client, {"type": "account_info"}, OWNER)) == "no_valid_session"


@pytest.mark.parametrize(("key", "code"), [("", "parameter_invalid"), ("x" * 15, "parameter_invalid")])
def test_a_short_or_blank_key_is_refused(client: TestClient, key: str, code: str) -> None:
    message = _refused(client, code, new_account_password=key)
    assert message == "The field new_account_password must have at least 16 characters."
    assert status_of(call(client, {"type": "account_info"}, OWNER)) == "success"


def test_a_key_over_255_characters_is_refused(client: TestClient) -> None:
    _refused(client, "string_parameter_too_long", new_account_password="k" * 256)
    assert status_of(call(client, {"type": "account_info"}, OWNER)) == "success"


def test_a_refused_field_changes_nothing_else(client: TestClient) -> None:
    _refused(client, "parameter_invalid", biz_city="Elsewhere", new_account_password=NEW_KEY, symbol="XYZ")
    assert status_of(call(client, {"type": "account_info"}, OWNER)) == "success"


# --- the audit -------------------------------------------------------------------------------------


def test_each_change_is_audited_with_old_and_new_values(client: TestClient, settings: Settings) -> None:
    _update(client, biz_city="Wellington", symbol="NZD", biz_online="Y", biz_name="GW")
    _update(client, OWNER, biz_address2="")  # blank already: nothing recorded
    [record] = _history(settings)
    assert (record["user_id"], record["entity"], record["entity_id"], record["action"]) == (
        "john1970",
        "account",
        "greatwidgets",
        "update",
    )
    assert sorted(record["changes"], key=lambda c: c["field"]) == [
        {"field": "biz_city", "old": "Anytown", "new": "Wellington"},
        {"field": "biz_name", "old": "Great Widgets Company", "new": "GW"},
        {"field": "biz_online", "old": False, "new": True},
        {"field": "symbol", "old": "USD", "new": "NZD"},
    ]


def test_no_key_appears_in_the_audit(client: TestClient, settings: Settings) -> None:
    _update(client, OWNER, new_account_password=NEW_KEY, biz_city="Keyville")
    records = _history(settings)
    assert [(r["entity"], r["action"], r["changes"]) for r in records] == [
        ("account", "update", [{"field": "biz_city", "old": "Anytown", "new": "Keyville"}]),
        ("user", "rotate_key", []),
    ]
    trail = run_cli(settings, "account", "history", "greatwidgets")
    digest = key_digest("greatwidgets", "greatwidgets", NEW_KEY)
    for secret in (NEW_KEY, digest, digest.split("$")[1], OWNER[2]):
        assert secret not in trail


def test_account_set_follows_the_same_rules_and_is_audited(client: TestClient, settings: Settings) -> None:
    result = invoke(settings, "account", "set", "greatwidgets", "--currency", "XXX")
    assert result.exit_code == 2 and "ISO 4217" in result.output
    result = invoke(settings, "account", "set", "greatwidgets", "--name", " ")
    assert result.exit_code == 2 and "cannot be blank" in result.output
    run_cli(settings, "account", "set", "greatwidgets", "--biz-city", "Cli Town", "--by", "ops-alice")
    [record] = _history(settings)
    assert (record["user_id"], record["changes"]) == (
        "ops-alice",
        [{"field": "biz_city", "old": "Anytown", "new": "Cli Town"}],
    )
    assert _account(client)["biz_city"] == "Cli Town"


def test_errors_name_the_field_in_xml_too(client: TestClient) -> None:
    code, message = error_of(call(client, {**UPDATE, "symbol": "EURO"}))
    assert code == "parameter_invalid"
    assert message == 'The field symbol must be an ISO 4217 currency code such as USD or EUR, not "EURO".'
