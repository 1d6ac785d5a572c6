"""SQLite's reads: inline on the event loop while they are quick, off it when they are not.

SQLite runs a statement in the calling thread.  A look-up by key takes microseconds and runs inline (a thread hop
would cost ten times more), but a search over every customer of a large account could hold the event loop, and
every other client, for seconds.  So :meth:`SqliteReads.read` runs a read inline with a budget
(:data:`INLINE_BUDGET`, or the statement timeout when it is shorter): the connection's progress handler interrupts it
when the budget is spent, and the read runs again, whole, on a connection of its own in a helper thread, there
bounded by the statement timeout (:class:`QueryTimeout`).  A kind of read that overran is *heavy* for a while
(``sql/heavy_reads.py``): it goes to the helper thread at once, without holding the loop for the budget first, and
heavy reads are paced to a share of the time.  One runs at a time: they queue behind each other, not in front of
the loop.

The helper thread's statements are stopped by ``Connection.interrupt()`` from a timer on the loop, not by a
progress handler: a Python progress handler takes the GIL every few microseconds of the scan, from the loop.  A
read transaction that cannot be ended cleanly costs its connection, never the next read.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from loyalty_api.store.interface import QueryTimeout
from loyalty_api.store.sql.db import Db, Row
from loyalty_api.store.sql.heavy_reads import HeavyReads, read_kind
from loyalty_api.store.sqlite._db import SqliteDb, end_read

__all__ = ["INLINE_BUDGET", "Deadline", "SqliteReads"]

T = TypeVar("T")
#: How long a read may hold the event loop before it is moved off it (seconds).
INLINE_BUDGET: Final = 0.02
# The progress handler is called every so many virtual machine instructions (a few microseconds of work).
_PROGRESS_STEP: Final = 1000


class Deadline:
    """A connection's progress handler: interrupts the running statement once ``until`` (monotonic) has passed."""

    __slots__ = ("until",)

    def __init__(self) -> None:
        self.until: float | None = None

    def install(self, conn: sqlite3.Connection) -> None:
        conn.set_progress_handler(self._expired, _PROGRESS_STEP)

    def _expired(self) -> int:
        until = self.until
        return 1 if until is not None and time.monotonic() > until else 0


class SqliteReads:
    """The :class:`ReadDb` of the SQLite store."""

    __slots__ = (
        "_connect",
        "_executor",
        "_heavy",
        "_inline",
        "_inline_deadline",
        "_lock",
        "_scan_conn",
        "_timeout",
    )

    def __init__(
        self,
        inline: sqlite3.Connection,
        connect: Callable[[], sqlite3.Connection],
        timeout_seconds: float,
        heavy: HeavyReads,
    ) -> None:
        self._inline = SqliteDb(inline)
        self._inline_deadline = Deadline()
        self._inline_deadline.install(inline)
        self._scan_conn: sqlite3.Connection | None = None
        self._connect = connect
        self._heavy = heavy
        self._timeout = timeout_seconds
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reads")
        self._lock = asyncio.Lock()

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return await self._inline.one(sql, params)

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return await self._inline.all(sql, params)

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any:
        return await self._inline.value(sql, params)

    async def read(self, work: Callable[[Db], Awaitable[T]]) -> T:
        kind = read_kind(work)
        heavy = self._heavy
        if not heavy.is_heavy(kind):
            # Inline: ``work`` only awaits this connection's statements, which never suspend, so no other coroutine
            # runs (or resets the deadline) before it returns.
            self._inline_deadline.until = time.monotonic() + min(INLINE_BUDGET, self._timeout)
            try:
                async with heavy.turn(kind, self._timeout), self._inline.snapshot() as db:
                    return await work(db)
            except QueryTimeout:
                pass  # too long for the loop (the kind is heavy now): again, off it
            finally:
                self._inline_deadline.until = None
        async with heavy.turn(kind, self._timeout), self._lock:
            return await self._off_the_loop(work)

    async def _off_the_loop(self, work: Callable[[Db], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        conn = self._scan_conn
        if conn is None:
            conn = self._scan_conn = await loop.run_in_executor(self._executor, self._connect)
        db = _ThreadDb(conn, self._executor)
        stop = loop.call_later(self._timeout, conn.interrupt)
        try:
            await db.run("BEGIN")
            return await work(db)
        finally:
            stop.cancel()
            # In the helper thread, after any statement still running there (when this task was cancelled).
            if not await loop.run_in_executor(self._executor, end_read, conn):
                self._scan_conn = None  # a connection left in a transaction would fail every later read
                await loop.run_in_executor(self._executor, conn.close)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._scan_conn is not None:
            self._scan_conn.close()
            self._scan_conn = None


class _ThreadDb(SqliteDb):
    """A :class:`Db` whose statements run in the reads' helper thread."""

    __slots__ = ("_pool",)

    def __init__(self, conn: sqlite3.Connection, pool: ThreadPoolExecutor) -> None:
        super().__init__(conn)
        self._pool = pool

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.one_now, sql, params)

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.all_now, sql, params)

    async def run(self, sql: str, params: Sequence[object] = ()) -> int:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.run_now, sql, params)
