"""Operator commands on merchant accounts: add one (with its owner), set its details, show them, their history."""

from __future__ import annotations

import asyncio
import getpass
import re
from typing import Final

import click

from loyalty_api.accounts.account_settings import change_account, setting_value
from loyalty_api.accounts.auth import generate_key, key_digest
from loyalty_api.cli._campaigns import audit_json
from loyalty_api.cli._common import echo_json, require_account, with_store
from loyalty_api.errors import ApiError
from loyalty_api.store.interface import Store
from loyalty_api.store.models import ACCOUNT_DETAIL_FIELDS, AccountDetails

__all__ = ["account"]

_ACCOUNT_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@click.group()
def account() -> None:
    """Merchant accounts."""


@account.command("add")
@click.argument("account_id")
@click.option("--name", required=True, help="Business name.")
@click.option("--currency", default="USD", show_default=True, help="ISO 4217 code, e.g. USD, EUR.")
@click.option("--coalition/--no-coalition", default=False, help="Member of a coalition program.")
@click.option("--two-tier/--no-two-tier", default=False, help="Member of a two-tier program.")
def account_add(account_id: str, name: str, currency: str, coalition: bool, two_tier: bool) -> None:
    """Create the account ACCOUNT_ID and its owner (user_id ACCOUNT_ID, an administrator), whose key is printed
    once."""
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise click.BadParameter("letters, digits, '_', '.', '-'; 1 to 64 characters", param_hint="ACCOUNT_ID")
    name = str(_checked("name", name, "name"))
    currency = str(_checked("currency", currency, "currency"))
    key = generate_key()

    async def run(store: Store) -> None:
        if await store.get_account(account_id) is not None:
            raise click.ClickException(f"the account {account_id!r} exists already")
        owner = key_digest(account_id, account_id, key)
        created = await store.add_account(account_id, name, currency, coalition, two_tier, owner)
        echo_json(
            {
                "account_id": created.account_id,
                "name": created.name,
                "currency": created.currency,
                "owner_user_id": created.account_id,
                "owner_api_key": key,
            }
        )
        click.echo("The owner's key is shown this once; only its digest is stored.", err=True)

    asyncio.run(with_store(run, writes=True))


def _detail_options(command: click.decorators.FC) -> click.decorators.FC:
    for name in reversed(ACCOUNT_DETAIL_FIELDS):
        command = click.option(f"--{name.replace('_', '-')}", name, help=f"account_info's {name}.")(command)
    return command


@account.command("set")
@click.argument("account_id")
@click.option("--name", help="Business name (account_info's biz_name).")
@click.option("--currency", help="ISO 4217 code.")
@click.option("--coalition/--no-coalition", default=None, help="Member of a coalition program.")
@click.option("--two-tier/--no-two-tier", default=None, help="Member of a two-tier program.")
@click.option("--biz-online/--no-biz-online", default=None, help="Sells online.")
@click.option("--timezone", help="IANA name, e.g. Europe/Paris (reports' dates); UTC by default.")
@click.option("--agency-id", help="The agency its receipts name (blank: the account itself).")
@click.option("--agency-name")
@click.option("--agency-email")
@click.option(
    "--legacy-ampersand/--no-legacy-ampersand",
    default=None,
    help="XML answers leave & unescaped, as the legacy server did (for clients that replace it themselves).",
)
@click.option(
    "--by", default=getpass.getuser, show_default="the system user", help="Who changes it, for the audit trail."
)
@_detail_options
def account_set(account_id: str, by: str, **options: str | bool | None) -> None:
    """Change what account_info shows of ACCOUNT_ID, its agency, time zone and XML compatibility (the rules of
    account_update; audited)."""
    columns = {"coalition": "in_coalition", "two_tier": "in_two_tier"}
    values: dict[str, str | bool] = {}
    for option, value in options.items():
        if value is None:
            continue
        column = columns.get(option, option)
        values[column] = _checked(column, value, option)
    if not values:
        raise click.UsageError("nothing to set: give at least one option")

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        changed = await change_account(store, found.pk, values, by)
        assert changed is not None  # no command removes an account
        echo_json(_details_json(changed.details))

    asyncio.run(with_store(run, writes=True))


@account.command("history")
@click.argument("account_id")
def account_history(account_id: str) -> None:
    """Print the audit trail of the account's settings and users, one JSON object a line, oldest first."""

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        for record in await store.account_history(found.pk):
            echo_json(audit_json(record))

    asyncio.run(with_store(run))


@account.command("show")
@click.argument("account_id")
def account_show(account_id: str) -> None:
    """Print the account's details."""

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        details = await store.account_details(found.pk)
        assert details is not None
        echo_json(_details_json(details))

    asyncio.run(with_store(run))


def _details_json(details: AccountDetails) -> dict[str, object]:
    found = details.account
    agency = found.agency
    return {
        "account_id": found.account_id,
        "name": found.name,
        "currency": found.currency,
        "coalition": found.in_coalition,
        "two_tier": found.in_two_tier,
        "timezone": found.timezone,
        "legacy_ampersand": found.legacy_ampersand,
        "agency": {"id": agency.id, "name": agency.name, "email": agency.email},
        "biz_online": details.biz_online,
        **details.details,
        "created_at": details.created_at.isoformat(timespec="seconds"),
    }


def _checked(column: str, value: str | bool, option: str) -> str | bool:
    """The value under the rules account_update applies (accounts/account_settings.py), or the option's error."""
    try:
        return setting_value(column, value, option)
    except ApiError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{option}") from None
