"""Stores for tests: every test that touches the store runs on SQLite and on PostgreSQL.

PostgreSQL is found through ``LOYALTY_TEST_POSTGRES_URL`` (e.g.
``postgresql://postgres@127.0.0.1:5432/test``); where it is unset those tests skip and say so.
Each test gets a fresh database: a new SQLite file, or a new PostgreSQL schema named in the URL
(``?schema=lt_<pid>_<n>``, see ``docs/postgres.md``) that the first migration creates and that
:func:`drop_test_schemas` drops after the test (``tests/conftest.py`` calls it).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

from loyalty_api.config import Settings
from loyalty_api.store.postgres._url import parse_postgres_url

__all__ = [
    "BACKENDS",
    "POSTGRES_URL_VARIABLE",
    "backend_settings",
    "drop_stale_test_schemas",
    "drop_test_schemas",
    "postgres_url",
    "with_schema",
]

POSTGRES_URL_VARIABLE: Final = "LOYALTY_TEST_POSTGRES_URL"
BACKENDS: Final = ("sqlite", "postgres")
SKIP_REASON: Final = (
    f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}, e.g. "
    f"{POSTGRES_URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test python -m tests (.ci/run sets it)"
)
_SCHEMA_PREFIX: Final = "lt_"
_numbers = itertools.count(1)
_created: list[str] = []  # schemas made by this process, not dropped yet


def postgres_url() -> str:
    """The test server's URL, or skip the test saying how to run it."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(SKIP_REASON)
    return url


def with_schema(url: str, schema: str) -> str:
    """``url`` with its ``schema`` option set to ``schema``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    query.append(("schema", schema))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def backend_settings(backend: str, tmp_path: Path, *, synchronous: str = "FULL") -> Settings:
    """Settings naming a fresh, empty database of ``backend``."""
    if backend == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'loyalty.db'}", sqlite_synchronous=synchronous)
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}")
    url = postgres_url()
    schema = f"{_SCHEMA_PREFIX}{os.getpid()}_{next(_numbers)}"
    _created.append(schema)
    return Settings(database_url=with_schema(url, schema), postgres_pool_min=1, postgres_pool_max=8)


def drop_test_schemas() -> None:
    """Drop the schemas :func:`backend_settings` named since the last call (those never created are skipped)."""
    if not _created:
        return
    schemas = list(_created)
    _created.clear()
    asyncio.run(_drop(os.environ[POSTGRES_URL_VARIABLE], schemas))


def drop_stale_test_schemas() -> None:
    """Drop test schemas left by test processes that no longer run (a run that was killed)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        asyncio.run(_drop_stale(url))


async def _drop(url: str, schemas: list[str]) -> None:
    conn = await asyncpg.connect(parse_postgres_url(url).dsn, timeout=10)
    try:
        for schema in schemas:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


async def _drop_stale(url: str) -> None:
    conn = await asyncpg.connect(parse_postgres_url(url).dsn, timeout=10)
    try:
        names = [row[0] for row in await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lt\\_%'")]
        for schema in names:
            pid = schema.removeprefix(_SCHEMA_PREFIX).partition("_")[0]
            if pid.isdigit() and not _alive(int(pid)):
                await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
