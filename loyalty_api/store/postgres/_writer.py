"""The one write path of the PostgreSQL store: group commit on one dedicated connection per process.

Every write of the process goes through one :class:`PostgresGroupCommitWriter`, which owns one asyncpg
connection of its own (outside the read pool).  Requests that arrive while a batch runs wait in a
queue; the next batch takes up to :data:`MAX_BATCH` of them: ``BEGIN ISOLATION LEVEL READ COMMITTED``
(sent together with the first ``SAVEPOINT``), each request's work inside its own savepoint (one
``RELEASE SAVEPOINT job; SAVEPOINT job`` round trip between two jobs), then one ``COMMIT``: one WAL
flush and one hold of each hot row's lock for the whole batch instead of one per request.
``synchronous_commit`` stays as the server has it (``on``): no request is answered before the commit
that holds its changes has returned.

- A job that raises is rolled back to its savepoint; its exception goes to its own request only.
- A job chosen as a deadlock victim (40P01) or failing to serialize (40001), which can happen when
  two processes' batches lock rows in different orders, is rolled back to its savepoint and run again
  in a following batch, at most :data:`WRITE_ATTEMPTS` times in all, then fails with
  :class:`StoreUnavailable`.  A work function may therefore run more than once; it must keep its
  effects inside the transaction.
- If the connection breaks or ``COMMIT`` fails, every job of the batch fails with
  :class:`StoreUnavailable` (none was acknowledged) and the next batch connects afresh.

The batch is bounded at 64 jobs: each job that writes gets a subtransaction id, and PostgreSQL keeps
at most 64 of them per backend in shared memory (``PGPROC_MAX_CACHED_SUBXIDS``); beyond that every
other session's snapshot would have to look subtransactions up in ``pg_subtrans``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import asyncpg

from loyalty_api.store.interface import StoreUnavailable
from loyalty_api.store.postgres._errors import RETRYABLE, is_unavailable
from loyalty_api.store.postgres._rows import Conn

__all__ = ["MAX_BATCH", "WRITE_ATTEMPTS", "PostgresGroupCommitWriter"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

MAX_BATCH: Final = 64
WRITE_ATTEMPTS: Final = 3

_BEGIN: Final = "BEGIN ISOLATION LEVEL READ COMMITTED; SAVEPOINT job"
_NEXT_JOB: Final = "RELEASE SAVEPOINT job; SAVEPOINT job"
_UNDO_JOB: Final = "ROLLBACK TO SAVEPOINT job"

Work = Callable[[Conn], Awaitable[Any]]
Connect = Callable[[], Awaitable["asyncpg.Connection[asyncpg.Record]"]]


@dataclass(slots=True)
class _Job:
    work: Work
    future: asyncio.Future[Any]
    attempt: int = 1


class PostgresGroupCommitWriter:
    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._conn: asyncpg.Connection[asyncpg.Record] | None = None
        self._pending: list[_Job] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, work: Callable[[Conn], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append(_Job(work, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await future

    async def close(self) -> None:
        """Run what is queued, then close the connection."""
        if self._task is not None:
            await asyncio.shield(self._task)
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await asyncio.wait_for(conn.close(), timeout=10)
            except (TimeoutError, OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
                conn.terminate()

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            retry = await self._run_batch(batch)
            if retry:
                self._pending[:0] = retry  # first in the next batch: they have waited longest

    async def _connection(self) -> asyncpg.Connection[asyncpg.Record]:
        conn = self._conn
        if conn is None or conn.is_closed():
            conn = self._conn = await self._connect()
        return conn

    async def _run_batch(self, batch: list[_Job]) -> list[_Job]:
        """Run ``batch`` as one transaction; return the jobs to run again in a following batch."""
        outcomes: list[tuple[_Job, object, BaseException | None]] = []
        retry: list[_Job] = []
        try:
            conn = await self._connection()
            statement = _BEGIN
            for job in batch:
                await conn.execute(statement)
                statement = _NEXT_JOB
                try:
                    result = await job.work(conn)
                except Exception as exc:
                    if is_unavailable(exc):
                        raise
                    await conn.execute(_UNDO_JOB)
                    if isinstance(exc, RETRYABLE) and job.attempt < WRITE_ATTEMPTS:
                        _log.info("write retried in the next batch after %s", type(exc).__name__)
                        job.attempt += 1
                        retry.append(job)
                    elif isinstance(exc, RETRYABLE):
                        outcomes.append((job, None, _gave_up(job.attempt, exc)))
                    else:
                        outcomes.append((job, None, exc))
                else:
                    outcomes.append((job, result, None))
            status = await conn.execute("COMMIT")
            if status != "COMMIT":  # PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
                raise StoreUnavailable(f"the batch's transaction was rolled back ({status})")
        except BaseException as exc:
            await self._abandon(exc)
            _log.warning("write batch of %d failed, nothing of it kept: %s", len(batch), exc)
            _fail_all(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return []
        for job, result, error in outcomes:
            if job.future.done():  # the request went away (cancelled)
                continue
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)
        return retry

    async def _abandon(self, cause: BaseException) -> None:
        """Roll the open transaction back; a connection that cannot, or a cancelled batch's, is dropped (the next
        batch connects afresh)."""
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        if isinstance(cause, Exception) and not is_unavailable(cause):
            try:
                if conn.is_in_transaction():
                    await asyncio.wait_for(conn.execute("ROLLBACK"), timeout=5)
                self._conn = conn
                return
            except Exception as exc:
                _log.warning("rollback failed, the writer reconnects: %s", exc)
        conn.terminate()


def _gave_up(attempts: int, cause: BaseException) -> StoreUnavailable:
    error = StoreUnavailable(f"gave up after {attempts} attempts: {cause}")
    error.__cause__ = cause
    return error


def _fail_all(batch: list[_Job], cause: BaseException) -> None:
    for job in batch:
        if not job.future.done():
            error = StoreUnavailable(str(cause) or type(cause).__name__)
            error.__cause__ = cause
            job.future.set_exception(error)
