"""Reads of the ledger (PostgreSQL), each call in one read-only REPEATABLE READ snapshot.

:class:`LedgerReadsMixin` is mixed into ``PostgresStore``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from loyalty_api.store._ledger_sql import BALANCE_MISMATCHES, balance_mismatch, ledger_read_sql
from loyalty_api.store.ledger_models import BalanceMismatch, CustomerLedger, LedgerSums
from loyalty_api.store.postgres._rows import Conn, ledger_entry_from_row

__all__ = ["LedgerReadsMixin"]

T = TypeVar("T")
_SQL: Final = ledger_read_sql(lambda n: f"${n}")


class LedgerReadsMixin:
    __slots__ = ()

    async def _with_conn(self, read: Callable[..., Awaitable[T]], *args: Any) -> T:
        raise NotImplementedError

    async def customer_ledger(self, campaign_pk: int, customer_pk: int, limit: int) -> CustomerLedger:
        return await self._with_conn(_customer_ledger, campaign_pk, customer_pk, limit)

    async def balance_mismatches(self) -> list[BalanceMismatch]:
        return await self._with_conn(_balance_mismatches)


async def _balance_mismatches(conn: Conn) -> list[BalanceMismatch]:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(BALANCE_MISMATCHES)
    return [balance_mismatch(tuple(row)) for row in rows]


async def _customer_ledger(conn: Conn, campaign_pk: int, customer_pk: int, limit: int) -> CustomerLedger:
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        sums = await conn.fetch(_SQL.sums, campaign_pk, customer_pk)
        rows = await conn.fetch(_SQL.entries, campaign_pk, customer_pk, limit)
        summary = await conn.fetchrow(_SQL.summary, campaign_pk, customer_pk)
        names = await conn.fetch(_SQL.item_names, campaign_pk)
    assert summary is not None
    item_sums = {str(row[0]): LedgerSums(int(row[1]), int(row[2])) for row in sums}
    return CustomerLedger(
        has_entries=bool(item_sums),
        sums=LedgerSums(
            sum(s.balance_cents for s in item_sums.values()), sum(s.cumulative_cents for s in item_sums.values())
        ),
        item_sums=item_sums,
        item_names={str(row[0]): str(row[1]) for row in names},
        entries=[ledger_entry_from_row(r) for r in rows],
        shown_count=int(summary[0]),
        last_transaction_at=summary[1],
        last_redemption_at=summary[2],
    )
