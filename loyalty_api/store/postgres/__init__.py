"""The PostgreSQL backend (asyncpg; see ``docs/postgres.md``)."""

from __future__ import annotations

from loyalty_api.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
