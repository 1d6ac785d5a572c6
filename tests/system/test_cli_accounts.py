"""``loyalty-api account``: an account and its owner, its details, agency, time zone and XML compatibility."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store import create_store
from loyalty_api.store.models import AccountDetails
from loyalty_api.web.app import create_app
from tests.support.api import call, error_of
from tests.support.cli import invoke, run_cli, store_read
from tests.support.demo import POINTS


def _ok_json(settings: Settings, *args: str) -> dict[str, object]:
    value = json.loads(run_cli(settings, *args))
    assert isinstance(value, dict)
    return value


def _fails(settings: Settings, *args: str, exit_code: int) -> str:
    result = invoke(settings, *args)
    assert result.exit_code == exit_code, (result.output, result.exception)
    assert result.stdout == "" and "Traceback" not in result.output
    return result.stderr


def _details(settings: Settings, account_id: str) -> AccountDetails:
    async def read() -> AccountDetails:
        store = create_store(settings)
        await store.open()
        try:
            account = await store.get_account(account_id)
            assert account is not None
            details = await store.account_details(account.pk)
            assert details is not None
            return details
        finally:
            await store.close()

    return asyncio.run(read())


# --- account add ---------------------------------------------------------------------------------


def test_account_add_creates_the_account_and_its_owner_whose_key_is_shown_once(settings: Settings) -> None:
    result = invoke(settings, "account", "add", "acme", "--name", "  Acme Ltd ", "--currency", "eur", "--coalition")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    key = shown.pop("owner_api_key")
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert shown == {"account_id": "acme", "name": "Acme Ltd", "currency": "EUR", "owner_user_id": "acme"}
    assert "shown this once" in result.stderr
    account, owner = store_read(settings, "acme", "acme")
    assert account is not None and owner is not None
    assert (account.name, account.currency, account.in_coalition, account.in_two_tier) == (
        "Acme Ltd",
        "EUR",
        True,
        False,
    )
    principal = owner.principal
    assert principal.is_owner and principal.role.value == "A" and principal.allowed_campaigns is None
    # The owner logs in with the account id as its user_id.
    with TestClient(create_app(settings)) as client:
        answer = call(client, {"type": "campaigns_list"}, ("acme", "acme", key))
        assert answer.get("status") == "success"
        other = key[:-1] + ("1" if key.endswith("0") else "0")  # never the key itself (it may end in 0)
        wrong = call(client, {"type": "campaigns_list"}, ("acme", "acme", other))
        assert error_of(wrong)[0] == "no_valid_session"


def test_account_add_defaults(settings: Settings) -> None:
    assert _ok_json(settings, "account", "add", "plain.shop-1", "--name", "Plain", "--two-tier")["currency"] == "USD"
    account, _ = store_read(settings, "plain.shop-1", "nobody")
    assert account is not None and (account.in_coalition, account.in_two_tier) == (False, True)


def test_account_add_refuses_an_existing_account(settings: Settings) -> None:
    assert "exists already" in _fails(settings, "account", "add", "greatwidgets", "--name", "Again", exit_code=1)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["bad id", "--name", "X"], "ACCOUNT_ID"),
        (["x" * 65, "--name", "X"], "ACCOUNT_ID"),
        (["shop", "--name", "X", "--currency", "EURO"], "--currency"),
        (["shop", "--name", "X", "--currency", "E1R"], "--currency"),
        (["shop"], "--name"),
    ],
)
def test_account_add_validates(settings: Settings, args: list[str], complaint: str) -> None:
    assert complaint in _fails(settings, "account", "add", *args, exit_code=2)
    account, _ = store_read(settings, "shop", "nobody")
    assert account is None


def test_the_owners_key_can_be_rotated(settings: Settings) -> None:
    key = "a-new-owner-key-of-20+"
    result = invoke(settings, "user", "rotate-key", "otherco", "--account", "otherco", "--key-stdin", input=key + "\n")
    assert result.exit_code == 0, result.output
    with TestClient(create_app(settings)) as client:
        assert call(client, {"type": "campaigns_list"}, ("otherco", "otherco", key)).get("status") == "success"


# --- account set / show --------------------------------------------------------------------------


def test_account_show_prints_the_details(settings: Settings) -> None:
    shown = _ok_json(settings, "account", "show", "greatwidgets")
    created = shown.pop("created_at")
    assert isinstance(created, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", created)
    assert shown["account_id"] == "greatwidgets" and shown["name"] == "Great Widgets Company"
    assert shown["industry"] == "Science & Technology" and shown["biz_city"] == "Anytown"
    assert shown["agency"] == {
        "id": "greatwidgets",
        "name": "Great Widgets Company",
        "email": "john@greatwidgets.example",
    }
    assert (shown["timezone"], shown["legacy_ampersand"], shown["coalition"], shown["biz_online"]) == (
        "UTC",
        False,
        True,
        False,
    )


def test_account_set_changes_what_it_names_and_nothing_else(settings: Settings) -> None:
    before = _ok_json(settings, "account", "show", "otherco")
    after = _ok_json(
        settings,
        "account",
        "set",
        "otherco",
        "--biz-city",
        "  Springfield ",
        "--biz-online",
        "--timezone",
        "Europe/Paris",
        "--agency-id",
        "loyaltygator",
        "--agency-name",
        "Loyalty Gator Inc.",
        "--agency-email",
        "receipts@loyaltygator.example",
        "--legacy-ampersand",
        "--currency",
        "nzd",
    )
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {"biz_city", "biz_online", "timezone", "agency", "legacy_ampersand", "currency"}
    assert after["biz_city"] == "Springfield" and after["currency"] == "NZD"
    assert after["agency"] == {
        "id": "loyaltygator",
        "name": "Loyalty Gator Inc.",
        "email": "receipts@loyaltygator.example",
    }
    stored = _details(settings, "otherco")
    assert stored.account.timezone == "Europe/Paris" and stored.account.legacy_ampersand and stored.biz_online
    assert stored.details["biz_city"] == "Springfield"
    back = _ok_json(settings, "account", "set", "otherco", "--no-legacy-ampersand", "--agency-id", "")
    assert back["legacy_ampersand"] is False
    assert back["agency"] == {"id": "otherco", "name": "Other Company", "email": "admin@otherco.example"}


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--currency", "EURO"], "--currency"),
        (["--timezone", "Mars/Olympus"], "--timezone"),
        (["--biz-city", "x" * 256], "--biz_city"),
        ([], "nothing to set"),
    ],
)
def test_account_set_validates(settings: Settings, args: list[str], complaint: str) -> None:
    before = _ok_json(settings, "account", "show", "otherco")
    assert complaint in _fails(settings, "account", "set", "otherco", *args, exit_code=2)
    assert _ok_json(settings, "account", "show", "otherco") == before


def test_account_set_and_show_of_an_unknown_account(settings: Settings) -> None:
    assert "nowhere" in _fails(settings, "account", "set", "nowhere", "--biz-city", "X", exit_code=1)
    assert "nowhere" in _fails(settings, "account", "show", "nowhere", exit_code=1)


def test_a_value_of_255_characters_is_kept_whole(settings: Settings) -> None:
    assert _ok_json(settings, "account", "set", "otherco", "--industry", "y" * 255)["industry"] == "y" * 255


def test_the_demo_campaigns_are_untouched_by_account_set(settings: Settings) -> None:
    _ok_json(settings, "account", "set", "greatwidgets", "--currency", "EUR")
    with TestClient(create_app(settings)) as client:
        answer = call(
            client,
            {"type": "campaign_rewards", "campaign_id": POINTS},
            ("greatwidgets", "john1970", "1959caadac9b13dcb3"),
        )
        assert answer.get("status") == "success"
