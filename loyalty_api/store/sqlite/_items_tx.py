"""Write-transaction operations on buyx items (kept in the rewards table), SQLite.

:class:`ItemsTxMixin` is mixed into ``SqliteWriteTx``; it works on the transaction's connection.
"""

from __future__ import annotations

import sqlite3

from loyalty_api.store.models import Reward
from loyalty_api.store.sqlite._reward_rows import REWARD_COLUMNS, reward_from_row

__all__ = ["ItemsTxMixin"]


class ItemsTxMixin:
    __slots__ = ()
    _conn: sqlite3.Connection

    async def item_by_identifier(self, campaign_pk: int, identifier: str) -> Reward | None:
        row = self._conn.execute(
            f"SELECT {REWARD_COLUMNS} FROM rewards WHERE campaign_pk = ? AND identifier = ? ORDER BY pk LIMIT 1",
            (campaign_pk, identifier),
        ).fetchone()
        return None if row is None else reward_from_row(row)
