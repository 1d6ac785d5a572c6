"""The queue both stores' group-commit writers drain: jobs wait here while a batch is written.

A writer adds each request's job and awaits its future; one task takes up to ``max_batch`` jobs at a
time and hands them to the writer's ``run_batch``, which answers each job's future and returns the jobs
to run again in a following batch (they go first: they have waited longest).  :func:`fail_all` and
:func:`settle` answer a batch's futures the same way for both stores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

from loyalty_api.metrics import WRITE_BATCH_SIZE
from loyalty_api.store.interface import StoreUnavailable

__all__ = ["BatchQueue", "fail_all", "settle"]

J = TypeVar("J")


class BatchQueue(Generic[J]):
    def __init__(self, run_batch: Callable[[list[J]], Awaitable[list[J]]], max_batch: int) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._pending: list[J] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, job: J) -> None:
        """Queue ``job``; start draining unless a batch is already being written."""
        self._pending.append(job)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def drained(self) -> None:
        """Return once every queued job has been run (a cancelled caller leaves the drain running)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        pending = self._pending
        while pending:
            batch = pending[: self._max_batch]
            del pending[: self._max_batch]
            WRITE_BATCH_SIZE.observe(len(batch))
            again = await self._run_batch(batch)
            if again:
                pending[:0] = again


def settle(outcomes: Iterable[tuple[asyncio.Future[Any], object, BaseException | None]]) -> None:
    """Answer each future with its result or its error; a future already done (its request went away) is skipped."""
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


def fail_all(futures: Iterable[asyncio.Future[Any]], cause: BaseException) -> None:
    """Fail every open future with :class:`StoreUnavailable`: nothing of their batch was kept."""
    for future in futures:
        if not future.done():
            error = StoreUnavailable(str(cause) or type(cause).__name__)
            error.__cause__ = cause
            future.set_exception(error)
