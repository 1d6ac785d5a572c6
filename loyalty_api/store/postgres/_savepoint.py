"""A savepoint inside the write transaction, for a step whose failure the caller handles.

The group-commit writer begins its transactions with plain SQL (``BEGIN`` sent together with the first
job's ``SAVEPOINT``), so asyncpg does not know a transaction is open and ``conn.transaction()`` would refuse to
nest; the steps that need a savepoint of their own use this one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from loyalty_api.store.postgres._rows import Conn

__all__ = ["savepoint"]


@asynccontextmanager
async def savepoint(conn: Conn) -> AsyncIterator[None]:
    """Run the block in a savepoint: when it raises, its statements are undone and the transaction stays usable."""
    await conn.execute("SAVEPOINT step")
    try:
        yield
    except BaseException:
        await conn.execute("ROLLBACK TO SAVEPOINT step; RELEASE SAVEPOINT step")
        raise
    await conn.execute("RELEASE SAVEPOINT step")
