"""The running balances seen from a test: the store's own consistency check, and plain SQL on the test database
(to take a database back to before migration 0005, or to damage a balance that ``db check`` must then report)."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg

from loyalty_api.config import Settings
from loyalty_api.store import create_store
from loyalty_api.store.ledger_models import BalanceMismatch
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.sqlite.store import sqlite_path

__all__ = ["balance_mismatches", "run_sql"]


def balance_mismatches(settings: Settings) -> list[BalanceMismatch]:
    """``Store.balance_mismatches()`` of the test database (a store opened for the question, then closed)."""

    async def ask() -> list[BalanceMismatch]:
        store = create_store(settings)
        await store.open()
        try:
            return await store.balance_mismatches()
        finally:
            await store.close()

    return asyncio.run(ask())


def run_sql(settings: Settings, *statements: str) -> list[tuple[object, ...]]:
    """Run ``statements`` (no parameters) in one transaction on the test database; the rows of the last one."""
    url = settings.database_url
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                rows = [tuple(row) for row in conn.execute(statement).fetchall()]
            conn.execute("COMMIT")
            return rows
        finally:
            conn.close()
    return asyncio.run(_run_postgres(url, statements))


async def _run_postgres(url: str, statements: tuple[str, ...]) -> list[tuple[object, ...]]:
    parsed = parse_postgres_url(url)
    conn = await asyncpg.connect(parsed.dsn, server_settings=parsed.server_settings)
    try:
        rows: list[tuple[object, ...]] = []
        async with conn.transaction():
            for statement in statements:
                rows = [tuple(row) for row in await conn.fetch(statement)]
        return rows
    finally:
        await conn.close()
