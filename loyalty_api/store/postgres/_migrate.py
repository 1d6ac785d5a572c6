"""Numbered migrations for PostgreSQL, safe when several nodes run them at once.

All pending migrations apply in one transaction that first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``) named after the schema: a second node running ``db upgrade`` or ``serve``
at the same moment waits for the first to commit, then finds nothing left to do.  A failing
migration leaves the schema as it was.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.store._migrations import load_migrations
from loyalty_api.store.postgres._db import Conn

__all__ = ["apply_migrations"]

_MIGRATIONS_PACKAGE: Final = "loyalty_api.store.postgres.migrations"
_LOCK_NAME: Final = "loyalty-api schema migrations:"
_SCHEMA_EXISTS: Final = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)"
_CREATE_VERSIONS: Final = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
)


async def apply_migrations(conn: Conn, schema: str | None) -> list[str]:
    """Apply the pending migrations on ``conn`` (whose search_path starts with ``schema``); their names."""
    migrations = load_migrations(_MIGRATIONS_PACKAGE)
    applied: list[str] = []
    async with conn.transaction():
        # A migration may rewrite large tables: no statement timeout for this transaction.
        await conn.execute("SET LOCAL statement_timeout = 0")
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", _LOCK_NAME + (schema or ""))
        # Checked before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE right on the
        # database even when the schema exists, which an application's role may lack.
        if schema is not None and not await conn.fetchval(_SCHEMA_EXISTS, schema):
            await conn.execute(f"CREATE SCHEMA {schema}")  # a validated identifier (see _url.py)
        await conn.execute(_CREATE_VERSIONS)
        done = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        for migration in migrations:
            if migration.version in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", migration.version, migration.name
            )
            applied.append(f"{migration.version:04d}_{migration.name}")
    return applied
