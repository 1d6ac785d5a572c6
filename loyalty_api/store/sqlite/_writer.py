"""The one write path of the SQLite store: group commit.

Every write of the process goes through one :class:`GroupCommitWriter`, which owns the only write
connection.  Requests that arrive while a batch is being committed wait in a queue; the next batch
takes all of them: ``BEGIN IMMEDIATE``, then each request's work inside its own ``SAVEPOINT`` (a
failing request rolls back to its savepoint and leaves the others alone), then one ``COMMIT``, so
one fsync makes the whole batch durable.  No request is answered before the commit that holds its
changes has returned.

The work functions run on the event loop (SQLite calls take microseconds).  ``BEGIN IMMEDIATE`` is
tried on the loop without waiting (busy timeout 0); only when another process holds the write lock
is it retried in a helper thread with the configured busy timeout, so that the loop never blocks on
a lock.  With ``synchronous=FULL`` (or EXTRA) the ``COMMIT`` that fsyncs runs in that thread too,
and the loop keeps parsing requests meanwhile: those form the next batch.

Each job gets its own :class:`SqliteWriteTx`.  The campaign rows a batch's jobs read are kept until the batch ends:
the database is write-locked from ``BEGIN IMMEDIATE`` to ``COMMIT``, so a row read once cannot change under the
batch but by its own jobs, whose changes drop the kept rows they touch (``sql/campaigns.py``); a job's rollback to
its savepoint empties them.  The second sale of a campaign in a batch reads no campaign row.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from loyalty_api.store.interface import WriteTx
from loyalty_api.store.sql.batches import BatchQueue, fail_all, settle
from loyalty_api.store.sql.campaigns import CampaignRows
from loyalty_api.store.sqlite._db import SqliteDb
from loyalty_api.store.sqlite._tx import SqliteWriteTx

__all__ = ["GroupCommitWriter"]

T = TypeVar("T")
_log = logging.getLogger(__name__)
_MAX_BATCH: Final = 256
_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})

_Job = tuple[Callable[[WriteTx], Awaitable[Any]], "asyncio.Future[Any]"]


class GroupCommitWriter:
    def __init__(self, conn: sqlite3.Connection, *, commit_in_thread: bool, busy_timeout_ms: int) -> None:
        self._conn = conn
        self._db = SqliteDb(conn)
        self._busy_timeout_ms = int(busy_timeout_ms)
        conn.execute("PRAGMA busy_timeout = 0")
        self._commit_in_thread = commit_in_thread
        self._jobs: BatchQueue[_Job] = BatchQueue(self._run_batch, _MAX_BATCH)
        self._campaigns: CampaignRows = {}  # of the running batch (see the module's docstring)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")

    async def submit(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.add((work, future))
        return await future

    async def close(self) -> None:
        await self._jobs.drained()
        self._executor.shutdown(wait=True)

    async def _run_batch(self, batch: list[_Job]) -> list[_Job]:
        """Run ``batch`` as one transaction and answer its jobs (none is run again)."""
        loop = asyncio.get_running_loop()
        conn = self._conn
        try:
            await self._begin(loop)
        except sqlite3.Error as exc:
            _log.warning("could not begin a write transaction: %s", exc)
            fail_all((future for _, future in batch), exc)
            return []
        campaigns = self._campaigns
        campaigns.clear()
        outcomes: list[tuple[asyncio.Future[Any], object, BaseException | None]] = []
        try:
            for work, future in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = await work(SqliteWriteTx(self._db, campaigns))
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    campaigns.clear()
                    conn.execute("RELEASE job")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((future, result, None))
            if self._commit_in_thread:
                await loop.run_in_executor(self._executor, conn.execute, "COMMIT")
            else:
                conn.execute("COMMIT")
            campaigns.clear()
        except BaseException as exc:
            campaigns.clear()
            _rollback(conn)
            _log.warning("write batch of %d rolled back: %s", len(batch), exc)
            fail_all((future for _, future in batch), exc)
            if not isinstance(exc, Exception):
                raise
            return []
        settle(outcomes)
        return []

    async def _begin(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _BUSY_CODES:
                raise
        await loop.run_in_executor(self._executor, self._begin_waiting)

    def _begin_waiting(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute("PRAGMA busy_timeout = 0")


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:  # pragma: no cover - the connection is already unusable
        _log.exception("rollback failed")
