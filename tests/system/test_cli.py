"""The ``loyalty-api`` command: ``db upgrade`` (also from before migration 0005), ``db check``, ``demo``,
``account add``, ``user add``, ``campaign add/show/history``, and ``serve`` refusing bad argon2 parameters.

Each command runs through :class:`click.testing.CliRunner` with ``LOYALTY_DATABASE_URL`` naming the test database;
what it stores is checked through the store and through the API.  ``serve`` runs in ``test_live.py``.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from click.testing import CliRunner
from lxml import etree
from starlette.testclient import TestClient

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.customers import secrets as secrets_hashing
from loyalty_api.store import Role
from loyalty_api.store.ledger_models import BalanceMismatch, LedgerSums
from loyalty_api.web.app import create_app
from tests.support.api import call
from tests.support.backends import backend_settings
from tests.support.balances import JANES_BALANCES, balance_mismatches, fill_ledger, run_sql
from tests.support.campaigns import update
from tests.support.cli import HISTORY_KEYS, SHOW_KEYS, invoke, run_cli, said, show, store_read
from tests.support.customers import production_argon2
from tests.support.demo import BUYX, EARNED, JANE, POINTS
from tests.support.users import ADMIN, MANAGER, OTHER_ADMIN, User

_ISO_UTC: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
# What `campaign show` prints of the demo's points campaign, its times aside.
POINTS_SHOWN: Final[dict[str, Any]] = {
    "id": POINTS,
    "account_id": "greatwidgets",
    "type": "points",
    "name": "Widget Rewards",
    "description": None,
    "points_ratio": "100",
    "reward_ratio": "18",
    "amount_per_event": None,
    "coalition_opt_out": False,
    "two_tier_opt_out": False,
    "active": True,
}


def ok_json(settings: Settings, *args: str) -> dict[str, object]:
    value = json.loads(run_cli(settings, *args))
    assert isinstance(value, dict)
    return value


def fails(settings: Settings, *args: str, exit_code: int) -> str:
    """Run a command that must fail with ``exit_code``; its error output."""
    result = invoke(settings, *args)
    assert result.exit_code == exit_code, (result.output, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def empty(backend: str, tmp_path: Path) -> Settings:
    """A database that has not been created yet."""
    return backend_settings(backend, tmp_path)


def _update(client: TestClient, user: User, campaign_id: str, **fields: str) -> tuple[str, str | None]:
    """A ``campaign_update``: ``(status, error code or None)``."""
    root = update(client, campaign_id, fields, user)
    error = root.find("error")
    return str(root.get("status")), None if error is None else error.get("code")


# --- db upgrade, demo ----------------------------------------------------------------------------


def test_db_upgrade_applies_the_migrations_then_says_up_to_date(empty: Settings) -> None:
    first = run_cli(empty, "db", "upgrade").splitlines()
    assert first, "no migration applied to an empty database"
    assert all(line.startswith("applied migration ") for line in first)
    names = [line.removeprefix("applied migration ") for line in first]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert names[0].startswith("0001_")
    assert run_cli(empty, "db", "upgrade") == "the schema is up to date\n"
    assert run_cli(empty, "db", "upgrade") == "the schema is up to date\n"


def test_demo_loads_once(empty: Settings) -> None:
    assert run_cli(empty, "demo") == "loaded the demo world\n"
    assert run_cli(empty, "demo") == "the demo world is already there\n"
    assert run_cli(empty, "db", "upgrade") == "the schema is up to date\n"
    shown = ok_json(empty, "campaign", "show", "1234567890123451", "--account", "greatwidgets")
    assert (shown["name"], shown["points_ratio"], shown["reward_ratio"]) == ("Widget Rewards", "100", "18")
    with TestClient(create_app(empty)) as client:
        assert _update(client, ADMIN, "1234567890123450", new_campaign_name="Demo works") == ("updated", None)


def test_demo_after_upgrade(empty: Settings) -> None:
    run_cli(empty, "db", "upgrade")
    assert run_cli(empty, "demo") == "loaded the demo world\n"


def test_an_unsupported_database_url_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"LOYALTY_DATABASE_URL": "mysql://localhost/x"})
    assert result.exit_code == 1
    assert "unsupported LOYALTY_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"], prog_name="loyalty-api")
    assert result.exit_code == 0
    assert re.fullmatch(r"loyalty-api, version \d+\.\d+\.\d+\S*\n", result.stdout)


# --- db upgrade from before migration 0005, db check ---------------------------------------------------------------


def test_a_store_from_before_migration_0005_gets_its_balances(client: TestClient, settings: Settings) -> None:
    """The database is taken back to where it was before 0005 (which only adds ``ledger_balances``): the table is
    dropped and its migration unrecorded, the ledger kept.  ``db upgrade`` must then fill it from the ledger."""
    fill_ledger(client)
    before = run_sql(settings, JANES_BALANCES)
    shown = etree.tostring(call(client, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX}))
    run_sql(settings, "DROP TABLE ledger_balances", "DELETE FROM schema_migrations WHERE name = 'running_balances'")
    upgraded = invoke(settings, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.startswith("applied migration ") and upgraded.stdout.strip().endswith("_running_balances")
    assert run_sql(settings, JANES_BALANCES) == before
    assert balance_mismatches(settings) == []
    with TestClient(create_app(settings)) as again:
        assert etree.tostring(call(again, {"type": "customer_balance", "code": JANE, "campaign_id": BUYX})) == shown


def test_db_check_says_ok_or_lists_every_difference(client: TestClient, settings: Settings) -> None:
    checked = invoke(settings, "db", "check")
    assert (checked.exit_code, checked.stdout) == (0, "ok\n")
    ((found_campaign, found_customer),) = run_sql(
        settings,
        "SELECT c.pk, u.pk FROM campaigns c, customers u WHERE c.campaign_id = '1234567890123455'"
        " AND u.code = '8000000000000001'",
    )
    assert isinstance(found_campaign, int) and isinstance(found_customer, int)
    campaign_pk, customer_pk = found_campaign, found_customer
    run_sql(
        settings,
        f"UPDATE ledger_balances SET balance_cents = 49999 WHERE campaign_pk = {campaign_pk} AND service_product = ''",
        f"DELETE FROM ledger_balances WHERE campaign_pk = {campaign_pk} AND service_product = 'Activation'",
        "INSERT INTO ledger_balances (account_pk, campaign_pk, customer_pk, service_product, balance_cents,"
        f" cumulative_cents) SELECT account_pk, {campaign_pk}, {customer_pk}, '77', 300, 300 FROM campaigns"
        f" WHERE pk = {campaign_pk}",
    )
    checked = invoke(settings, "db", "check")
    assert checked.exit_code == 1
    found = [json.loads(line) for line in checked.stdout.splitlines()]
    of = {"campaign_pk": campaign_pk, "customer_pk": customer_pk}
    assert found == [
        {**of, "service_product": "", "ledger": _cents(50000, 50000), "running": _cents(49999, 50000)},
        {**of, "service_product": "77", "ledger": None, "running": _cents(300, 300)},
        {**of, "service_product": "Activation", "ledger": _cents(0, 0), "running": None},
    ]
    assert "3 running balance(s) differ from the ledger" in checked.stderr
    assert balance_mismatches(settings) == [
        BalanceMismatch(campaign_pk, customer_pk, "", LedgerSums(50000, 50000), LedgerSums(49999, 50000)),
        BalanceMismatch(campaign_pk, customer_pk, "77", None, LedgerSums(300, 300)),
        BalanceMismatch(campaign_pk, customer_pk, "Activation", LedgerSums(0, 0), None),
    ]


def _cents(balance: int, cumulative: int) -> dict[str, int]:
    return {"balance_cents": balance, "cumulative_cents": cumulative}


# --- user add ------------------------------------------------------------------------------------


def test_user_add_prints_a_generated_key_once_and_it_works(settings: Settings, client: TestClient) -> None:
    result = invoke(settings, "user", "add", "ops_1", "--account", "greatwidgets", "--role", "a")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    key = shown.pop("user_api_key")
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    assert shown == {"account_id": "greatwidgets", "user_id": "ops_1", "role": "A", "allowed_campaigns": "all"}
    assert "shown this once" in result.stderr
    assert _update(client, ("greatwidgets", "ops_1", key), "1234567890123452", new_campaign_name="By ops") == (
        "updated",
        None,
    )
    assert _update(client, ("greatwidgets", "ops_1", key[:-1] + "x"), "1234567890123452")[1] == "no_valid_session"
    # Only its digest is stored.
    if settings.database_url.startswith("sqlite:"):
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
        assert key.encode() not in stored


def test_two_generated_keys_differ(settings: Settings) -> None:
    keys = {
        json.loads(run_cli(settings, "user", "add", name, "--account", "otherco", "--role", "K"))["user_api_key"]
        for name in ("k1", "k2")
    }
    assert len(keys) == 2


def test_user_add_with_a_given_password(settings: Settings, client: TestClient) -> None:
    result = invoke(
        settings, *shlex.split("user add till_2 --account greatwidgets --role M --password"), "a long secret!"
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert "user_api_key" not in shown
    assert "a long secret!" not in result.output
    assert said(result) == ""
    assert shown["allowed_campaigns"] == "all"
    assert _update(client, ("greatwidgets", "till_2", "a long secret!"), "WidgetClub", description="Hi") == (
        "updated",
        None,
    )


@pytest.mark.parametrize("password", ["short", "elevenchars"])
def test_user_add_refuses_a_short_password(settings: Settings, password: str) -> None:
    complaint = fails(
        settings,
        "user",
        "add",
        "shorty",
        "--account",
        "greatwidgets",
        "--role",
        "A",
        "--password",
        password,
        exit_code=2,
    )
    assert "at least 12 characters" in complaint
    assert store_read(settings, "greatwidgets", "shorty")[1] is None


def test_user_add_stores_role_and_campaigns(settings: Settings, client: TestClient) -> None:
    password = "manager-secret-1"
    shown = ok_json(
        settings,
        *shlex.split("user add area_mgr --account greatwidgets --role m --password"),
        password,
        "--campaigns",
        " 1234567890123453 ,WidgetClub,",
    )
    assert shown["role"] == "M"
    assert shown["allowed_campaigns"] == ["1234567890123453", "WidgetClub"]
    _, login = store_read(settings, "greatwidgets", "area_mgr")
    assert login is not None
    assert login.principal.role is Role.MANAGER
    assert login.principal.allowed_campaigns == frozenset({"1234567890123453", "WidgetClub"})
    assert password not in login.key_digest
    user = ("greatwidgets", "area_mgr", password)
    assert _update(client, user, "WidgetClub", description="Allowed") == ("updated", None)
    assert _update(client, user, "1234567890123450", description="Not allowed") == ("error", "campaign_not_found")


def test_a_clerk_added_by_the_cli_may_not_update(settings: Settings, client: TestClient) -> None:
    password = "clerk-secret-123"
    shown = ok_json(settings, *shlex.split("user add till --account greatwidgets --role K --password"), password)
    assert shown["role"] == "K"
    _, login = store_read(settings, "greatwidgets", "till")
    assert login is not None and login.principal.role is Role.CLERK
    assert _update(client, ("greatwidgets", "till", password), "1234567890123450")[1] == "permission_denied"


def test_an_administrator_always_has_every_campaign(settings: Settings) -> None:
    shown = ok_json(
        settings,
        *shlex.split("user add boss --account greatwidgets --role A --campaigns WidgetClub --password"),
        "x" * 12,
    )
    assert shown["allowed_campaigns"] == "all"
    _, login = store_read(settings, "greatwidgets", "boss")
    assert login is not None and login.principal.allowed_campaigns is None


def test_the_same_user_name_in_another_account(settings: Settings) -> None:
    run_cli(settings, *shlex.split("user add john1970 --account otherco --role A --password"), "other-john-key")
    _, login = store_read(settings, "otherco", "john1970")
    assert login is not None and login.principal.account.account_id == "otherco"


@pytest.mark.parametrize(
    ("args", "exit_code", "complaint"),
    [
        (["john1970", "--account", "greatwidgets", "--role", "A"], 1, "exists already"),
        (["newuser", "--account", "nosuchaccount", "--role", "A"], 1, "no account"),
        (["bad-name", "--account", "greatwidgets", "--role", "A"], 2, "USER_NAME"),
        (["x" * 21, "--account", "greatwidgets", "--role", "A"], 2, "USER_NAME"),
        (["newuser", "--account", "greatwidgets", "--role", "Z"], 2, "--role"),
        (["newuser", "--account", "greatwidgets"], 2, "--role"),
    ],
)
def test_user_add_errors(settings: Settings, args: list[str], exit_code: int, complaint: str) -> None:
    assert complaint in fails(settings, "user", "add", *args, exit_code=exit_code)


# --- campaign add --------------------------------------------------------------------------------


def test_campaign_add_gives_a_new_16_digit_id(settings: Settings, client: TestClient) -> None:
    shown = ok_json(settings, "campaign", "add", "--account", "greatwidgets", "--type", "points", "--name", " Spring ")
    assert list(shown) == SHOW_KEYS
    campaign_id = str(shown["id"])
    assert re.fullmatch(r"[1-9]\d{15}", campaign_id)
    assert shown["name"] == "Spring"
    assert (shown["points_ratio"], shown["reward_ratio"], shown["amount_per_event"]) == ("100", None, None)
    assert ok_json(settings, "campaign", "show", campaign_id, "--account", "greatwidgets") == shown
    assert _update(client, ADMIN, campaign_id, new_points_ratio="125") == ("updated", None)


def test_campaign_add_ids_differ(settings: Settings) -> None:
    args = ("campaign", "add", "--account", "otherco", "--type", "events", "--name", "Visits")
    assert len({ok_json(settings, *args)["id"] for _ in range(3)}) == 3


def test_campaign_add_with_values(settings: Settings) -> None:
    points = ok_json(
        settings,
        *shlex.split("campaign add --account greatwidgets --type points --name Rewards --id Rewards2005"),
        "--points-ratio",
        "12,5",
        "--reward-ratio",
        "0.0125",
        "--description",
        "Old campaign",
    )
    assert (points["id"], points["points_ratio"], points["reward_ratio"]) == ("Rewards2005", "12.5", "0.0125")
    assert points["description"] == "Old campaign"
    earned = ok_json(
        settings, *shlex.split("campaign add --account greatwidgets --type earned --name VIP --amount-per-event 5.9")
    )
    assert (earned["type"], earned["amount_per_event"]) == ("earned", "5.90")
    defaulted = ok_json(settings, *shlex.split("campaign add --account greatwidgets --type earned --name VIP2"))
    assert defaulted["amount_per_event"] == "0.00"
    giftcard = ok_json(settings, *shlex.split("campaign add --account greatwidgets --type giftcard --name Card"))
    assert (giftcard["points_ratio"], giftcard["amount_per_event"], giftcard["description"]) == (None, None, None)
    assert (giftcard["active"], giftcard["coalition_opt_out"], giftcard["two_tier_opt_out"]) == (True, False, False)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--type", "points", "--name", "P", "--points-ratio", "abc"], "points_ratio"),
        (["--type", "points", "--name", "P", "--points-ratio", "0"], "points_ratio"),
        (["--type", "points", "--name", "P", "--reward-ratio", "1.23456"], "reward_ratio"),
        (["--type", "earned", "--name", "E", "--amount-per-event", "1.999"], "amount_per_event"),
        (["--type", "earned", "--name", "E", "--amount-per-event", "-1"], "amount_per_event"),
        (["--type", "giftcard", "--name", "G", "--points-ratio", "100"], "only points campaigns"),
        (["--type", "points", "--name", "P", "--amount-per-event", "1"], "only earned campaigns"),
        (["--type", "points", "--name", "x" * 256], "255"),
        (["--type", "points", "--name", "   "], "name"),
        (["--type", "points", "--name", "P", "--description", "d" * 1001], "description"),
        (["--type", "lottery", "--name", "L"], "--type"),
        (["--name", "L"], "--type"),
    ],
)
def test_campaign_add_validates(settings: Settings, args: list[str], complaint: str) -> None:
    before = run_cli(settings, "campaign", "show", "1234567890123450", "--account", "greatwidgets")
    assert complaint in fails(settings, "campaign", "add", "--account", "greatwidgets", *args, exit_code=2)
    assert run_cli(settings, "campaign", "show", "1234567890123450", "--account", "greatwidgets") == before


def test_campaign_add_refuses_an_id_in_use_in_the_account(settings: Settings) -> None:
    args = ["campaign", "add", "--account", "greatwidgets", "--type", "events", "--name", "Dup", "--id", "WidgetClub"]
    assert "exists already" in fails(settings, *args, exit_code=1)
    assert ok_json(settings, "campaign", "show", "WidgetClub", "--account", "greatwidgets")["type"] == "events"


def test_campaign_add_needs_a_known_account(settings: Settings) -> None:
    args = ["campaign", "add", "--account", "nosuch", "--type", "events", "--name", "X"]
    assert "no account" in fails(settings, *args, exit_code=1)


# --- campaign show -------------------------------------------------------------------------------


def test_campaign_show_prints_exactly_the_documented_keys(settings: Settings) -> None:
    out = run_cli(settings, "campaign", "show", "1234567890123451", "--account", "greatwidgets")
    assert out.endswith("\n") and out.count("\n") == 1
    shown = json.loads(out)
    assert list(shown) == SHOW_KEYS
    created_at, updated_at = shown.pop("created_at"), shown.pop("updated_at")
    assert _ISO_UTC.fullmatch(created_at) and _ISO_UTC.fullmatch(updated_at)
    assert shown == POINTS_SHOWN


def test_campaign_show_prints_one_line_with_times_in_utc(settings: Settings) -> None:
    out = run_cli(settings, "campaign", "show", POINTS, "--account", "greatwidgets")
    assert len(out.splitlines()) == 1
    shown = json.loads(out)
    assert list(shown) == SHOW_KEYS
    assert {k: shown[k] for k in SHOW_KEYS[:11]} == POINTS_SHOWN
    created = datetime.fromisoformat(shown["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert shown["updated_at"] == shown["created_at"]


def test_campaign_show_money_and_unicode(settings: Settings, client: TestClient) -> None:
    assert (
        ok_json(settings, "campaign", "show", "1234567890123453", "--account", "greatwidgets")["amount_per_event"]
        == "5.95"
    )
    _update(client, ADMIN, "1234567890123453", new_campaign_name="Café ☕")
    out = run_cli(settings, "campaign", "show", "1234567890123453", "--account", "greatwidgets")
    assert '"name": "Café ☕"' in out


def test_campaign_show_after_an_update(settings: Settings, client: TestClient) -> None:
    before = ok_json(settings, "campaign", "show", "1234567890123451", "--account", "greatwidgets")
    assert _update(client, ADMIN, "1234567890123451", new_reward_ratio="", coalition_opt_out="Y") == ("updated", None)
    after = ok_json(settings, "campaign", "show", "1234567890123451", "--account", "greatwidgets")
    assert (after["reward_ratio"], after["coalition_opt_out"]) == (None, True)
    assert after["created_at"] == before["created_at"]
    assert str(after["updated_at"]) > str(before["updated_at"])


def test_campaign_show_of_an_earned_campaign_after_an_update(client: TestClient, settings: Settings) -> None:
    update(client, EARNED, {"new_amount_per_event": "0,5", "two_tier_opt_out": "Y"})
    shown = show(settings, EARNED)
    assert (shown["type"], shown["amount_per_event"], shown["points_ratio"], shown["reward_ratio"]) == (
        "earned",
        "0.50",
        None,
        None,
    )
    assert shown["two_tier_opt_out"] is True and shown["coalition_opt_out"] is False
    assert shown["updated_at"] > shown["created_at"]


@pytest.mark.parametrize(
    ("campaign_id", "account_id", "complaint"),
    [
        ("0000000000000000", "greatwidgets", "no campaign"),
        ("9999999999999999", "greatwidgets", "no campaign"),
        ("1234567890123450", "nosuch", "no account"),
    ],
)
def test_campaign_show_errors(settings: Settings, campaign_id: str, account_id: str, complaint: str) -> None:
    assert complaint in fails(settings, "campaign", "show", campaign_id, "--account", account_id, exit_code=1)


# --- campaign history ----------------------------------------------------------------------------


def test_campaign_history_is_empty_for_an_untouched_campaign(settings: Settings) -> None:
    assert run_cli(settings, "campaign", "history", "1234567890123450", "--account", "greatwidgets") == ""


def test_campaign_history_prints_one_object_per_update_oldest_first(settings: Settings, client: TestClient) -> None:
    assert _update(client, ADMIN, "1234567890123451", new_campaign_name="First", new_points_ratio="110")[0] == "updated"
    manager = MANAGER
    assert _update(client, manager, "1234567890123451", new_reward_ratio="")[0] == "updated"
    assert _update(client, ADMIN, "1234567890123451", new_campaign_name="First")[0] == "updated"  # changes nothing
    lines = run_cli(settings, "campaign", "history", "1234567890123451", "--account", "greatwidgets").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    assert [list(record) for record in records] == [HISTORY_KEYS, HISTORY_KEYS]
    first, second = records
    assert first["id"] < second["id"] and first["at"] <= second["at"]
    assert _ISO_UTC.fullmatch(first["at"])
    assert {k: first[k] for k in ("account_id", "user_id", "entity", "entity_id", "action")} == {
        "account_id": "greatwidgets",
        "user_id": "john1970",
        "entity": "campaign",
        "entity_id": "1234567890123451",
        "action": "update",
    }
    assert sorted(first["changes"], key=lambda change: change["field"]) == [
        {"field": "name", "old": "Widget Rewards", "new": "First"},
        {"field": "points_ratio", "old": "100", "new": "110"},
    ]
    assert second["user_id"] == "mgr1970"
    assert second["changes"] == [{"field": "reward_ratio", "old": "18", "new": None}]


def test_campaign_history_of_another_accounts_campaign_is_empty(settings: Settings, client: TestClient) -> None:
    other = OTHER_ADMIN
    assert _update(client, other, "9999999999999999", new_points_ratio="90")[0] == "updated"
    assert run_cli(settings, "campaign", "history", "9999999999999999", "--account", "greatwidgets") == ""
    assert len(run_cli(settings, "campaign", "history", "9999999999999999", "--account", "otherco").splitlines()) == 1


def test_campaign_history_needs_a_known_account(settings: Settings) -> None:
    assert "no account" in fails(settings, "campaign", "history", "WidgetClub", "--account", "nosuch", exit_code=1)


# --- serve -------------------------------------------------------------------------------------------------------


@pytest.fixture
def production_parameters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from production_argon2(monkeypatch)


def test_serve_refuses_to_start_with_bad_parameters(
    production_parameters: None, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setenv(secrets_hashing.ENV_TIME_COST, "0")
    result = invoke(settings, "serve")
    assert result.exit_code == 1 and "LOYALTY_ARGON2_TIME_COST must be a whole number of at least 1" in result.output
