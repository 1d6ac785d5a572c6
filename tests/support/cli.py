"""The operator's CLI (``loyalty-api``) run against the test database, in process (``click.testing``).

Tests read what the store holds through it (``campaign show``, ``campaign history``, ``customer history``) rather
than trusting an answer, so that what they check holds on every backend the CLI reaches through
``LOYALTY_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Final

from click.testing import CliRunner, Result

from loyalty_api.cli import cli
from loyalty_api.config import Settings
from loyalty_api.store import create_store
from loyalty_api.store.models import Account, Login

__all__ = [
    "HISTORY_KEYS",
    "SHOW_KEYS",
    "customer_history",
    "history",
    "invoke",
    "restore_campaign",
    "restore_customer",
    "run_cli",
    "said",
    "show",
    "store_read",
]

GREATWIDGETS: Final = "greatwidgets"
_LOG_LINE: Final = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")
# The keys `loyalty-api campaign show` prints, in order.
SHOW_KEYS: Final = [
    "id",
    "account_id",
    "type",
    "name",
    "description",
    "points_ratio",
    "reward_ratio",
    "amount_per_event",
    "coalition_opt_out",
    "two_tier_opt_out",
    "active",
    "created_at",
    "updated_at",
]
# The keys of each audit record `loyalty-api campaign history` and `customer history` print, in order.
HISTORY_KEYS: Final = ["id", "at", "account_id", "user_id", "entity", "entity_id", "action", "changes"]


def invoke(settings: Settings, *args: str, input: str | None = None) -> Result:
    """Run ``loyalty-api ARGS`` against the test database (``input`` on its standard input), whatever its outcome."""
    return CliRunner().invoke(cli, list(args), input=input, env={"LOYALTY_DATABASE_URL": settings.database_url})


def said(result: Result) -> str:
    """What a command wrote on standard error besides its log lines (the database a writing command names)."""
    return "".join(line for line in result.stderr.splitlines(keepends=True) if not _LOG_LINE.match(line))


def run_cli(settings: Settings, *args: str) -> str:
    """Run ``loyalty-api ARGS`` against the test database; its standard output (the exit code must be 0)."""
    result = invoke(settings, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def show(settings: Settings, campaign_id: str, account_id: str = GREATWIDGETS) -> dict[str, Any]:
    """``loyalty-api campaign show``: the stored campaign."""
    shown = json.loads(run_cli(settings, "campaign", "show", campaign_id, "--account", account_id))
    assert isinstance(shown, dict)
    return shown


def history(settings: Settings, campaign_id: str, account_id: str = GREATWIDGETS) -> list[dict[str, Any]]:
    """``loyalty-api campaign history``: the audit records, oldest first."""
    out = run_cli(settings, "campaign", "history", campaign_id, "--account", account_id)
    return [json.loads(line) for line in out.splitlines()]


def customer_history(settings: Settings, code: str, account_id: str = GREATWIDGETS) -> list[dict[str, Any]]:
    """``loyalty-api customer history``: the customer's audit records, oldest first."""
    out = run_cli(settings, "customer", "history", code, "--account", account_id)
    return [json.loads(line) for line in out.splitlines()]


def restore_campaign(settings: Settings, campaign_id: str, by: str = "ops-alice") -> Result:
    """``loyalty-api campaign restore`` of a deleted greatwidgets campaign, whatever its outcome."""
    return invoke(settings, "campaign", "restore", campaign_id, "--account", GREATWIDGETS, "--by", by)


def restore_customer(settings: Settings, code: str, by: str = "ops-alice") -> Result:
    """``loyalty-api customer restore`` of a deleted greatwidgets customer, whatever its outcome."""
    return invoke(settings, "customer", "restore", code, "--account", GREATWIDGETS, "--by", by)


def store_read(settings: Settings, account_id: str, user_name: str) -> tuple[Account | None, Login | None]:
    """The account and the user's login as the store holds them (read on a store of its own)."""

    async def read() -> tuple[Account | None, Login | None]:
        store = create_store(settings)
        await store.open()
        try:
            return await store.get_account(account_id), await store.find_login(account_id, user_name)
        finally:
            await store.close()

    return asyncio.run(read())
