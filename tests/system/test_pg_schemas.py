"""The test harness's reused PostgreSQL schemas (``tests/support/pg_schemas.py``) are as good as fresh ones.

A schema reset from the template must hold what migrating a new schema and loading the demo world gives: the same
tables, the same rows (times aside: they are when each was made), and the same next ids.
"""

from __future__ import annotations

import asyncio

import asyncpg

from loyalty_api.config import Settings
from tests.support.backends import postgres_url, prepare_demo, with_schema
from tests.support.pg_schemas import SchemaPool

_TIME_COLUMNS = frozenset({"at", "created_at", "updated_at", "applied_at", "archived_at"})


def test_a_reset_schema_is_like_a_freshly_made_one() -> None:
    url = postgres_url()
    pool = SchemaPool(url)

    async def prepare(schema: str) -> None:
        await prepare_demo(_settings(url, schema))

    try:
        first = pool.demo_schema(prepare)  # made the real way (and the template beside it)
        asyncio.run(_scribble(url, first))  # what a test might leave behind
        pool.release()
        reused = pool.demo_schema(prepare)  # the first one, reset and renamed
        assert reused != first
        fresh = pool.new_name()
        asyncio.run(prepare(fresh))
        assert asyncio.run(_contents(url, reused)) == asyncio.run(_contents(url, fresh))
    finally:
        pool.close()


def _settings(url: str, schema: str) -> Settings:
    return Settings(database_url=with_schema(url, schema), postgres_pool_min=1, postgres_pool_max=2)


async def _scribble(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"UPDATE {schema}.campaigns SET name = 'scribbled'")
        await conn.execute(
            f"INSERT INTO {schema}.audit (at, account_pk, user_name, entity, entity_id, action, changes)"
            " VALUES (now(), 1, 'x', 'campaign', 'y', 'update', '[]')"
        )
        await conn.execute(f"DELETE FROM {schema}.users WHERE user_name = 'clerk1970'")
    finally:
        await conn.close()


async def _contents(url: str, schema: str) -> dict[str, object]:
    """Every table's rows without their times, and the next value of every sequence (taken, so the schema is
    spent afterwards)."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)"
            " AND relkind = 'r' ORDER BY relname",
            schema,
        )
        contents: dict[str, object] = {}
        for (table,) in tables:
            rows = await conn.fetch(f"SELECT * FROM {schema}.{table} ORDER BY 1")
            contents[table] = [{k: v for k, v in row.items() if k not in _TIME_COLUMNS} for row in rows]
        sequences = await conn.fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)"
            " AND relkind = 'S' ORDER BY relname",
            schema,
        )
        for (sequence,) in sequences:
            contents[f"next {sequence}"] = await conn.fetchval(f"SELECT nextval('{schema}.{sequence}')")
        return contents
    finally:
        await conn.close()
