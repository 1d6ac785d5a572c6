"""The one write path of the PostgreSQL store: group commit on one dedicated connection per process.

Every write of the process goes through one :class:`PostgresGroupCommitWriter`, which owns one asyncpg
connection of its own (outside the read pool).  Requests that arrive while a batch runs wait in a
queue; the next batch takes up to :data:`MAX_BATCH` of them and runs them one after the other in one
``READ COMMITTED`` transaction, inserts the audit rows they appended with one statement, and commits
once: one WAL flush, and one hold of a hot row's lock, for the whole batch instead of one per request.
``synchronous_commit`` stays as the server has it (``on``): no request is answered before the commit
that holds its changes has returned.

On one connection every statement is a round trip that the next job waits for, so the writer spends
as few as it can:

- **Optimistic batches.** Jobs run without savepoints.  If the first job raises, the transaction is
  rolled back (it held that job only), the job gets its error and the others form the next batch.  If
  a later job raises, the transaction is rolled back and the whole batch runs again *carefully*, and so
  do the next :data:`CAREFUL_BATCHES` batches (errors tend to come in runs).
- **Careful batches** give each job its own savepoint (``BEGIN`` sent together with the first
  ``SAVEPOINT``, ``RELEASE SAVEPOINT job; SAVEPOINT job`` as one round trip between jobs): a job that
  raises is rolled back to its savepoint and its exception goes to its own request only.
- **No waiting for locks while holding others.**  From the second job of a batch on, a lock wait is
  bounded by ``lock_timeout`` (:data:`LOCK_WAIT`): a job that would wait for a row another process's
  batch holds ends the batch there (the jobs before it commit) and leads the next batch, where it may
  wait as long as it takes, holding nothing else.  So two processes' batches cannot wait for each other
  (no deadlock through batching).
- **Sales append together.**  A sale's job (``Store.write_sale``) has a read phase, one ``record_sale``, and an
  answer computed without the store.  In an optimistic batch the writer runs a sale's read phase, keeps its sale,
  and goes on to the next job; the kept sales are appended with one round trip (asyncpg's ``fetchmany``: the
  calls of the ``record_sale`` function sent at once, run one after the other in the batch's transaction) before
  the next job that is not a sale, and at the end of the batch, and their jobs answered then.  A batch that starts
  with a sale sends that one alone when the second job comes, the function setting the short lock waits after it
  (one round trip for both).  A read phase reads no ledger row and writes nothing, so running it before the sales
  kept ahead of it are appended changes nothing it sees.  A sale naming no customer writes nothing and fails
  alone; any other failure there rolls the batch back and runs it carefully, where each sale's job runs whole.
- A job chosen as a deadlock victim (40P01) or failing to serialize (40001), as two single writes can
  still be, is rolled back and run again in a following batch, at most :data:`WRITE_ATTEMPTS` times in
  all, then fails with :class:`StoreUnavailable`.  A work function may therefore run more than once;
  it must keep its effects inside the transaction.
- If the connection breaks or ``COMMIT`` fails, every job of the batch fails with
  :class:`StoreUnavailable` (none was acknowledged) and the next batch connects afresh.

The batch is bounded at 64 jobs: each careful job that writes gets a subtransaction id, and PostgreSQL
keeps at most 64 of them per backend in shared memory (``PGPROC_MAX_CACHED_SUBXIDS``); beyond that
every other session's snapshot would have to look subtransactions up in ``pg_subtrans``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar, cast

import asyncpg

from loyalty_api.store.interface import SaleWork, StoreUnavailable, WriteTx, run_sale
from loyalty_api.store.ledger_models import NewSale, RecordedSale
from loyalty_api.store.models import NewAudit
from loyalty_api.store.postgres._db import Conn, ConnDb
from loyalty_api.store.postgres._errors import RETRYABLE, is_unavailable
from loyalty_api.store.postgres._tx import (
    RECORD_SALE,
    PostgresWriteTx,
    insert_audit_rows,
    record_sale_args,
    recorded_sale,
)
from loyalty_api.store.sql.batches import BatchQueue, fail_all, settle
from loyalty_api.store.sql.campaigns import CampaignRows
from loyalty_api.store.sql.db import Row

__all__ = ["CAREFUL_BATCHES", "LOCK_WAIT", "MAX_BATCH", "WRITE_ATTEMPTS", "PostgresGroupCommitWriter"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

MAX_BATCH: Final = 64
WRITE_ATTEMPTS: Final = 3
CAREFUL_BATCHES: Final = 8
LOCK_WAIT: Final = "1ms"

_BEGIN: Final = "BEGIN ISOLATION LEVEL READ COMMITTED"
_SHORT_LOCK_WAITS: Final = f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"
_BEGIN_CAREFUL: Final = f"{_BEGIN}; SAVEPOINT job"
_SECOND_JOB: Final = f"RELEASE SAVEPOINT job; {_SHORT_LOCK_WAITS}; SAVEPOINT job"
_NEXT_JOB: Final = "RELEASE SAVEPOINT job; SAVEPOINT job"
_UNDO_JOB: Final = "ROLLBACK TO SAVEPOINT job"

Work = Callable[[WriteTx], Awaitable[Any]]
SaleRead = Callable[[WriteTx], Awaitable[SaleWork[Any]]]
Connect = Callable[[], Awaitable["asyncpg.Connection[asyncpg.Record]"]]


@dataclass(slots=True)
class _Job:
    work: Work
    future: asyncio.Future[Any]
    attempt: int = 1
    sale: SaleRead | None = None  # a sale's read phase (``work`` runs it whole): its sale may wait to be appended


@dataclass(slots=True)
class _KeptSale:
    """A sale whose job's read phase has run, waiting to be appended with the others of its batch."""

    job: _Job
    sale: NewSale
    finish: Callable[[RecordedSale | None], Any]
    audit: list[NewAudit]


@dataclass(slots=True)
class _Ran:
    """What a batch's transaction did, before its COMMIT."""

    outcomes: list[tuple[_Job, object, BaseException | None]] = field(default_factory=list)
    audit: list[NewAudit] = field(default_factory=list)
    locked_campaigns: CampaignRows = field(default_factory=dict)
    again: list[_Job] = field(default_factory=list)  # to run in a following batch


class _RunCarefully(Exception):
    """A job after the first of an optimistic batch raised; the transaction was rolled back."""


class PostgresGroupCommitWriter:
    def __init__(self, connect: Connect) -> None:
        self._connect = connect
        self._conn: asyncpg.Connection[asyncpg.Record] | None = None
        self._jobs: BatchQueue[_Job] = BatchQueue(self._run_batch, MAX_BATCH)
        self._careful_batches = 0

    async def submit(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        return await self._queue(work, None)

    async def submit_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        return await self._queue(lambda tx: run_sale(tx, work), work)

    async def _queue(self, work: Callable[[WriteTx], Awaitable[T]], sale: SaleRead | None) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.add(_Job(work, future, sale=sale))
        return await future

    async def close(self) -> None:
        """Run what is queued, then close the connection."""
        await self._jobs.drained()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await asyncio.wait_for(conn.close(), timeout=10)
            except (TimeoutError, OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
                conn.terminate()

    async def _connection(self) -> asyncpg.Connection[asyncpg.Record]:
        conn = self._conn
        if conn is None or conn.is_closed():
            conn = self._conn = await self._connect()
        return conn

    async def _run_batch(self, batch: list[_Job]) -> list[_Job]:
        """Run ``batch`` as one transaction and answer its jobs; return the jobs to run in a following batch."""
        try:
            conn = await self._connection()
            if self._careful_batches > 0:
                self._careful_batches -= 1
                ran = await _run_carefully(conn, batch)
            else:
                try:
                    ran = await _run_optimistically(conn, batch)
                except _RunCarefully:
                    self._careful_batches = CAREFUL_BATCHES
                    ran = await _run_carefully(conn, batch)
            if conn.is_in_transaction():
                if ran.audit:
                    await insert_audit_rows(conn, ran.audit)
                status = await conn.execute("COMMIT")
                if status != "COMMIT":  # PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
                    raise StoreUnavailable(f"the batch's transaction was rolled back ({status})")
        except BaseException as exc:
            await self._abandon(exc)
            _log.warning("write batch of %d failed, nothing of it kept: %s", len(batch), exc)
            fail_all((job.future for job in batch), exc)
            if not isinstance(exc, Exception):
                raise
            return []
        settle((job.future, result, error) for job, result, error in ran.outcomes)
        return ran.again

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


async def _run_optimistically(conn: Conn, batch: list[_Job]) -> _Ran:
    ran = _Ran()
    kept: list[_KeptSale] = []
    await conn.execute(_BEGIN)
    for position, job in enumerate(batch):
        try:
            if position == 1:
                if kept:  # the first job's sale, which sets the short lock waits after itself: one round trip
                    await _append_sales(conn, ran, kept, then_lock_timeout=LOCK_WAIT)
                else:
                    await conn.execute(_SHORT_LOCK_WAITS)
            if job.sale is not None and (position > 0 or len(batch) > 1):
                await _read_for_sale(conn, ran, job, kept)
            else:
                await _append_sales(conn, ran, kept)  # the sales kept so far come before this job's statements
                await _attempt(conn, ran, job)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            await conn.execute("ROLLBACK")
            if position > 0:
                raise _RunCarefully from exc
            # The transaction held this job only: as if it had had a savepoint.  The others go on in the next batch.
            _settle_failed(ran, job, exc)
            ran.again.extend(batch[1:])
            return ran
    try:
        await _append_sales(conn, ran, kept)
    except Exception as exc:
        if is_unavailable(exc):
            raise
        await conn.execute("ROLLBACK")
        raise _RunCarefully from exc
    return ran


async def _read_for_sale(conn: Conn, ran: _Ran, job: _Job, kept: list[_KeptSale]) -> None:
    """Run a sale's read phase in the batch's transaction and keep its sale for :func:`_append_sales`."""
    assert job.sale is not None
    (sale, finish), audit = await _in_batch(conn, ran, job.sale)
    kept.append(_KeptSale(job, sale, finish, audit))


async def _append_sales(conn: Conn, ran: _Ran, kept: list[_KeptSale], *, then_lock_timeout: str | None = None) -> None:
    """Append the kept sales with one round trip, in the order of their jobs, and answer those jobs (and set
    ``then_lock_timeout`` after them).  Raises when the statement fails, or when a job's answer fails after its sale
    was appended (it cannot be undone alone)."""
    if not kept:
        return
    rows = await conn.fetchmany(RECORD_SALE, [record_sale_args(one.sale, then_lock_timeout) for one in kept])
    if len(rows) != len(kept):  # the function answers one row per call
        raise RuntimeError(f"record_sale answered {len(rows)} rows for {len(kept)} sales")
    appended = list(kept)
    kept.clear()
    for one, row in zip(appended, rows, strict=True):
        recorded = recorded_sale(cast(Row, row))
        try:
            result = one.finish(recorded)
        except Exception as exc:
            if recorded is not None:
                raise
            _settle_failed(ran, one.job, exc)  # no such customer: nothing of this job was written
            continue
        ran.outcomes.append((one.job, result, None))
        ran.audit.extend(one.audit)


async def _run_carefully(conn: Conn, batch: list[_Job]) -> _Ran:
    ran = _Ran()
    statement = _BEGIN_CAREFUL
    for position, job in enumerate(batch):
        await conn.execute(statement)
        statement = _SECOND_JOB if position == 0 else _NEXT_JOB
        try:
            await _attempt(conn, ran, job)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            await conn.execute(_UNDO_JOB)
            if position > 0 and isinstance(exc, asyncpg.LockNotAvailableError):
                # Another process holds a lock this job needs: commit what ran, and let this job lead the next
                # batch, where it waits holding nothing else.
                ran.again.extend(batch[position:])
                return ran
            _settle_failed(ran, job, exc)
    return ran


async def _attempt(conn: Conn, ran: _Ran, job: _Job) -> None:
    """Run ``job`` in the batch's transaction; when it succeeds, keep its result, its audit rows and the campaign
    rows it leaves locked.  When it raises, nothing of it is kept here (a job rolled back to its savepoint released
    the locks it took); undoing its statements is the caller's."""
    result, audit = await _in_batch(conn, ran, job.work)
    ran.outcomes.append((job, result, None))
    ran.audit.extend(audit)


async def _in_batch(conn: Conn, ran: _Ran, work: Callable[[WriteTx], Awaitable[T]]) -> tuple[T, list[NewAudit]]:
    """Run ``work`` in the batch's transaction, knowing the campaign rows the batch holds; once it has returned, the
    rows it leaves locked are the batch's too.  Its audit rows are the caller's to keep (once its job succeeds)."""
    audit: list[NewAudit] = []
    locked = dict(ran.locked_campaigns)
    result = await work(PostgresWriteTx(ConnDb(conn), locked, audit))
    ran.locked_campaigns = locked
    return result, audit


def _settle_failed(ran: _Ran, job: _Job, exc: Exception) -> None:
    if not isinstance(exc, RETRYABLE):
        ran.outcomes.append((job, None, exc))
    elif job.attempt < WRITE_ATTEMPTS:
        _log.info("write retried in the next batch after %s", type(exc).__name__)
        job.attempt += 1
        ran.again.append(job)
    else:
        ran.outcomes.append((job, None, _gave_up(job.attempt, exc)))


def _gave_up(attempts: int, cause: BaseException) -> StoreUnavailable:
    error = StoreUnavailable(f"gave up after {attempts} attempts: {cause}")
    error.__cause__ = cause
    return error
