"""Stores for tests: every test that touches the store runs on SQLite and on PostgreSQL.

PostgreSQL is found through ``LOYALTY_TEST_POSTGRES_URL`` (e.g.
``postgresql://postgres@127.0.0.1:5432/test``); where it is unset those tests skip and say so.
Each test gets a fresh database: a new SQLite file, or a new PostgreSQL schema.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.config import Settings

__all__ = ["BACKENDS", "POSTGRES_URL_VARIABLE", "backend_settings"]

POSTGRES_URL_VARIABLE: Final = "LOYALTY_TEST_POSTGRES_URL"
BACKENDS: Final = ("sqlite", "postgres")


def backend_settings(backend: str, tmp_path: Path, *, synchronous: str = "FULL") -> Settings:
    """Settings naming a fresh, empty database of ``backend``."""
    if backend == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'loyalty.db'}", sqlite_synchronous=synchronous)
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test")
    pytest.skip("the PostgreSQL store is not built yet")
