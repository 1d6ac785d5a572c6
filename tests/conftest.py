"""Fixtures: a migrated store with the demo world, and an HTTP client on the real ASGI app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.demo import load_demo
from loyalty_api.store import create_store
from loyalty_api.web.app import create_app
from tests._backends import BACKENDS, backend_settings, drop_stale_test_schemas, drop_test_schemas


def pytest_sessionstart(session: pytest.Session) -> None:
    drop_stale_test_schemas()


@pytest.fixture(autouse=True)
def _fresh_postgres_schemas() -> Iterator[None]:
    """Drop the PostgreSQL schemas a test made (after every other fixture of the test is torn down)."""
    yield
    drop_test_schemas()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Settings:
    """A fresh database of each backend, migrated, with the demo world loaded."""
    chosen = backend_settings(backend, tmp_path)
    asyncio.run(_prepare(chosen))
    return chosen


async def _prepare(settings: Settings) -> None:
    store = create_store(settings)
    await store.open()
    try:
        await store.migrate()
        await load_demo(store)
    finally:
        await store.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the real app (lifespan run) on the demo database."""
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client
