"""Fresh PostgreSQL schemas for tests, made cheaply.

A test gets its own schema, named in the URL (``?schema=lt_<pid>_<n>``).  An empty one costs nothing (the first
migration creates it).  One holding the demo world (the ``settings`` fixture) would cost the whole migration DDL
and about 25 commits per test; instead, the first such schema of a test process is made the real way (migrate,
then load the demo through the store), and so is a *template* schema kept for the session.  After a test, its
schema is kept rather than dropped; the next test gets it back reset to the template's rows and identity counters
(one transaction: every row deleted, the template's rows copied in with their ids, the sequences set as the
template's) and renamed to that test's own name, so it cannot tell it from a schema migrated and filled just for
it.  A schema whose tables no longer match the template's (a test changed them) is dropped instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Awaitable, Callable, Coroutine
from typing import Final, TypeVar

import asyncpg

from loyalty_api.store.postgres._url import parse_postgres_url

__all__ = ["SCHEMA_PREFIX", "SchemaPool"]

SCHEMA_PREFIX: Final = "lt_"
_KEEP: Final = 2  # schemas kept for reuse at most
_LOCK_TIMEOUT: Final = "10s"  # a test that left a connection holding locks must not hang the run
T = TypeVar("T")
_numbers = itertools.count(1)


class SchemaPool:
    """The schemas of one test process on the server of ``url`` (``LOYALTY_TEST_POSTGRES_URL``)."""

    def __init__(self, url: str) -> None:
        self.dsn = parse_postgres_url(url).dsn
        self._number = 0
        self._made: list[str] = []  # named since the last release, empty or not
        self._demo: set[str] = set()  # of those, the ones holding the demo world
        self._kept: list[str] = []  # reset-able schemas between tests
        self._template: str | None = None
        self._tables: list[str] = []  # the template's tables, parents before children
        self._columns: dict[str, str] = {}  # each table's columns an INSERT may give (not the generated ones)
        self._sequences: list[tuple[str, int, bool]] = []  # the template's: (name, last_value, is_called)

    def new_name(self) -> str:
        self._number += 1
        name = f"{SCHEMA_PREFIX}{os.getpid()}_{next(_numbers)}"  # unique in the process, whatever the pool
        self._made.append(name)
        return name

    def demo_schema(self, prepare: Callable[[str], Coroutine[object, object, None]]) -> str:
        """A new schema holding a freshly migrated database with the demo world.  ``prepare(schema)`` makes one
        the real way (migrate and load the demo through the store)."""
        name = self.new_name()
        if self._template is None:
            template = self.new_name()
            self._made.remove(template)
            asyncio.run(prepare(template))
            self._template = template
            self._tables, self._sequences = asyncio.run(self._run(lambda conn: _describe(conn, template)))
            self._columns = asyncio.run(self._run(lambda conn: _insertable_columns(conn, template)))
        if not self._kept or not self._reuse(self._kept.pop(), name):
            asyncio.run(prepare(name))
        self._demo.add(name)
        return name

    def _reuse(self, kept: str, name: str) -> bool:
        if asyncio.run(self._run(lambda conn: self._reset(conn, kept, name))):
            return True
        self._made.append(kept)  # dropped (if it can be) after this test
        return False

    def release(self) -> None:
        """After a test: keep its demo schema for the next test, drop the rest."""
        if not self._made:
            return
        made, self._made = self._made, []
        dropped: list[str] = []
        for name in made:
            if name in self._demo and len(self._kept) < _KEEP:
                self._kept.append(name)
            else:
                dropped.append(name)
        self._demo.clear()
        if dropped:
            asyncio.run(self._run(lambda conn: _drop(conn, dropped)))

    def close(self) -> None:
        """At the end of the session: drop every schema still there, and vacuum the catalogs if nothing else will."""
        self.release()
        left = [*self._kept, *([self._template] if self._template else [])]
        self._kept, self._template = [], None
        if left:
            asyncio.run(self._run(lambda conn: _drop(conn, left)))
        if self._number:
            asyncio.run(self._run(_vacuum_catalogs_without_autovacuum))

    def drop_stale(self) -> None:
        """Drop test schemas left by test processes that no longer run (a run that was killed)."""
        asyncio.run(self._run(_drop_stale))

    async def _run(self, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        conn = await asyncpg.connect(self.dsn, timeout=10, server_settings={"lock_timeout": _LOCK_TIMEOUT})
        try:
            return await work(conn)
        finally:
            await conn.close()

    async def _reset(self, conn: asyncpg.Connection, schema: str, new_name: str) -> bool:
        template = self._template
        assert template is not None
        present = await conn.fetchval(
            "SELECT count(to_regclass(name)) FROM unnest($1::text[]) AS name", [f"{schema}.{t}" for t in self._tables]
        )
        if present != len(self._tables):  # a test dropped or renamed a table: not worth repairing
            await _drop(conn, [schema])
            return False
        statements = [f"DELETE FROM {schema}.{table}" for table in reversed(self._tables)]
        statements += [
            f"INSERT INTO {schema}.{table} ({self._columns[table]}) OVERRIDING SYSTEM VALUE"
            f" SELECT {self._columns[table]} FROM {template}.{table}"
            for table in self._tables
        ]
        statements += [
            f"SELECT setval('{schema}.{name}', {last_value}, {is_called})"
            for name, last_value, is_called in self._sequences
        ]
        statements.append(f"ALTER SCHEMA {schema} RENAME TO {new_name}")
        try:
            async with conn.transaction():
                await conn.execute(";\n".join(statements))
        except asyncpg.LockNotAvailableError:
            return False  # still in use: left to the end of the session (or to the next run)
        return True


async def _insertable_columns(conn: asyncpg.Connection, schema: str) -> dict[str, str]:
    """Each table's columns but the generated ones (which an INSERT may not give), as a column list."""
    rows = await conn.fetch(
        "SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)"
        " FROM information_schema.columns WHERE table_schema = $1 AND is_generated = 'NEVER' GROUP BY table_name",
        schema,
    )
    return {str(table): str(columns) for table, columns in rows}


async def _describe(conn: asyncpg.Connection, schema: str) -> tuple[list[str], list[tuple[str, int, bool]]]:
    """The schema's tables, each after every table its foreign keys point at; and its sequences' states."""
    namespace = "SELECT oid FROM pg_namespace WHERE nspname = $1"
    relations = await conn.fetch(
        f"SELECT relname, relkind::text FROM pg_class WHERE relnamespace = ({namespace}) AND relkind IN ('r', 'S')",
        schema,
    )
    tables = sorted(name for name, kind in relations if kind == "r")
    links = await conn.fetch(
        "SELECT child.relname, parent.relname FROM pg_constraint k"
        " JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid"
        f" WHERE k.contype = 'f' AND k.connamespace = ({namespace})",
        schema,
    )
    parents = {table: {p for c, p in links if c == table and p != table} for table in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise RuntimeError(f"foreign keys of {schema} form a cycle: {parents}")
        ordered.extend(ready)
    if not tables:
        raise RuntimeError(f"the template schema {schema} has no tables")
    sequences: list[tuple[str, int, bool]] = []
    for name in sorted(name for name, kind in relations if kind == "S"):
        row = await conn.fetchrow(f"SELECT last_value, is_called FROM {schema}.{name}")
        assert row is not None
        sequences.append((name, int(row[0]), bool(row[1])))
    return ordered, sequences


async def _drop(conn: asyncpg.Connection, schemas: list[str]) -> None:
    for schema in schemas:
        # A schema still in use by a connection a test left behind is left to the next run.
        with contextlib.suppress(asyncpg.LockNotAvailableError):
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


# The system catalogs that creating and dropping schemas of tables fills with dead rows.
_CHURNED_CATALOGS: Final = (
    "pg_class, pg_attribute, pg_type, pg_depend, pg_constraint, pg_index, pg_attrdef, pg_namespace, pg_sequence"
)


async def _vacuum_catalogs_without_autovacuum(conn: asyncpg.Connection) -> None:
    """On a server with autovacuum off, nothing reclaims the catalog rows of the schemas the tests dropped, and
    the catalogs (with every DDL statement and catalog lookup) grow slower run after run: vacuum them."""
    if await conn.fetchval("SELECT current_setting('autovacuum')") == "off":
        # A role that may not vacuum them gets a warning; another run vacuuming them already, the lock timeout.
        with contextlib.suppress(asyncpg.LockNotAvailableError):
            await conn.execute(f"VACUUM {_CHURNED_CATALOGS}")


async def _drop_stale(conn: asyncpg.Connection) -> None:
    names = [row[0] for row in await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lt\\_%'")]
    for schema in names:
        pid = schema.removeprefix(SCHEMA_PREFIX).partition("_")[0]
        if pid.isdigit() and not _alive(int(pid)):
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
