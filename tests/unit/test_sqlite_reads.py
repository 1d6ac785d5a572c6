"""SQLite's reads that scan: inline while quick, then off the loop, stopped at their time, never leaving a
connection inside a transaction.  Real SQLite files; a statement made slow with a recursive count."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest

from loyalty_api.store.interface import QueryTimeout
from loyalty_api.store.sql.db import Db
from loyalty_api.store.sql.heavy_reads import HeavyReads
from loyalty_api.store.sqlite._db import end_read
from loyalty_api.store.sqlite._reads import SqliteReads

# Counting to three million takes a few hundred milliseconds: far past the inline budget (20 ms).
SLOW: Final = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c"
QUICK: Final = "SELECT 42"


async def _slow(db: Db) -> object:
    return await db.value(SLOW)


async def _quick(db: Db) -> object:
    return await db.value(QUICK)


class _Opened:
    """The connections a :class:`SqliteReads` opens for its helper thread, each made by ``prepare``."""

    def __init__(self, path: Path, prepare: Callable[[sqlite3.Connection], None] = lambda conn: None) -> None:
        self.path = path
        self.prepare = prepare
        self.count = 0

    def __call__(self) -> sqlite3.Connection:
        self.count += 1
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.prepare(conn)
        return conn


def _reads(tmp_path: Path, timeout: float = 5.0, opened: _Opened | None = None) -> tuple[SqliteReads, list[str]]:
    path = tmp_path / "reads.db"
    inline = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    on_the_loop: list[str] = []
    inline.set_trace_callback(on_the_loop.append)
    return SqliteReads(inline, opened or _Opened(path), timeout, HeavyReads(1.0)), on_the_loop


def test_a_quick_read_runs_inline(tmp_path: Path) -> None:
    reads, on_the_loop = _reads(tmp_path)
    try:
        assert asyncio.run(reads.read(_quick)) == 42
    finally:
        reads.close()
    assert on_the_loop == ["BEGIN", QUICK, "COMMIT"]


def test_a_slow_read_leaves_the_loop_and_its_kind_goes_straight_off_it_next_time(tmp_path: Path) -> None:
    reads, on_the_loop = _reads(tmp_path)
    try:
        assert asyncio.run(reads.read(_slow)) == 3_000_000
        assert on_the_loop[:2] == ["BEGIN", SLOW]  # tried inline, stopped at the budget
        on_the_loop.clear()
        assert asyncio.run(reads.read(_slow)) == 3_000_000
        assert on_the_loop == []  # heavy now: not a statement of it on the loop
        assert asyncio.run(reads.read(_quick)) == 42  # another kind still runs inline
        assert on_the_loop == ["BEGIN", QUICK, "COMMIT"]
    finally:
        reads.close()


def test_a_read_off_the_loop_is_stopped_at_the_statement_timeout(tmp_path: Path) -> None:
    opened = _Opened(tmp_path / "reads.db")
    reads, _ = _reads(tmp_path, timeout=0.05, opened=opened)
    try:
        with pytest.raises(QueryTimeout):
            asyncio.run(reads.read(_slow))
        with pytest.raises(QueryTimeout):  # heavy: straight to the helper thread, stopped there again
            asyncio.run(reads.read(_slow))
        assert asyncio.run(reads.read(_quick)) == 42
    finally:
        reads.close()
    assert opened.count == 1  # the stopped reads left their connection usable


def test_a_cancelled_read_leaves_its_connection_usable(tmp_path: Path) -> None:
    opened = _Opened(tmp_path / "reads.db")
    reads, _ = _reads(tmp_path, opened=opened)

    async def steps() -> object:
        task = asyncio.create_task(reads.read(_slow))
        await asyncio.sleep(0.1)  # off the loop by now, counting
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await reads.read(_slow)

    try:
        assert asyncio.run(steps()) == 3_000_000
    finally:
        reads.close()
    assert opened.count == 1


def _deny(*statements: str) -> Callable[[sqlite3.Connection], None]:
    def prepare(conn: sqlite3.Connection) -> None:
        def authorizer(action: int, arg1: str | None, *_: object) -> int:
            if action == sqlite3.SQLITE_TRANSACTION and arg1 in statements:
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK

        conn.set_authorizer(authorizer)

    return prepare


def test_a_connection_that_cannot_leave_its_transaction_is_replaced(tmp_path: Path) -> None:
    opened = _Opened(tmp_path / "reads.db", _deny("COMMIT", "ROLLBACK"))
    reads, _ = _reads(tmp_path, opened=opened)
    try:
        assert asyncio.run(reads.read(_slow)) == 3_000_000
        assert asyncio.run(reads.read(_slow)) == 3_000_000  # a new connection: the first is still in its transaction
    finally:
        reads.close()
    assert opened.count == 2


@pytest.mark.parametrize(
    ("denied", "left"),
    [((), True), (("COMMIT",), True), (("COMMIT", "ROLLBACK"), False)],
    ids=["committed", "rolled-back", "stuck"],
)
def test_end_read_says_whether_the_connection_is_out_of_its_transaction(
    tmp_path: Path, denied: tuple[str, ...], left: bool
) -> None:
    conn = sqlite3.connect(tmp_path / "end.db", isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute(QUICK).fetchall()
        _deny(*denied)(conn)
        assert end_read(conn) is left
        assert conn.in_transaction is not left
    finally:
        conn.set_authorizer(None)
        conn.close()


def test_end_read_outside_a_transaction_does_nothing(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "end.db", isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        assert end_read(conn) is True
    finally:
        conn.close()
    assert statements == []
