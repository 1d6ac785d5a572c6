"""The shared statements executed with asyncpg: :class:`ConnDb` on one connection (a write transaction or a read
snapshot), :class:`PoolReads` on the read pool, taking its connections in arrival order (:class:`FairGate`).

Driver errors that mean the database cannot answer become :class:`StoreUnavailable`; a broken constraint
:class:`ConstraintViolation`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final, TypeAlias, TypeVar, cast

import asyncpg
from asyncpg import Connection, Record
from asyncpg.pool import PoolConnectionProxy

from loyalty_api.store.interface import BalanceLimit, QueryTimeout, StoreUnavailable
from loyalty_api.store.postgres._errors import is_unavailable
from loyalty_api.store.postgres._fair_gate import FairGate
from loyalty_api.store.sql.db import ConstraintViolation, Db, Row
from loyalty_api.store.sql.heavy_reads import HeavyReads, read_kind

__all__ = ["Conn", "ConnDb", "PoolReads", "unavailable"]

# A connection taken from the pool (reads), or the group-commit writer's own connection (writes).
Conn: TypeAlias = "Connection[Record] | PoolConnectionProxy[Record]"
T = TypeVar("T")
_LOCK: Final = "SELECT pg_advisory_xact_lock(hashtextextended($1, $2))"
_KEY_COLUMNS: Final = re.compile(r"Key \(([^)]*)\)=")


class ConnDb:
    """A :class:`Db` on one connection, inside a transaction its owner opened."""

    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        try:
            return cast(Row | None, await self.conn.fetchrow(sql, *params))
        except asyncpg.PostgresError as exc:
            raise _translated(exc) from exc

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            return cast(list[Row], await self.conn.fetch(sql, *params))
        except asyncpg.PostgresError as exc:
            raise _translated(exc) from exc

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any:
        try:
            return await self.conn.fetchval(sql, *params)
        except asyncpg.PostgresError as exc:
            raise _translated(exc) from exc

    async def run(self, sql: str, params: Sequence[object] = ()) -> int:
        try:
            status = await self.conn.execute(sql, *params)
        except asyncpg.PostgresError as exc:
            raise _translated(exc) from exc
        return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 3", "DELETE 2", ...

    async def lock(self, seed: int, key: str) -> None:
        await self.conn.execute(_LOCK, key, seed)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        # The group-commit writer begins its transactions with plain SQL, so asyncpg does not know one is open and
        # conn.transaction() would refuse to nest: a savepoint of our own.
        await self.conn.execute("SAVEPOINT step")
        try:
            yield
        except BaseException:
            await self.conn.execute("ROLLBACK TO SAVEPOINT step; RELEASE SAVEPOINT step")
            raise
        await self.conn.execute("RELEASE SAVEPOINT step")


class PoolReads:
    """A :class:`ReadDb` on the read pool: each statement on a connection it takes, in arrival order.  Reads whose
    cost grows with the data (:meth:`read`) first pass ``scans``, a gate with fewer places than the pool."""

    __slots__ = ("_gate", "_heavy", "_pool", "_scans", "_timeout")

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        gate: FairGate,
        scans: FairGate,
        heavy: HeavyReads,
        timeout_seconds: float,
    ) -> None:
        self._heavy = heavy
        self._timeout = timeout_seconds
        self._pool = pool
        self._gate = gate
        self._scans = scans

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        try:
            async with self._gate:
                found = await self._pool().fetchrow(sql, *params)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            if isinstance(exc, asyncpg.PostgresError):
                raise _translated(exc) from exc
            raise
        return cast(Row | None, found)

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            async with self._gate:
                found = await self._pool().fetch(sql, *params)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            if isinstance(exc, asyncpg.PostgresError):
                raise _translated(exc) from exc
            raise
        return cast(list[Row], found)

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any:
        try:
            async with self._gate:
                found = await self._pool().fetchval(sql, *params)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            if isinstance(exc, asyncpg.PostgresError):
                raise _translated(exc) from exc
            raise
        return found

    async def read(self, work: Callable[[Db], Awaitable[T]]) -> T:
        try:
            async with (
                self._heavy.turn(read_kind(work), self._timeout),  # heavy reads paced (sql/heavy_reads.py)
                self._scans,
                self._gate,
                self._pool().acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                return await work(ConnDb(conn))
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            if isinstance(exc, asyncpg.PostgresError):
                raise _translated(exc) from exc
            raise


def unavailable(exc: BaseException) -> StoreUnavailable:
    error = StoreUnavailable(str(exc) or type(exc).__name__)
    error.__cause__ = exc
    return error


def _translated(exc: asyncpg.PostgresError) -> Exception:
    """A broken constraint (with the columns of the broken key, from the server's detail ``Key (account_pk,
    card_number)=(...)``) and a statement stopped by ``statement_timeout`` as the store's exceptions; others as
    they are."""
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        found = _KEY_COLUMNS.search(getattr(exc, "detail", None) or "")
        columns = tuple(name.strip() for name in found.group(1).split(",")) if found else ()
        return ConstraintViolation(str(exc), columns)
    if isinstance(exc, asyncpg.QueryCanceledError):
        return QueryTimeout(str(exc))
    if isinstance(exc, asyncpg.NumericValueOutOfRangeError):  # a sum past bigint
        return BalanceLimit(str(exc))
    return exc
