"""Helpers shared by the CLI commands."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import click

from loyalty_api.config import Settings
from loyalty_api.store import SchemaMismatch, Store, StoreUnavailable, create_store
from loyalty_api.store.models import Account
from loyalty_api.store.sqlite.store import sqlite_path
from loyalty_api.store.urls import redacted

__all__ = ["CliOptions", "cli_settings", "echo_json", "open_store", "require_account", "restorer_name", "with_store"]

T = TypeVar("T")
_RESTORER_LIMIT = 64
_log = logging.getLogger("loyalty_api.cli")


@dataclass(frozen=True, slots=True)
class CliOptions:
    """What the ``loyalty-api`` group's own options chose, for its subcommands (``click.Context.obj``)."""

    log_level: str
    log_format: str
    database_url: str | None = None


def _given_url() -> str | None:
    """``--database-url``, when given."""
    context = click.get_current_context(silent=True)
    options = None if context is None else context.find_root().obj
    return options.database_url if isinstance(options, CliOptions) else None


def cli_settings() -> Settings:
    """The configuration: the environment, and ``--database-url`` when given; a wrong value is an ``Error:`` line
    naming its variable."""
    try:
        chosen = Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    url = _given_url()
    return chosen if url is None else replace(chosen, database_url=url)


def open_store(*, writes: bool = False, create_dirs: bool = False) -> Store:
    """The configured store, not yet opened.  A SQLite file's directory must exist (``create_dirs``: it is made);
    ``writes``: the command says on standard error which database it writes to."""
    chosen = cli_settings()
    url = chosen.database_url
    source = "--database-url" if _given_url() is not None else "LOYALTY_DATABASE_URL"
    try:
        store = create_store(chosen)
    except ValueError as exc:
        message = str(exc)
        raise click.ClickException(message if source in message else f"{source}: {message}") from exc
    if url.startswith("sqlite:"):
        directory = Path(sqlite_path(url)).parent
        if create_dirs:
            directory.mkdir(parents=True, exist_ok=True)
        elif not directory.is_dir():
            raise click.ClickException(
                f"the directory {str(directory)!r} of the SQLite database {source}={url} does not exist: create "
                "it, or run `loyalty-api db upgrade --create-dirs` (no new empty database is made elsewhere)"
            )
    if writes:
        _log.info("database %s", redacted(url))
    return store


async def with_store(
    run: Callable[[Store], Awaitable[T]], *, migrate: bool = True, writes: bool = False, create_dirs: bool = False
) -> T:
    """Open the configured store, apply pending migrations (as ``serve`` does), run ``run`` with it, close it."""
    store = open_store(writes=writes, create_dirs=create_dirs)
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
