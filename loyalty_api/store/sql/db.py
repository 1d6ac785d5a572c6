"""How a backend executes the shared statements: :class:`Db`, inside a write transaction or for reads.

SQLite's runs each statement inline on its connection (no thread, no await that suspends); PostgreSQL's is one round
trip on asyncpg's connection.  Rows are sequences indexed by position, in the order of the statement's columns.
A statement that breaks a unique or foreign key constraint raises :class:`ConstraintViolation` on both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, NoReturn, Protocol, TypeVar

from loyalty_api.store.interface import StoreUnavailable

__all__ = ["CLOSED", "ConstraintViolation", "Db", "ReadDb", "Row"]

Row = Sequence[Any]
T = TypeVar("T")


class ConstraintViolation(Exception):
    """A statement broke a constraint; ``columns`` are those of the broken key when the driver tells them."""

    def __init__(self, message: str, columns: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.columns = columns


class Db(Protocol):
    """A connection in a transaction (a write transaction, or a read snapshot)."""

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        """The first row, None when there is none."""
        ...

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any:
        """The first column of the first row, None when there is no row."""
        ...

    async def run(self, sql: str, params: Sequence[object] = ()) -> int:
        """Execute; how many rows it inserted, changed or deleted."""
        ...

    async def lock(self, seed: int, key: str) -> None:
        """Hold a lock named ``key`` until the transaction ends, so that a check of that name ("is this code
        free?") stays true until this transaction commits.  Nothing on SQLite, whose write transaction holds the
        whole database."""
        ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A block whose statements are undone when it raises, the transaction staying usable."""
        ...


class ReadDb(Protocol):
    """Reads outside write transactions: one statement at a time (a look-up by key), or several in one snapshot."""

    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None: ...

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    async def value(self, sql: str, params: Sequence[object] = ()) -> Any: ...

    async def read(self, work: Callable[[Db], Awaitable[T]]) -> T:
        """``work``'s statements in one read-only snapshot (they all see the same data).  For reads whose cost grows
        with the data (lists, searches, a customer's entries): each statement is bounded in time
        (:class:`QueryTimeout`), and none holds the event loop for long (SQLite runs ``work`` inline while it is
        quick, else again off the event loop).  ``work`` must only read through the :class:`Db` it is given."""
        ...


class _Closed:
    """The reads of a store that is not open: every one answers :class:`StoreUnavailable`."""

    __slots__ = ()

    async def one(self, sql: str, params: Sequence[object] = ()) -> NoReturn:
        raise StoreUnavailable("the store is not open")

    async def all(self, sql: str, params: Sequence[object] = ()) -> NoReturn:
        raise StoreUnavailable("the store is not open")

    async def value(self, sql: str, params: Sequence[object] = ()) -> NoReturn:
        raise StoreUnavailable("the store is not open")

    async def read(self, work: Callable[[Db], Awaitable[T]]) -> T:
        raise StoreUnavailable("the store is not open")


CLOSED: Final[ReadDb] = _Closed()
