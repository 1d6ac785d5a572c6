"""Fixtures: a migrated store with the demo world, and an HTTP client on the real ASGI app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.web.app import create_app
from tests.support.backends import BACKENDS, close_schemas, demo_settings, drop_stale_test_schemas, release_schemas


def pytest_sessionstart(session: pytest.Session) -> None:
    drop_stale_test_schemas()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    close_schemas()


@pytest.fixture(autouse=True)
def _fresh_postgres_schemas() -> Iterator[None]:
    """Release the PostgreSQL schemas a test made (after every other fixture of the test is torn down)."""
    yield
    release_schemas()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Settings:
    """A fresh database of each backend, migrated, with the demo world loaded."""
    return demo_settings(backend, tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the real app (lifespan run) on the demo database."""
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client
