"""The PostgreSQL store: asyncpg, one connection pool per process for reads, one group-commit writer for writes.

Writes go through the process's :class:`PostgresGroupCommitWriter` (``_writer.py``): on its own
connection, queued writes run as one READ COMMITTED transaction with a savepoint each and one
``COMMIT`` (durable: ``synchronous_commit`` as the server has it, ``on`` by default).  A write that
reads a row in order to change it locks that row first (``SELECT ... FOR UPDATE``), so concurrent
writers of one campaign on another node queue behind the batch that holds it and then see the row as
it left it.  Driver errors that mean the database cannot answer become :class:`StoreUnavailable`; a
write chosen as a deadlock victim is run again (its work function may therefore run more than once;
it must keep its effects inside the transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar
from urllib.parse import parse_qsl, urlsplit

import asyncpg

from loyalty_api.store._migrations import MigrationStatus
from loyalty_api.store.interface import SaleWork, StoreUnavailable, WriteTx
from loyalty_api.store.postgres._db import PoolReads, unavailable
from loyalty_api.store.postgres._dialect import SQL
from loyalty_api.store.postgres._errors import is_unavailable
from loyalty_api.store.postgres._fair_gate import FairGate
from loyalty_api.store.postgres._migrate import apply_migrations, migration_statuses
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.postgres._writer import PostgresGroupCommitWriter
from loyalty_api.store.sql.heavy_reads import HeavyReads
from loyalty_api.store.sql.store_base import SqlStore

__all__ = ["PostgresStore"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S: Final = 5.0
PING_TIMEOUT_S: Final = 3.0


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Pool reset hook: nothing to undo (we never change session state), so skip asyncpg's RESET ALL
    round trip on every release.  asyncpg still rolls back a transaction left open."""


class PostgresStore(SqlStore, statements=SQL):
    def __init__(
        self,
        url: str,
        *,
        pool_min: int = 2,
        pool_max: int = 10,
        statement_timeout_ms: int = 5000,
        write_statement_timeout_ms: int = 60000,
        heavy_read_percent: int = 25,
    ) -> None:
        if pool_max < 1 or pool_min > pool_max:
            raise ValueError(f"the PostgreSQL pool needs 1 <= max and min <= max, not min={pool_min} max={pool_max}")
        parsed = parse_postgres_url(url)
        self.url = url
        self.schema = parsed.schema
        self.pool_min = pool_min
        self.pool_max = pool_max
        self._dsn = parsed.dsn
        # Every statement is bounded in time (the URL may set another statement_timeout: its options win).
        self._server_settings = {"statement_timeout": f"{statement_timeout_ms}ms", **parsed.server_settings}
        self._writer_settings = {**self._server_settings, "statement_timeout": f"{write_statement_timeout_ms}ms"}
        if "statement_timeout" in dict(parse_qsl(urlsplit(parsed.dsn).query)):
            self._server_settings.pop("statement_timeout")
            self._writer_settings.pop("statement_timeout")
        self._pool: asyncpg.Pool | None = None
        self._writer: PostgresGroupCommitWriter | None = None
        self._gate = FairGate(pool_max)  # reads take the pool's connections in arrival order
        # Reads whose cost grows with the data hold at most half the pool: look-ups always find a connection.
        self._reads = PoolReads(
            self._require_pool,
            self._gate,
            FairGate(max(1, pool_max // 2)),
            HeavyReads(heavy_read_percent / 100),
            statement_timeout_ms / 1000,
        )

    # --- lifecycle ---------------------------------------------------------------------------

    async def _create_pool(self, min_size: int) -> asyncpg.Pool:
        return await asyncpg.create_pool(
            self._dsn,
            min_size=min_size,
            max_size=self.pool_max,
            reset=_keep_session,
            timeout=CONNECT_TIMEOUT_S,
            server_settings=self._server_settings,
        )

    async def _connect_writer(self) -> asyncpg.Connection[asyncpg.Record]:
        # The same settings as the pool's connections (search path, application name), but for the statement
        # timeout: a write may move a whole campaign to the archive.
        return await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_S, server_settings=self._writer_settings)

    async def open(self) -> None:
        """Create the pool.  When the server cannot be reached, start anyway with an empty pool that
        connects on demand: the process comes up and ``/readyz`` says 503 until the database answers."""
        if self._pool is not None:
            return
        self._writer = PostgresGroupCommitWriter(self._connect_writer)
        try:
            self._pool = await self._create_pool(self.pool_min)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            _log.warning("PostgreSQL is unreachable (%s); connecting on demand", exc)
            self._pool = await self._create_pool(0)

    async def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except _CLOSE_ERRORS:
                pool.terminate()

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreUnavailable("the store is not open")
        return self._pool

    async def ping(self) -> None:
        pool = self._require_pool()
        try:
            async with asyncio.timeout(PING_TIMEOUT_S), self._gate:
                await pool.fetchval("SELECT 1 FROM schema_migrations LIMIT 1")
        except (asyncpg.PostgresError, TimeoutError) as exc:  # also: not migrated yet
            raise unavailable(exc) from exc
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
        await self._check_writes(PING_TIMEOUT_S)

    async def migrate(self) -> list[str]:
        await self.open()
        pool = self._require_pool()
        try:
            async with pool.acquire() as conn:
                return await apply_migrations(conn, self.schema)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise

    async def migration_status(self) -> list[MigrationStatus]:
        await self.open()
        pool = self._require_pool()
        try:
            async with pool.acquire() as conn:
                return await migration_statuses(conn)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise

    # --- the write path ------------------------------------------------------------------------

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit(work)

    async def write_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit_sale(work)


_CLOSE_ERRORS: Final = (TimeoutError, OSError, asyncpg.InterfaceError, asyncpg.PostgresError)
