"""Numbered migrations for PostgreSQL, safe when several nodes run them at once.

All pending migrations apply in one transaction that first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``) named after the schema: a second node running ``db upgrade`` or ``serve``
at the same moment waits for the first to commit, then finds nothing left to do.  A failing
migration leaves the schema as it was.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.store._migrations import (
    AppliedMigration,
    MigrationStatus,
    check_applied,
    load_migrations,
    statuses,
)
from loyalty_api.store.postgres._db import Conn

__all__ = ["apply_migrations", "migration_statuses"]

_MIGRATIONS_PACKAGE: Final = "loyalty_api.store.postgres.migrations"
_LOCK_NAME: Final = "loyalty-api schema migrations:"
_SCHEMA_EXISTS: Final = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)"
_CREATE_VERSIONS: Final = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), checksum text)"
)
# A database migrated before checksums were kept: the column is added, and filled once with the code's.
_ADD_CHECKSUM: Final = "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text"
_APPLIED: Final = "SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version"
_TABLE_EXISTS: Final = "SELECT to_regclass('schema_migrations') IS NOT NULL"
_HAS_CHECKSUM: Final = (
    "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations')"
    " AND attname = 'checksum' AND NOT attisdropped)"
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
        if not await conn.fetchval(_HAS_CHECKSUM):  # checked first: ALTER locks the table and needs its owner
            await conn.execute(_ADD_CHECKSUM)
        rows = [AppliedMigration(*row) for row in await conn.fetch(_APPLIED)]
        check_applied(migrations, rows)
        done = {row.version for row in rows}
        for migration in migrations:
            if migration.version in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            applied.append(migration.label)
        await conn.executemany(
            "UPDATE schema_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL",
            [(m.checksum, m.version) for m in migrations if m.version in done],
        )
    return applied


async def migration_statuses(conn: Conn) -> list[MigrationStatus]:
    """Every migration of the code and of the database (on ``conn``, whose search_path starts with the schema)."""
    code = load_migrations(_MIGRATIONS_PACKAGE)
    if not await conn.fetchval(_TABLE_EXISTS):
        return statuses(code, [])
    query = _APPLIED if await conn.fetchval(_HAS_CHECKSUM) else _APPLIED.replace("checksum", "NULL")
    return statuses(code, [AppliedMigration(*row) for row in await conn.fetch(query)])
