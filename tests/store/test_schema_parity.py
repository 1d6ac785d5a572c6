"""The two migration sets build the same schema: a fresh SQLite file and a fresh PostgreSQL schema, each migrated,
have the same tables, columns (types mapped, NOT NULL, defaults), primary keys, unique keys, indexes and foreign
keys.  ``schema_migrations`` is each store's own; PostgreSQL alone has the ``record_sale`` function (migration 0008).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import asyncpg
import pytest

from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.sqlite.store import sqlite_path
from tests.store._world import migrated_store
from tests.support.backends import backend_settings

# SQLite's declared type -> the PostgreSQL types a column of it may have.
TYPES: Final = {
    "INTEGER": {"bigint", "integer", "boolean"},  # boolean: a 0/1 column on SQLite (see FLAGS_WITHOUT_CHECK)
    "TEXT": {"text", "numeric", "timestamp with time zone", "jsonb"},  # decimals, moments and JSON are text there
    "BLOB": {"bytea"},
}
# The PostgreSQL boolean columns whose SQLite INTEGER has no CHECK (x IN (0, 1)).  The archive tables carry no
# constraints by design; customers.registered lacks the CHECK its siblings have (migration 0003 added it with
# ALTER TABLE ADD COLUMN, which could have given it one).
FLAGS_WITHOUT_CHECK: Final = {
    ("users_archive", "is_owner"),
    ("campaigns_archive", "coalition_opt_out"),
    ("campaigns_archive", "two_tier_opt_out"),
    ("campaigns_archive", "active"),
    ("ledger_archive", "redeemed"),
    ("customers_archive", "registered"),
    ("users_archive", "disabled"),
    ("customers", "registered"),
}
IGNORED: Final = {"schema_migrations"}


@dataclass(frozen=True, slots=True)
class Column:
    type: str
    not_null: bool
    has_default: bool


@dataclass(slots=True)
class Table:
    columns: dict[str, Column] = field(default_factory=dict)  # in the table's order
    primary_key: tuple[str, ...] = ()
    unique: set[tuple[str, ...]] = field(default_factory=set)  # unique constraints and unique indexes
    indexes: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)  # the others: columns, WHERE
    foreign_keys: set[tuple[tuple[str, ...], str]] = field(default_factory=set)  # columns -> referenced table
    flags: set[str] = field(default_factory=set)  # SQLite: the INTEGER columns with CHECK (x IN (0, 1))


@dataclass(frozen=True, slots=True)
class Schemas:
    sqlite: dict[str, Table]
    postgres: dict[str, Table]
    functions: dict[str, str]  # PostgreSQL's: name -> language


def _predicate(text: str | None) -> str | None:
    """A partial index's WHERE, compared loosely: no parentheses, spaces or case."""
    return None if text is None else re.sub(r"[\s()]", "", text).lower()


def _describe_sqlite(path: str) -> dict[str, Table]:
    conn = sqlite3.connect(path)
    try:
        tables: dict[str, Table] = {}
        masters = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        rows = masters.fetchall()
        index_sql = {name: sql for kind, name, _, sql in rows if kind == "index"}
        for kind, name, _, sql in rows:
            if kind != "table" or name in IGNORED:
                continue
            table = tables[name] = Table()
            info = conn.execute(f"PRAGMA table_info({name})").fetchall()
            for _, column, type_, not_null, default, pk in info:
                table.columns[column] = Column(type_.upper(), bool(not_null or pk), default is not None)
                if re.search(rf"\b{column}\s+INTEGER\b[^,]*CHECK \({column} IN \(0, 1\)\)", sql):
                    table.flags.add(column)
            table.primary_key = tuple(column for *_, column, _, _, _, pk in sorted(info, key=lambda r: r[5]) if pk)
            for _, index, unique, origin, _ in conn.execute(f"PRAGMA index_list({name})").fetchall():
                columns = tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index})").fetchall())
                if origin == "pk":
                    continue
                if unique:
                    table.unique.add(columns)
                else:
                    where = (index_sql.get(index) or "").partition(" WHERE ")[2] or None
                    table.indexes[index] = (columns, _predicate(where))
            keys: dict[int, tuple[list[str], str]] = {}
            for key_id, _, parent, column, *_ in conn.execute(f"PRAGMA foreign_key_list({name})").fetchall():
                keys.setdefault(key_id, ([], parent))[0].append(column)
            table.foreign_keys = {(tuple(columns), parent) for columns, parent in keys.values()}
        return tables
    finally:
        conn.close()


_COLUMNS: Final = (
    # A generated column (customers.search_text: SQLite's is a plain column with a default, kept by triggers) counts
    # as one with a default: neither is given a value by an INSERT.
    "SELECT table_name, column_name, data_type, is_nullable = 'NO',"
    " column_default IS NOT NULL OR is_generated = 'ALWAYS'"
    " FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position"
)
_OF_KEY: Final = (
    "array(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k (n, o)"
    " JOIN pg_attribute a ON a.attrelid = {table} AND a.attnum = k.n ORDER BY k.o)"
)
_CONSTRAINTS: Final = (
    f"SELECT t.relname, c.contype::text, {_OF_KEY.format(keys='c.conkey', table='c.conrelid')}, f.relname"
    " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class f ON f.oid = c.confrelid"
    " WHERE c.connamespace = $1::regnamespace AND c.contype IN ('p', 'u', 'f')"
)
_INDEXES: Final = (
    f"SELECT t.relname, i.relname, x.indisunique, {_OF_KEY.format(keys='x.indkey::int2[]', table='x.indrelid')},"
    " pg_get_expr(x.indpred, x.indrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
    " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = $1::regnamespace"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)"
)
_FUNCTIONS: Final = (
    "SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
    " WHERE p.pronamespace = $1::regnamespace"
)


async def _describe_postgres(url: str) -> tuple[dict[str, Table], dict[str, str]]:
    parsed = parse_postgres_url(url)
    schema = parsed.schema
    assert schema is not None
    conn = await asyncpg.connect(parsed.dsn)
    try:
        tables: dict[str, Table] = {}
        for name, column, type_, not_null, has_default in await conn.fetch(_COLUMNS, schema):
            if name not in IGNORED:
                tables.setdefault(name, Table()).columns[column] = Column(type_, not_null, has_default)
        for name, kind, columns, parent in await conn.fetch(_CONSTRAINTS, schema):
            if name in IGNORED:
                continue
            if kind == "p":
                tables[name].primary_key = tuple(columns)
            elif kind == "u":
                tables[name].unique.add(tuple(columns))
            else:
                tables[name].foreign_keys.add((tuple(columns), parent))
        for name, index, unique, columns, where in await conn.fetch(_INDEXES, schema):
            if unique:
                tables[name].unique.add(tuple(columns))
            else:
                tables[name].indexes[index] = (tuple(columns), _predicate(where))
        functions = {str(name): str(language) for name, language in await conn.fetch(_FUNCTIONS, schema)}
        return tables, functions
    finally:
        await conn.close()


async def _migrated(folder: Path, backend: str) -> str:
    """The URL of a fresh database of ``backend``, migrated."""
    settings = backend_settings(backend, folder)
    await (await migrated_store(settings)).close()
    return settings.database_url


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Schemas:
    folder = tmp_path_factory.mktemp("parity")
    postgres_url = asyncio.run(_migrated(folder, "postgres"))  # first: skips when PostgreSQL is not configured
    sqlite_url = asyncio.run(_migrated(folder, "sqlite"))
    postgres, functions = asyncio.run(_describe_postgres(postgres_url))
    return Schemas(_describe_sqlite(sqlite_path(sqlite_url)), postgres, functions)


def _pairs(schemas: Schemas) -> list[tuple[str, Table, Table]]:
    return [(name, table, schemas.postgres[name]) for name, table in sorted(schemas.sqlite.items())]


def test_the_same_tables(schemas: Schemas) -> None:
    assert (
        sorted(schemas.sqlite)
        == sorted(schemas.postgres)
        == [
            "accounts",
            "audit",
            "campaigns",
            "campaigns_archive",
            "custom_fields",
            "customer_field_values",
            "customer_login_failures",
            "customers",
            "customers_archive",
            "idempotency_keys",
            "ledger",
            "ledger_archive",
            "ledger_balances",
            "promotions",
            "rewards",
            "rewards_archive",
            "users",
            "users_archive",
        ]
    )


def test_the_same_columns_in_the_same_order_with_mapped_types(schemas: Schemas) -> None:
    for name, lite, pg in _pairs(schemas):
        assert list(lite.columns) == list(pg.columns), name
        for column, mine in lite.columns.items():
            theirs = pg.columns[column]
            where = f"{name}.{column}"
            assert theirs.type in TYPES[mine.type], (where, mine.type, theirs.type)
            assert (mine.not_null, mine.has_default) == (theirs.not_null, theirs.has_default), where
            # moments are timestamptz on PostgreSQL, and only moments
            assert (theirs.type == "timestamp with time zone") == (column == "at" or column.endswith("_at")), where


def test_booleans_are_0_or_1_integers_on_sqlite(schemas: Schemas) -> None:
    for name, lite, pg in _pairs(schemas):
        booleans = {column for column, found in pg.columns.items() if found.type == "boolean"}
        assert lite.flags <= booleans, name  # every 0/1 column is a boolean there
        assert booleans - lite.flags == {column for table, column in FLAGS_WITHOUT_CHECK if table == name}, name


def test_the_same_primary_and_unique_keys(schemas: Schemas) -> None:
    for name, lite, pg in _pairs(schemas):
        assert lite.primary_key == pg.primary_key, name
        assert lite.unique == pg.unique, name
    assert schemas.sqlite["customers"].unique == {
        ("account_pk", "code"),
        ("account_pk", "card_number"),
        ("account_pk", "customer_username"),
    }


def test_the_same_indexes(schemas: Schemas) -> None:
    for name, lite, pg in _pairs(schemas):
        assert lite.indexes == pg.indexes, name
    assert schemas.sqlite["ledger"].indexes["ledger_by_reverses"] == (("reverses_pk",), "reverses_pkisnotnull")


def test_the_same_foreign_keys(schemas: Schemas) -> None:
    for name, lite, pg in _pairs(schemas):
        assert lite.foreign_keys == pg.foreign_keys, name
    assert schemas.sqlite["ledger"].foreign_keys == {
        (("account_pk",), "accounts"),
        (("campaign_pk",), "campaigns"),
        (("customer_pk",), "customers"),
        (("reverses_pk",), "ledger"),
    }
    assert all(not table.foreign_keys for name, table in schemas.sqlite.items() if name.endswith("_archive"))


def test_postgresql_alone_has_the_record_sale_function(schemas: Schemas) -> None:
    assert schemas.functions == {"record_sale": "plpgsql"}
