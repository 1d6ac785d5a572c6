"""Stores for tests: every test that touches the store runs on SQLite and on PostgreSQL.

PostgreSQL is found through ``LOYALTY_TEST_POSTGRES_URL`` (e.g.
``postgresql://postgres@127.0.0.1:5432/test``); where it is unset those tests skip and say so.
Each test gets a fresh database: a new SQLite file, or a new PostgreSQL schema named in the URL
(``?schema=lt_<pid>_<n>``, see ``docs/postgres.md`` and ``tests/support/pg_schemas.py``), which is dropped (or, holding
the demo world, reset for the next test) after the test: ``tests/conftest.py`` calls :func:`release_schemas`.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from loyalty_api.config import Settings
from loyalty_api.demo import load_demo
from loyalty_api.store import create_store
from loyalty_api.store.sqlite.store import sqlite_path
from tests.support.pg_schemas import SchemaPool

__all__ = [
    "BACKENDS",
    "POSTGRES_URL_VARIABLE",
    "backend_settings",
    "close_schemas",
    "demo_settings",
    "drop_stale_test_schemas",
    "migrate",
    "postgres_url",
    "prepare_demo",
    "shared_demo_settings",
    "release_schemas",
    "remove_at_exit",
    "with_schema",
]

POSTGRES_URL_VARIABLE: Final = "LOYALTY_TEST_POSTGRES_URL"
BACKENDS: Final = ("sqlite", "postgres")
SKIP_REASON: Final = (
    f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}, e.g. "
    f"{POSTGRES_URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test python -m tests (.ci/run sets it)"
)
_POOL_MIN: Final = 1
_POOL_MAX: Final = 8
_schemas: SchemaPool | None = None
_sqlite_demo: Path | None = None


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


def _pool() -> SchemaPool:
    global _schemas
    if _schemas is None:
        _schemas = SchemaPool(postgres_url())
    return _schemas


def _postgres_settings(schema: str) -> Settings:
    return Settings(
        database_url=with_schema(postgres_url(), schema), postgres_pool_min=_POOL_MIN, postgres_pool_max=_POOL_MAX
    )


def backend_settings(backend: str, tmp_path: Path, *, synchronous: str = "FULL") -> Settings:
    """Settings naming a fresh, empty database of ``backend``."""
    if backend == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'loyalty.db'}", sqlite_synchronous=synchronous)
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}")
    return _postgres_settings(_pool().new_name())


def demo_settings(backend: str, tmp_path: Path) -> Settings:
    """Settings naming a fresh database of ``backend``, migrated, with the demo world loaded."""
    if backend != "postgres":
        settings = backend_settings(backend, tmp_path)
        # The demo database is built once per session through the store (the real way) and copied per test.
        shutil.copyfile(_sqlite_template(), sqlite_path(settings.database_url))
        return settings
    postgres_url()  # skip first when there is no server

    async def prepare(schema: str) -> None:
        await prepare_demo(_postgres_settings(schema))

    return _postgres_settings(_pool().demo_schema(prepare))


def _sqlite_template() -> Path:
    global _sqlite_demo
    if _sqlite_demo is None:
        folder = Path(tempfile.mkdtemp(prefix="loyalty-demo-template-"))
        atexit.register(remove_at_exit, folder, os.getpid())
        template = backend_settings("sqlite", folder)
        asyncio.run(prepare_demo(template))  # closing the store checkpoints the WAL into the file
        _sqlite_demo = Path(sqlite_path(template.database_url))
    return _sqlite_demo


def remove_at_exit(folder: Path, owner: int) -> None:
    """The ``atexit`` clean-up of a folder made by the process ``owner``: a process forked from it inherits its
    ``atexit`` handlers, and must not take the folder away from under its parent when it exits."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


async def prepare_demo(settings: Settings) -> None:
    """Migrate the database of ``settings`` and load the demo world, through the store (the real way)."""
    store = create_store(settings)
    await store.open()
    try:
        await store.migrate()
        await load_demo(store)
    finally:
        await store.close()


def shared_demo_settings(backend: str, tmp_path: Path) -> Settings:
    """A fresh database of ``backend`` with the demo world, made for many examples of one hypothesis test to share
    (without fsync on each SQLite commit: nothing here is about durability)."""
    settings = backend_settings(backend, tmp_path, synchronous="NORMAL")
    asyncio.run(prepare_demo(settings))
    return settings


async def migrate(settings: Settings) -> None:
    """Migrate the database of ``settings`` (nothing loaded in it)."""
    store = create_store(settings)
    await store.open()
    try:
        await store.migrate()
    finally:
        await store.close()


def release_schemas() -> None:
    """After a test: drop the PostgreSQL schemas it made (or keep its demo schema to reset for the next test)."""
    if _schemas is not None:
        _schemas.release()


def close_schemas() -> None:
    """At the end of the session: drop every test schema of this process."""
    if _schemas is not None:
        _schemas.close()


def drop_stale_test_schemas() -> None:
    """Drop test schemas left by test processes that no longer run (a run that was killed)."""
    if os.environ.get(POSTGRES_URL_VARIABLE):
        _pool().drop_stale()
