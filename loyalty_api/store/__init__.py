"""Persistence: the :class:`Store` interface and its backends.  SQL lives only below this package."""

from __future__ import annotations

from typing import Protocol

from loyalty_api.store._migrations import MigrationStatus, SchemaMismatch
from loyalty_api.store.interface import QueryTimeout, ReadsBusy, Store, StoreUnavailable, WriteTx
from loyalty_api.store.models import CAMPAIGN_TYPES, Account, AuditRecord, Campaign, Change, NewAudit, Principal, Role
from loyalty_api.store.urls import redacted

__all__ = [
    "CAMPAIGN_TYPES",
    "Account",
    "AuditRecord",
    "Campaign",
    "Change",
    "NewAudit",
    "MigrationStatus",
    "Principal",
    "QueryTimeout",
    "ReadsBusy",
    "Role",
    "SchemaMismatch",
    "Store",
    "StoreSettings",
    "StoreUnavailable",
    "WriteTx",
    "create_store",
]


class StoreSettings(Protocol):
    """What :func:`create_store` reads of the configuration (``loyalty_api.config.Settings`` has it): the store is
    the lowest layer and imports nothing of the layers above it (``[tool.importlinter]`` in pyproject.toml)."""

    @property
    def database_url(self) -> str: ...

    @property
    def sqlite_synchronous(self) -> str: ...

    @property
    def sqlite_busy_timeout_ms(self) -> int: ...

    @property
    def postgres_pool_min(self) -> int: ...

    @property
    def postgres_pool_max(self) -> int: ...

    @property
    def statement_timeout_ms(self) -> int: ...

    @property
    def write_statement_timeout_ms(self) -> int: ...

    @property
    def heavy_read_percent(self) -> int: ...


def create_store(settings: StoreSettings) -> Store:
    """The store that ``settings.database_url`` names (not yet opened)."""
    url = settings.database_url
    if url.startswith("sqlite:"):
        from loyalty_api.store.sqlite.store import SqliteStore

        return SqliteStore(
            url,
            synchronous=settings.sqlite_synchronous,
            busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            statement_timeout_ms=settings.statement_timeout_ms,
            heavy_read_percent=settings.heavy_read_percent,
        )
    if url.startswith(("postgresql:", "postgres:")):
        from loyalty_api.store.postgres.store import PostgresStore

        return PostgresStore(
            url,
            pool_min=settings.postgres_pool_min,
            pool_max=settings.postgres_pool_max,
            statement_timeout_ms=settings.statement_timeout_ms,
            write_statement_timeout_ms=settings.write_statement_timeout_ms,
            heavy_read_percent=settings.heavy_read_percent,
        )
    raise ValueError(
        f"unsupported LOYALTY_DATABASE_URL {redacted(url)!r}: use sqlite:///path or postgresql://user@host:port/db"
    )
