"""The shared statements executed on a SQLite connection, inline on the event loop: a statement takes
microseconds, and no await here ever suspends.  (``_reads.py`` moves reads that take longer off the loop.)"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from loyalty_api.store.interface import BalanceLimit, QueryTimeout
from loyalty_api.store.sql.db import ConstraintViolation, Row

__all__ = ["SqliteDb", "end_read"]

_log = logging.getLogger(__name__)


class SqliteDb:
    """A :class:`Db` on one connection.  The ``*_now`` methods are the same statements, called without a
    coroutine (from a helper thread)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def one_now(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        try:
            row: Row | None = self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise _translated(exc) from exc
        return row

    def all_now(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translated(exc) from exc

    def run_now(self, sql: str, params: Sequence[object] = ()) -> int:
        try:
            return int(self._conn.execute(sql, params).rowcount)
        except sqlite3.Error as exc:
            raise _translated(exc) from exc

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return self.one_now(sql, params)

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self.all_now(sql, params)

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]

    async def run(self, sql: str, params: Sequence[object] = ()) -> int:
        return self.run_now(sql, params)

    async def lock(self, seed: int, key: str) -> None:
        """Nothing to take: the write transaction (BEGIN IMMEDIATE) holds the whole database."""

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        self._conn.execute("SAVEPOINT step")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK TO step")
            self._conn.execute("RELEASE step")
            raise
        self._conn.execute("RELEASE step")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteDb]:
        conn = self._conn
        if conn.in_transaction:  # pragma: no cover - end_read leaves none open; never read inside a stale one
            _log.error("a read connection was left in a transaction; rolling it back")
            conn.execute("ROLLBACK")
        conn.execute("BEGIN")  # a read transaction: every statement sees the same data
        try:
            yield self
        finally:
            if not end_read(conn):  # pragma: no cover - see end_read
                raise sqlite3.OperationalError("a read transaction could not be ended")


def end_read(conn: sqlite3.Connection) -> bool:
    """End ``conn``'s read transaction, whatever happened inside it; whether the connection is out of it (if not,
    it must not be used again)."""
    if not conn.in_transaction:
        return True
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _log.warning("ending a read transaction: %s", exc)
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            _log.exception("rolling back a read transaction")
    return not conn.in_transaction


def _translated(exc: sqlite3.Error) -> Exception:
    if isinstance(exc, sqlite3.IntegrityError):
        # "UNIQUE constraint failed: customers.account_pk, customers.card_number" -> its columns.
        text = str(exc)
        _, _, names = text.partition(": ")
        columns = tuple(part.strip().rpartition(".")[2] for part in names.split(",") if "." in part)
        return ConstraintViolation(text, columns)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT:
        return QueryTimeout(str(exc))
    if str(exc) == "integer overflow":  # sum() of stored amounts past 64 bits
        return BalanceLimit(str(exc))
    return exc
