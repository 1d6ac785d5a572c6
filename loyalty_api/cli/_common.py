"""Helpers shared by the CLI commands."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from loyalty_api.config import Settings
from loyalty_api.store import SchemaMismatch, Store, StoreUnavailable, create_store
from loyalty_api.store.models import Account
from loyalty_api.store.urls import redacted

__all__ = ["echo_json", "open_store", "require_account", "restorer_name", "with_store"]

T = TypeVar("T")
_RESTORER_LIMIT = 64


def open_store() -> Store:
    try:
        return create_store(Settings.from_env())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


async def with_store(run: Callable[[Store], Awaitable[T]], *, migrate: bool = True) -> T:
    """Open the configured store, apply pending migrations (as ``serve`` does), run ``run`` with it, close it."""
    store = open_store()
    try:
        await store.open()
        if migrate:
            await store.migrate()
        return await run(store)
    except StoreUnavailable as exc:
        raise click.ClickException(f"the database is unavailable: {exc}") from exc
    except SchemaMismatch as exc:
        raise click.ClickException(f"refusing {redacted(store.url)}: {exc}") from exc
    finally:
        await store.close()


async def require_account(store: Store, account_id: str) -> Account:
    found = await store.get_account(account_id)
    if found is None:
        raise click.ClickException(f"no account {account_id!r}")
    return found


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


def restorer_name(by: str) -> str:
    """The ``--by`` of a restore command: who restores, as the audit trail records it (1 to 64 characters)."""
    name = by.strip()
    if not name or len(name) > _RESTORER_LIMIT:
        raise click.BadParameter(f"1 to {_RESTORER_LIMIT} characters", param_hint="--by")
    return name
