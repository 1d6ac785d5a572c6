"""Heavy reads are found by their time and paced to a share of it: explicit examples on a clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from loyalty_api.store.interface import QueryTimeout, ReadsBusy
from loyalty_api.store.sql.heavy_reads import BURST_SECONDS, HEAVY_AFTER, HEAVY_MEMORY, HeavyReads, read_kind

SEARCH = "search"
LOOKUP = "lookup"


class _Clock:
    """Time that passes only when a read runs or a pacing wait sleeps; the sleeps are recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _paced(share: float) -> tuple[HeavyReads, _Clock]:
    clock = _Clock()
    return HeavyReads(share, clock=clock, sleep=clock.sleep), clock


async def _run(reads: HeavyReads, clock: _Clock, kind: str, seconds: float, timeout: float = 5.0) -> None:
    async with reads.turn(kind, timeout):
        clock.now += seconds


def _go(step: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(step())


def test_a_quick_read_is_never_heavy_and_never_waits() -> None:
    reads, clock = _paced(0.25)

    async def steps() -> None:
        for _ in range(1000):  # far more time than the bucket holds, in reads each under the threshold
            await _run(reads, clock, LOOKUP, HEAVY_AFTER)

    _go(steps)
    assert not reads.is_heavy(LOOKUP) and clock.slept == []


def test_a_read_over_the_threshold_makes_its_kind_heavy_for_a_while() -> None:
    reads, clock = _paced(0.25)
    _go(lambda: _run(reads, clock, SEARCH, HEAVY_AFTER + 0.001))
    assert reads.is_heavy(SEARCH) and not reads.is_heavy(LOOKUP)
    clock.now += HEAVY_MEMORY - 0.01
    assert reads.is_heavy(SEARCH)
    clock.now += 0.02
    assert not reads.is_heavy(SEARCH)


def test_a_read_stopped_at_its_time_limit_is_heavy_however_quick() -> None:
    reads, clock = _paced(0.25)

    async def stopped() -> None:
        async with reads.turn(SEARCH, 0.001):
            clock.now += 0.001
            raise QueryTimeout("stopped")

    with pytest.raises(QueryTimeout):
        _go(stopped)
    assert reads.is_heavy(SEARCH)


def test_heavy_reads_run_back_to_back_for_the_burst_then_take_their_share() -> None:
    """At 50% the bucket holds 2 s: eight reads of 0.5 s run at once (the bucket, and what it earns meanwhile once
    below full); from then on each waits 0.5 s before it runs: half the time is theirs."""
    reads, clock = _paced(0.5)
    assert BURST_SECONDS * 0.5 == 2.0

    async def steps() -> None:
        for _ in range(8):
            await _run(reads, clock, SEARCH, 0.5)
        assert clock.slept == []
        for _ in range(4):
            await _run(reads, clock, SEARCH, 0.5)

    _go(steps)
    assert clock.slept == [pytest.approx(0.5)] * 4


def test_a_heavy_read_that_would_wait_past_its_timeout_is_refused_at_once() -> None:
    reads, clock = _paced(0.25)  # the bucket holds 1 s

    async def steps() -> None:
        await _run(reads, clock, SEARCH, 3.0)  # the bucket was full: 1 - 3 = 2 s in debt, 8 s to pay at 25%
        with pytest.raises(ReadsBusy, match="one could start in 8.0 s"):
            await _run(reads, clock, SEARCH, 0.1, timeout=7.9)
        await _run(reads, clock, SEARCH, 0.1, timeout=8.0)  # waits the 8 s, then runs

    _go(steps)
    assert clock.slept == [pytest.approx(8.0)]


def test_a_refused_read_takes_nothing_from_the_bucket() -> None:
    reads, clock = _paced(0.25)

    async def steps() -> None:
        await _run(reads, clock, SEARCH, 3.0)
        for _ in range(10):
            with pytest.raises(ReadsBusy):
                await _run(reads, clock, SEARCH, 0.1, timeout=1.0)
        await _run(reads, clock, SEARCH, 0.1, timeout=8.0)

    _go(steps)
    assert clock.slept == [pytest.approx(8.0)]


def test_heavy_reads_arriving_together_start_one_after_the_other() -> None:
    reads, clock = _paced(0.5)
    started: list[float] = []

    async def one() -> None:
        async with reads.turn(SEARCH, 60.0):
            started.append(clock.now)
            await asyncio.sleep(0)  # the others reach the bucket while this one runs
            clock.now += 1.0

    async def steps() -> None:
        await _run(reads, clock, SEARCH, 3.0)  # heavy, its last run 3 s; the bucket 1 s in debt
        await asyncio.gather(one(), one(), one())

    _go(steps)
    # Each reserves what its kind took last (3 s, then 1 s once one has run): none starts on another's credit.
    assert len(started) == 3 and started == sorted(started) and len(set(started)) == 3


def test_a_heavy_kind_that_ran_quickly_gives_its_reservation_back() -> None:
    reads, clock = _paced(0.5)

    async def steps() -> None:
        await _run(reads, clock, SEARCH, 1.5)  # heavy; the bucket (full) at 2 - 1.5 = 0.5
        await _run(reads, clock, SEARCH, 0.001)  # reserved 1.5, gave it back
        await _run(reads, clock, SEARCH, 0.2)  # 0.5 left (the quick run gave its 1.5 back): no wait
        assert clock.slept == []

    _go(steps)


def test_cancelled_heavy_read_is_charged_what_it_ran() -> None:
    reads, clock = _paced(0.5)

    async def cancelled() -> None:
        async with reads.turn(SEARCH, 60.0):
            clock.now += 2.5
            raise asyncio.CancelledError

    async def steps() -> None:
        with pytest.raises(asyncio.CancelledError):
            await cancelled()
        assert reads.is_heavy(SEARCH)
        await _run(reads, clock, SEARCH, 0.5)  # the bucket (full) at 2 - 2.5: 0.5 in debt, a second at 50%

    _go(steps)
    assert clock.slept == [pytest.approx(1.0)]


@pytest.mark.parametrize("share", [0.0, -0.25, 1.01])
def test_the_share_is_a_fraction_of_the_time(share: float) -> None:
    with pytest.raises(ValueError, match="share of heavy reads"):
        HeavyReads(share)


def test_a_kind_is_the_code_of_the_work_function() -> None:
    def make(n: int) -> Callable[[], int]:
        def work() -> int:
            return n

        return work

    def other() -> int:
        return 0

    assert read_kind(make(1)) == read_kind(make(2)) != read_kind(other)
    assert read_kind(SEARCH) == SEARCH
