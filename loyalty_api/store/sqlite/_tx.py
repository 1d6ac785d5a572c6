"""SQLite's write transaction: the shared operations on the writer's connection, nothing of its own."""

from __future__ import annotations

from loyalty_api.store.sql.write_tx import SqlWriteTx
from loyalty_api.store.sqlite._dialect import SQL

__all__ = ["SqliteWriteTx"]


class SqliteWriteTx(SqlWriteTx, statements=SQL):
    __slots__ = ()
