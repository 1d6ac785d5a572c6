"""Operator commands on an account's API users: add, rotate a key, disable, enable, change the role, remove, list.

A key is never read from a command-line option alone (it would show in ``ps`` and in the shell's history): it is
generated and printed once, or read from standard input (``--key-stdin``) or from a hidden prompt
(``--prompt-key``).  ``--password`` still works for the scripts that used it, hidden from ``--help``.  No command
prints a stored key or its digest.  ``docs/security.md`` ("Keys") has the rules.
"""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
from collections.abc import Awaitable
from typing import Final

import click

from loyalty_api.accounts.auth import MIN_KEY_LENGTH, generate_key, key_digest
from loyalty_api.accounts.users import (
    Actor,
    NewUser,
    UserChangeRefused,
    create_user,
    remove_user,
    rotate_key,
    set_disabled,
    set_role,
)
from loyalty_api.cli._campaigns import audit_json
from loyalty_api.cli._common import echo_json, require_account, with_store
from loyalty_api.store.interface import Store
from loyalty_api.store.models import Role, User

__all__ = ["user"]

_USER_NAME: Final = re.compile(r"[A-Za-z0-9_]{1,20}")
_ROLE = click.Choice(["A", "M", "K"], case_sensitive=False)
_ROLE_HELP: Final = "A administrator, M manager, K clerk."
_CAMPAIGNS_HELP: Final = "'all', 'none' or a comma list of campaign ids."


def _by_option(command: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--by", default=getpass.getuser, show_default="the system user", help="Who changes it, for the audit trail."
    )(command)


def _key_options(command: click.decorators.FC) -> click.decorators.FC:
    command = click.option("--key-stdin", is_flag=True, help="Read the key from standard input (one line).")(command)
    command = click.option("--prompt-key", is_flag=True, help="Ask for the key (hidden, asked twice).")(command)
    return click.option("--password", hidden=True, help="The key on the command line (unsafe: use --key-stdin).")(
        command
    )


@click.group()
def user() -> None:
    """API users of an account."""


@user.command("add")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@click.option("--role", type=_ROLE, required=True, help=_ROLE_HELP)
@click.option("--campaigns", default="all", show_default=True, help=_CAMPAIGNS_HELP)
@_key_options
@_by_option
def user_add(
    user_name: str,
    account_id: str,
    role: str,
    campaigns: str,
    key_stdin: bool,
    prompt_key: bool,
    password: str | None,
    by: str,
) -> None:
    """Create the user USER_NAME; a generated key is printed once."""
    if not _USER_NAME.fullmatch(user_name):
        raise click.BadParameter("letters, digits and '_', 1 to 20 characters", param_hint="USER_NAME")
    given = _given_key(key_stdin, prompt_key, password)
    chosen = Role(role.upper())
    allowed = _allowed(chosen, campaigns)
    key = given or generate_key()

    async def run(store: Store) -> None:
        found = await require_account(store, account_id)
        new = NewUser(user_name, chosen, allowed, key_digest(account_id, user_name, key))
        await _refused_as_click(create_user(store, found, Actor(by), new))
        shown: dict[str, object] = {
            "account_id": account_id,
            "user_id": user_name,
            "role": chosen.value,
            "allowed_campaigns": "all" if allowed is None else sorted(allowed),
        }
        _show_key(shown, key if given is None else None)

    asyncio.run(with_store(run, writes=True))


@user.command("rotate-key")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@_key_options
@_by_option
def user_rotate_key(
    user_name: str, account_id: str, key_stdin: bool, prompt_key: bool, password: str | None, by: str
) -> None:
    """Give USER_NAME a new key (printed once when generated); the old one stops working within the login cache's
    time (LOYALTY_LOGIN_CACHE_SECONDS) on every node."""
    given = _given_key(key_stdin, prompt_key, password)
    key = given or generate_key()

    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        await _refused_as_click(rotate_key(store, account, user_name, key_digest(account_id, user_name, key), by))
        _show_key({"account_id": account_id, "user_id": user_name, "rotated": True}, key if given is None else None)

    asyncio.run(with_store(run, writes=True))


@user.command("disable")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@_by_option
def user_disable(user_name: str, account_id: str, by: str) -> None:
    """Refuse USER_NAME's key (kept, for ``enable``) within the login cache's time on every node."""
    _set_disabled(user_name, account_id, by, disabled=True)


@user.command("enable")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@_by_option
def user_enable(user_name: str, account_id: str, by: str) -> None:
    """Accept USER_NAME's key again."""
    _set_disabled(user_name, account_id, by, disabled=False)


@user.command("set-role")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@click.option("--role", type=_ROLE, required=True, help=_ROLE_HELP)
@click.option("--campaigns", default="all", show_default=True, help=_CAMPAIGNS_HELP)
@_by_option
def user_set_role(user_name: str, account_id: str, role: str, campaigns: str, by: str) -> None:
    """Change USER_NAME's role and allowed campaigns."""
    chosen = Role(role.upper())
    allowed = _allowed(chosen, campaigns)

    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        await _refused_as_click(set_role(store, account, user_name, chosen, allowed, by))
        echo_json(_user_json(account_id, await _user(store, account.pk, user_name)))

    asyncio.run(with_store(run, writes=True))


@user.command("remove")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
@_by_option
def user_remove(user_name: str, account_id: str, by: str) -> None:
    """Move USER_NAME to the archive; its key stops working within the login cache's time on every node."""

    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        await _refused_as_click(remove_user(store, account, user_name, by))
        echo_json({"account_id": account_id, "user_id": user_name, "removed": True})

    asyncio.run(with_store(run, writes=True))


@user.command("list")
@click.option("--account", "account_id", required=True)
def user_list(account_id: str) -> None:
    """The account's users, one JSON object a line (never a key)."""

    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        for found in await store.list_users(account.pk):
            echo_json(_user_json(account_id, found))

    asyncio.run(with_store(run))


@user.command("history")
@click.argument("user_name")
@click.option("--account", "account_id", required=True)
def user_history(user_name: str, account_id: str) -> None:
    """The audit trail of USER_NAME (live or removed), one JSON object a line, oldest first (never a key or PIN)."""

    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        for record in await store.user_history(account.pk, user_name):
            echo_json(audit_json(record))

    asyncio.run(with_store(run))


def _set_disabled(user_name: str, account_id: str, by: str, *, disabled: bool) -> None:
    async def run(store: Store) -> None:
        account = await require_account(store, account_id)
        await _refused_as_click(set_disabled(store, account, user_name, disabled, by))
        echo_json(_user_json(account_id, await _user(store, account.pk, user_name)))

    asyncio.run(with_store(run, writes=True))


async def _refused_as_click(change: Awaitable[User]) -> None:
    try:
        await change
    except UserChangeRefused as exc:
        raise click.ClickException(str(exc)) from exc


async def _user(store: Store, account_pk: int, user_name: str) -> User | None:
    return next((found for found in await store.list_users(account_pk) if found.user_name == user_name), None)


def _user_json(account_id: str, found: User | None) -> dict[str, object]:
    assert found is not None
    return {
        "account_id": account_id,
        "user_id": found.user_name,
        "role": found.role.value,
        "allowed_campaigns": "all" if found.allowed_campaigns is None else sorted(found.allowed_campaigns),
        "disabled": found.disabled,
        "created_at": found.created_at.isoformat(timespec="seconds"),
    }


def _given_key(key_stdin: bool, prompt_key: bool, password: str | None) -> str | None:
    """The key the operator gives (None: generate one), at least MIN_KEY_LENGTH characters."""
    if sum((key_stdin, prompt_key, password is not None)) > 1:
        raise click.UsageError("give the key one way: --key-stdin, --prompt-key or --password")
    if key_stdin:
        key: str | None = sys.stdin.readline().rstrip("\r\n")
    elif prompt_key:
        key = str(click.prompt("Key", hide_input=True, confirmation_prompt=True))
    else:
        key = password  # hidden from --help: it shows in ps and in the shell's history
    if key is not None and len(key) < MIN_KEY_LENGTH:
        raise click.BadParameter(f"at least {MIN_KEY_LENGTH} characters", param_hint="the key")
    return key


def _show_key(shown: dict[str, object], generated: str | None) -> None:
    if generated is not None:
        shown["user_api_key"] = generated
    echo_json(shown)
    if generated is not None:
        click.echo("The key is shown this once; only its digest is stored.", err=True)


def _allowed(role: Role, campaigns: str) -> frozenset[str] | None:
    """None for every campaign (``all``, and always for administrators), the empty set for ``none``, else the ids."""
    if campaigns.strip().lower() == "none" and role is not Role.ADMIN:
        return frozenset()
    if role is Role.ADMIN or campaigns.strip().lower() == "all":
        return None
    return frozenset(part.strip() for part in campaigns.split(",") if part.strip())
