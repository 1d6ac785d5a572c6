"""Reads whose cost grows with the data, kept to a share of the process's time.

A search over every customer of a large account takes tens of milliseconds, and a client may send one after the
other as fast as they are answered.  Each such read is bounded (``LOYALTY_STATEMENT_TIMEOUT_MS``), but back to back
they would take a whole core from the clients whose calls are cheap.  :class:`HeavyReads` keeps them to
``share`` of the wall time:

- A *kind* of read (the code of the work function a store method hands to ``ReadDb.read``) that took longer than
  :data:`HEAVY_AFTER`, or was stopped at the statement timeout, is **heavy** for the next :data:`HEAVY_MEMORY`
  seconds.  SQLite runs heavy reads off the event loop straight away (``sqlite/_reads.py``); both stores pace them.
- **Pacing** is a bucket of time: it fills at ``share`` seconds a second, up to what it earns in
  :data:`BURST_SECONDS` (one second at 25%), and every read found heavy empties it by the time it took.  A heavy
  read waits while the bucket is in debt, and takes out what its kind took last time when it starts (settled when
  it ends): many heavy reads arriving together start one after the other, not at once.
- A heavy read that would wait longer than the statement timeout is not queued: it is refused at once with
  :class:`ReadsBusy` (``reads_busy``: try again in a few seconds).

Quick reads never wait here; they are only timed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final

from loyalty_api.store.interface import QueryTimeout, ReadsBusy

__all__ = ["BURST_SECONDS", "HEAVY_AFTER", "HEAVY_MEMORY", "HeavyReads", "read_kind"]

#: A read that took longer than this (seconds) is heavy: on SQLite it would hold the event loop that long.
HEAVY_AFTER: Final = 0.02
#: How long (seconds) a kind of read stays heavy after its last slow run.
HEAVY_MEMORY: Final = 30.0
#: The bucket holds what it earns in this many seconds: heavy reads may run back to back that long (times the share)
#: before pacing starts.
BURST_SECONDS: Final = 4.0


def read_kind(work: object) -> object:
    """What tells kinds of read apart: the code of the work function (every call of a store method makes a new
    closure of the same code)."""
    return getattr(work, "__code__", work)


class HeavyReads:
    __slots__ = ("_at", "_budget", "_burst", "_clock", "_kinds", "_share", "_sleep")

    def __init__(
        self,
        share: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"the share of heavy reads must be above 0 and at most 1, not {share}")
        self._share = share
        self._clock = clock
        self._sleep = sleep
        self._burst = self._budget = share * BURST_SECONDS
        self._at = clock()
        self._kinds: dict[object, tuple[float, float]] = {}  # kind -> (heavy until, seconds its last slow run took)

    def is_heavy(self, kind: object) -> bool:
        known = self._kinds.get(kind)
        return known is not None and known[0] > self._clock()

    @asynccontextmanager
    async def turn(self, kind: object, timeout: float) -> AsyncIterator[None]:
        """Run one read of ``kind``: a heavy one waits for the bucket (at most ``timeout`` seconds, else
        :class:`ReadsBusy`); every one is timed."""
        reserved = 0.0
        if self.is_heavy(kind):
            reserved = self._kinds[kind][1]
            await self._wait(timeout)
            self._budget -= reserved
        started = self._clock()
        stopped = False
        try:
            yield
        except QueryTimeout:
            stopped = True
            raise
        finally:
            took = self._clock() - started
            self._refill()
            if took > HEAVY_AFTER or stopped:
                self._kinds[kind] = (self._clock() + HEAVY_MEMORY, took)
                self._budget -= took - reserved
            else:
                self._budget += reserved

    async def _wait(self, timeout: float) -> None:
        deadline = self._clock() + timeout
        while True:
            self._refill()
            if self._budget >= 0:
                return
            wait = -self._budget / self._share
            if self._clock() + wait > deadline:
                raise ReadsBusy(f"heavy reads are over their share of the time; one could start in {wait:.1f} s")
            await self._sleep(wait)

    def _refill(self) -> None:
        now = self._clock()
        self._budget = min(self._burst, self._budget + (now - self._at) * self._share)
        self._at = now
