"""Write-transaction operations on buyx items (kept in the rewards table), PostgreSQL.

:class:`ItemsTxMixin` is mixed into ``PostgresWriteTx``; it works on the transaction's connection.
"""

from __future__ import annotations

from typing import Final

from loyalty_api.store.models import Reward
from loyalty_api.store.postgres._rows import REWARD_COLUMNS, Conn, reward_from_row

__all__ = ["ItemsTxMixin"]

_ITEM_BY_IDENTIFIER: Final = (
    f"SELECT {REWARD_COLUMNS} FROM rewards WHERE campaign_pk = $1 AND identifier = $2 ORDER BY pk LIMIT 1 FOR UPDATE"
)


class ItemsTxMixin:
    __slots__ = ()
    conn: Conn

    async def item_by_identifier(self, campaign_pk: int, identifier: str) -> Reward | None:
        row = await self.conn.fetchrow(_ITEM_BY_IDENTIFIER, campaign_pk, identifier)
        return None if row is None else reward_from_row(row)
