"""The ``loyalty-api`` command: serve, migrate, check, and the operator's account, user and campaign tools.

Every command reads ``LOYALTY_DATABASE_URL`` (see ``docs/configuration.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC

import click
import uvicorn
from prometheus_client import start_http_server

from loyalty_api import logs, metrics
from loyalty_api.cli._accounts import account
from loyalty_api.cli._campaigns import campaign
from loyalty_api.cli._common import CliOptions, cli_settings, echo_json, with_store
from loyalty_api.cli._customers import customer
from loyalty_api.cli._users import user
from loyalty_api.config import LOG_FORMATS, LOG_LEVELS, Settings
from loyalty_api.customers.secrets import hasher
from loyalty_api.demo import load_demo
from loyalty_api.store import MigrationStatus
from loyalty_api.store.interface import Store
from loyalty_api.store.ledger_models import BalanceMismatch, LedgerSums
from loyalty_api.store.urls import redacted
from loyalty_api.web.connections import PROTOCOL

__all__ = ["cli", "main"]

_log = logging.getLogger("loyalty_api.serve")


@click.group()
@click.version_option(package_name="loyalty-api")
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    help="The lowest level logged [default: LOYALTY_LOG_LEVEL, else info].",
)
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS, case_sensitive=False),
    help="text, or one JSON object a line [default: LOYALTY_LOG_FORMAT, else text].",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="The database, e.g. sqlite:////var/lib/loyalty/loyalty.db [default: LOYALTY_DATABASE_URL].",
)
@click.pass_context
def cli(context: click.Context, log_level: str | None, log_format: str | None, database_url: str | None) -> None:
    """Self-hostable loyalty-program server speaking the legacy api.php protocol.

    Logs go to standard error (time, level, logger, message)."""
    try:
        settings = Settings.from_env()
    except ValueError:
        settings = Settings()  # the command refuses the variable by name when it reads the configuration
    chosen = CliOptions((log_level or settings.log_level).lower(), (log_format or settings.log_format).lower())
    logs.configure(chosen.log_level, chosen.log_format)
    context.obj = replace(chosen, database_url=database_url or None)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--demo", is_flag=True, help="Load the demo world first when the database has no accounts.")
@click.option(
    "--access-log/--no-access-log",
    default=None,
    help="A log line per API request: type, action, outcome, duration, request id [default: LOYALTY_ACCESS_LOG].",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve /metrics on this port (at --host) only, not on the public one [default: LOYALTY_METRICS_PORT].",
)
@click.pass_context
def serve(
    context: click.Context,
    host: str,
    port: int,
    workers: int,
    demo: bool,
    access_log: bool | None,
    metrics_port: int | None,
) -> None:
    """Apply pending migrations and serve the API with uvicorn."""
    options: CliOptions = context.obj
    if options.database_url is not None:  # the worker processes read it from their environment
        os.environ["LOYALTY_DATABASE_URL"] = options.database_url
    if access_log is not None:  # the worker processes read it from their environment
        os.environ["LOYALTY_ACCESS_LOG"] = "1" if access_log else "0"
    if metrics_port is not None:  # the worker processes read it from their environment
        os.environ["LOYALTY_METRICS_PORT"] = str(metrics_port)

    async def prepare(store: Store) -> None:
        for name in await store.migrate():
            _log.info("applied migration %s", name)
        if demo and await store.account_count() == 0:
            await load_demo(store)
            _log.info("loaded the demo world")

    try:
        hasher()  # the argon2 parameters of customers' secrets, checked before serving
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    asyncio.run(with_store(prepare, migrate=False, writes=True))
    settings = cli_settings()
    _log.info("serving %s at http://%s:%d/api.php", redacted(settings.database_url), host, port)
    with _metrics_directory(workers):
        if settings.metrics_port is not None:
            start_http_server(settings.metrics_port, addr=host, registry=metrics.registry())
            _log.info("serving metrics at http://%s:%d/metrics", host, settings.metrics_port)
        _run_uvicorn(host, port, workers, settings, options)


@contextlib.contextmanager
def _metrics_directory(workers: int) -> Iterator[None]:
    """Workers share their metrics through files in ``PROMETHEUS_MULTIPROC_DIR``: a private temporary directory,
    removed at exit, unless the operator named one (or one worker serves: its metrics stay in memory)."""
    if workers == 1 or os.environ.get(metrics.MULTIPROC_DIR_VARIABLE):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="loyalty-metrics-") as directory:
        os.environ[metrics.MULTIPROC_DIR_VARIABLE] = directory
        try:
            yield
        finally:
            del os.environ[metrics.MULTIPROC_DIR_VARIABLE]


def _run_uvicorn(host: str, port: int, workers: int, settings: Settings, options: CliOptions) -> None:
    uvicorn.run(
        "loyalty_api.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=PROTOCOL,  # uvicorn's httptools protocol with limits against slow and greedy clients
        timeout_keep_alive=settings.keep_alive_seconds,
        # uvicorn's own access log would write query strings, keys and passwords included: ours never does.
        access_log=False,
        log_config=logs.uvicorn_config(options.log_level, options.log_format),
        log_level=options.log_level,
    )


@cli.group()
def db() -> None:
    """Database schema."""


_CREATE_DIRS = click.option(
    "--create-dirs", is_flag=True, help="Create the SQLite database's directory when it does not exist."
)


@db.command()
@_CREATE_DIRS
def upgrade(create_dirs: bool) -> None:
    """Apply pending migrations."""

    async def run(store: Store) -> None:
        applied = await store.migrate()
        click.echo("\n".join(f"applied migration {name}" for name in applied) or "the schema is up to date")

    asyncio.run(with_store(run, migrate=False, writes=True, create_dirs=create_dirs))


@db.command()
def status() -> None:
    """Print each migration: its number, name, and when it was applied (UTC) or "pending"; changes nothing.  A
    migration only the database knows, or applied with another checksum than this version's, is marked and makes
    the exit status 1."""

    async def run(store: Store) -> list[MigrationStatus]:
        return await store.migration_status()

    refused = 0
    for line in asyncio.run(with_store(run, migrate=False)):
        when = "pending" if line.applied_at is None else line.applied_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        mark = " (unknown to this version)" if not line.known else " (changed since applied)" if line.changed else ""
        refused += bool(mark)
        click.echo(f"{line.version:04d} {line.name} {when}{mark}")
    if refused:
        click.echo(
            f"{refused} migration(s) differ from this version's: serve and the other commands refuse it", err=True
        )
        raise SystemExit(1)


@db.command()
def check() -> None:
    """Compare the running balances with the ledger's sums: "ok", or each difference (and each balance past the
    store's limit, damage only an older version could do) and exit status 1."""

    async def run(store: Store) -> list[BalanceMismatch]:
        return await store.balance_mismatches()

    mismatches = asyncio.run(with_store(run))
    if not mismatches:
        click.echo("ok")
        return
    for mismatch in mismatches:
        echo_json(
            {
                "campaign_pk": mismatch.campaign_pk,
                "customer_pk": mismatch.customer_pk,
                "service_product": mismatch.service_product,
                "ledger": _sums_json(mismatch.ledger),
                "running": _sums_json(mismatch.running),
            }
        )
    click.echo(f"{len(mismatches)} running balance(s) differ from the ledger or are past the limit", err=True)
    raise SystemExit(1)


def _sums_json(sums: LedgerSums | None) -> dict[str, int] | None:
    if sums is None:
        return None
    return {"balance_cents": sums.balance_cents, "cumulative_cents": sums.cumulative_cents}


@cli.command()
@_CREATE_DIRS
def demo(create_dirs: bool) -> None:
    """Load the demo world (does nothing when it is there already)."""

    async def run(store: Store) -> None:
        await store.migrate()
        created = await load_demo(store)
        click.echo("loaded the demo world" if created else "the demo world is already there")

    asyncio.run(with_store(run, writes=True, create_dirs=create_dirs))


cli.add_command(account)
cli.add_command(user)
cli.add_command(campaign)
cli.add_command(customer)


def main() -> None:
    cli(prog_name="loyalty-api")
