"""The SQLite store: one file, WAL, one group-committing writer per process, inline reads."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from loyalty_api.store._migrations import (
    AppliedMigration,
    MigrationStatus,
    check_applied,
    load_migrations,
    statuses,
)
from loyalty_api.store.interface import SaleWork, StoreUnavailable, WriteTx, run_sale
from loyalty_api.store.models import utc_now
from loyalty_api.store.sql.db import CLOSED, ReadDb
from loyalty_api.store.sql.heavy_reads import HeavyReads
from loyalty_api.store.sql.store_base import SqlStore
from loyalty_api.store.sqlite._dialect import FOLD_FUNCTION, SQL, parse_time, time_text, unicode_lower
from loyalty_api.store.sqlite._reads import SqliteReads
from loyalty_api.store.sqlite._writer import GroupCommitWriter

__all__ = ["SYNCHRONOUS_MODES", "SqliteStore", "sqlite_path"]

T = TypeVar("T")
SYNCHRONOUS_MODES: Final = ("FULL", "NORMAL", "EXTRA")
_MIGRATIONS_PACKAGE: Final = "loyalty_api.store.sqlite.migrations"
# The shared statements use RETURNING and upserts.
_MIN_SQLITE: Final = (3, 35, 0)


def sqlite_path(url: str) -> str:
    """``sqlite:///loyalty.db`` is ``loyalty.db`` (working directory); ``sqlite:////srv/x.db`` is absolute."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {url!r} (expected sqlite:///path)")
    path = url.removeprefix("sqlite:///")
    if not path:
        raise ValueError("the SQLite URL names no file")
    return path


class SqliteStore(SqlStore, statements=SQL):
    def __init__(
        self,
        url: str,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        statement_timeout_ms: int = 5000,
        heavy_read_percent: int = 25,
    ) -> None:
        mode = synchronous.upper()
        if mode not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}")
        if sqlite3.sqlite_version_info < _MIN_SQLITE:
            raise ValueError(f"SQLite {sqlite3.sqlite_version} is too old: the store needs 3.35 or newer")
        self.url = url
        self.path = sqlite_path(url)
        self.synchronous = mode
        self._busy_timeout_ms = busy_timeout_ms
        self._statement_timeout = statement_timeout_ms / 1000
        self._heavy = HeavyReads(heavy_read_percent / 100)
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._reads: ReadDb = CLOSED
        self._sqlite_reads: SqliteReads | None = None
        self._writer: GroupCommitWriter | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        directory = Path(self.path).parent
        if not directory.is_dir():  # a mistyped path must not become a new, empty database that reports healthy
            raise StoreUnavailable(f"the directory {str(directory)!r} of the SQLite database does not exist")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function(FOLD_FUNCTION, 1, unicode_lower, deterministic=True)
        return conn

    async def open(self) -> None:
        if self._writer is not None:
            return
        try:
            self._write_conn = self._connect()
            self._read_conn = self._connect()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        self._reads = self._sqlite_reads = SqliteReads(
            self._read_conn, self._connect, self._statement_timeout, self._heavy
        )
        self._writer = GroupCommitWriter(
            self._write_conn, commit_in_thread=self.synchronous != "NORMAL", busy_timeout_ms=self._busy_timeout_ms
        )

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        if self._sqlite_reads is not None:
            self._sqlite_reads.close()
            self._sqlite_reads = None
        for conn in (self._write_conn, self._read_conn):
            if conn is not None:
                conn.close()
        self._write_conn = self._read_conn = None
        self._reads = CLOSED

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def ping(self) -> None:
        try:
            await self._reads.one("SELECT 1 FROM schema_migrations LIMIT 1")
        except sqlite3.Error as exc:
            raise StoreUnavailable(str(exc)) from exc
        await self._check_writes(self._busy_timeout_ms / 1000 + 1)

    async def migrate(self) -> list[str]:
        await self.open()
        return await asyncio.to_thread(self._migrate_on_own_connection)

    async def migration_status(self) -> list[MigrationStatus]:
        await self.open()
        return await asyncio.to_thread(self._status_on_own_connection)

    def _status_on_own_connection(self) -> list[MigrationStatus]:
        conn = self._connect()
        try:
            return _migration_statuses(conn)
        finally:
            conn.close()

    def _migrate_on_own_connection(self) -> list[str]:
        # Its own connection, with the busy timeout: several processes may start at once.
        conn = self._connect()
        try:
            return _apply_migrations(conn)
        finally:
            conn.close()

    # --- the write path ------------------------------------------------------------------------

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit(work)

    async def write_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        return await self.write(lambda tx: run_sale(tx, work))


def _apply_migrations(conn: sqlite3.Connection) -> list[str]:
    code = load_migrations(_MIGRATIONS_PACKAGE)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT, checksum TEXT)"
        )
        columns = {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}
        if "checksum" not in columns:  # a database migrated before checksums were kept
            conn.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
        check_applied(code, _applied(conn))
        for migration in code:  # recorded once, for the rows written before checksums were kept
            conn.execute(
                "UPDATE schema_migrations SET checksum = ? WHERE version = ? AND checksum IS NULL",
                (migration.checksum, migration.version),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    applied: list[str] = []
    for migration in code:
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)).fetchone()
            if done is None:
                for statement in _statements(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                    (migration.version, migration.name, time_text(utc_now()), migration.checksum),
                )
                applied.append(migration.label)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied


def _applied(conn: sqlite3.Connection) -> list[AppliedMigration]:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(schema_migrations)")}
    checksum = "checksum" if "checksum" in columns else "NULL"
    rows = conn.execute(f"SELECT version, name, applied_at, {checksum} FROM schema_migrations ORDER BY version")
    return [AppliedMigration(int(v), str(n), _utc(str(at)), c) for v, n, at, c in rows]


def _utc(text: str) -> datetime:
    moment = parse_time(text.removesuffix("Z"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _migration_statuses(conn: sqlite3.Connection) -> list[MigrationStatus]:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    return statuses(load_migrations(_MIGRATIONS_PACKAGE), [] if found is None else _applied(conn))


def _statements(sql: str) -> list[str]:
    """Split a migration into statements: a line ends one when the text so far is a complete statement (so a
    trigger's ``BEGIN ... END;`` stays whole); ``--`` comments are dropped."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += re.sub(r"--[^\n]*", "", line)
        if pending.strip() and sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"an incomplete statement ends the migration: {pending.strip()[:60]!r}")
    return statements
