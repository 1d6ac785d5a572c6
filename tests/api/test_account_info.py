"""``account_info``: the caller's account, every element of the legacy answer, in XML and JSON."""

from __future__ import annotations

from typing import Final

from starlette.testclient import TestClient

from loyalty_api.accounts.account_info import local_time_text
from loyalty_api.config import Settings
from tests.support.api import call, call_json
from tests.support.cli import run_cli
from tests.support.golden import GoldenCase, golden_tests
from tests.support.users import CLERK, OTHER_ADMIN, OWNER

CASES: Final = [
    GoldenCase("account_info", {"type": "account_info"}),
    GoldenCase("account_info_other_account", {"type": "account_info"}, OTHER_ADMIN),
]

test_answers_match_golden_files, test_no_stray_golden_files = golden_tests(
    "accounts", CASES, owns=lambda name: name.startswith("account_info")
)

# The legacy answer's elements, in its order, then the two real clients read besides.
ELEMENTS: Final = [
    "account_id",
    "biz_name",
    "biz_address1",
    "biz_address2",
    "biz_city",
    "biz_state",
    "biz_zip",
    "biz_country",
    "biz_locations",
    "biz_online",
    "biz_employees",
    "industry",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "language",
    "symbol",
    "glyph",
    "timezone",
    "coalition",
    "created",
]


def test_every_element_in_the_legacy_order(client: TestClient) -> None:
    account = call(client, {"type": "account_info"}).find("account")
    assert account is not None
    assert [child.tag for child in account] == ELEMENTS
    assert account.findtext("biz_name") == "Great Widgets Company"
    assert (account.findtext("symbol"), account.findtext("glyph"), account.findtext("coalition")) == ("USD", "$", "Y")


def test_every_user_of_the_account_may_ask_and_sees_its_own_account(client: TestClient) -> None:
    for user in (CLERK, OWNER):
        assert call(client, {"type": "account_info"}, user).findtext("account/account_id") == "greatwidgets"
    assert call(client, {"type": "account_info"}, OTHER_ADMIN).findtext("account/account_id") == "otherco"


def test_json_has_texts_only(client: TestClient) -> None:
    account = call_json(client, {"type": "account_info", "output": "JSON"})["account"]
    assert list(account) == ELEMENTS
    assert all(isinstance(value, str) for value in account.values())
    assert account["biz_online"] == "N" and account["industry"] == "Science & Technology"


def test_what_the_operator_sets_is_answered(client: TestClient, settings: Settings) -> None:
    run_cli(
        settings,
        "account",
        "set",
        "otherco",
        "--biz-online",
        "--biz-city",
        "Wellington",
        "--currency",
        "NZD",
        "--timezone",
        "Pacific/Auckland",
        "--no-coalition",
    )
    account = call_json(client, {"type": "account_info", "output": "JSON"}, OTHER_ADMIN)["account"]
    assert (account["biz_online"], account["biz_city"], account["symbol"], account["glyph"]) == (
        "Y",
        "Wellington",
        "NZD",
        "$",
    )
    assert (account["timezone"], account["coalition"]) == ("Pacific/Auckland", "N")


def test_created_is_told_in_the_accounts_time_zone() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    assert local_time_text(moment, "UTC") == "2026-12-07 23:30:00"
    assert local_time_text(moment, "Pacific/Auckland") == "2026-12-08 12:30:00"
    assert local_time_text(moment, "America/New_York") == "2026-12-07 18:30:00"
    assert local_time_text(moment, "Not/AZone") == "2026-12-07 23:30:00"  # a name this machine does not know: UTC
