"""Reads of the ledger on the SQLite read connection (one snapshot per call).

:class:`LedgerReadsMixin` is mixed into ``SqliteStore``.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from loyalty_api.store._ledger_sql import BALANCE_MISMATCHES, balance_mismatch, ledger_read_sql
from loyalty_api.store.ledger_models import BalanceMismatch, CustomerLedger, LedgerSums
from loyalty_api.store.sqlite._rows import ledger_entry_from_row, parse_time

__all__ = ["LedgerReadsMixin"]

_SQL: Final = ledger_read_sql(lambda _n: "?")


class LedgerReadsMixin:
    __slots__ = ()

    @property
    def _reader(self) -> sqlite3.Connection:
        raise NotImplementedError

    async def customer_ledger(self, campaign_pk: int, customer_pk: int, limit: int) -> CustomerLedger:
        conn = self._reader
        of_customer = (campaign_pk, customer_pk)
        conn.execute("BEGIN")  # one snapshot for all the reads
        try:
            sums = conn.execute(_SQL.sums, of_customer).fetchall()
            rows = conn.execute(_SQL.entries, (*of_customer, limit)).fetchall()
            count, last_at, last_redeemed_at = conn.execute(_SQL.summary, of_customer).fetchone()
            names = conn.execute(_SQL.item_names, (campaign_pk, campaign_pk)).fetchall()
        finally:
            conn.execute("COMMIT")
        item_sums = {str(product): LedgerSums(int(balance), int(cumulative)) for product, balance, cumulative in sums}
        return CustomerLedger(
            has_entries=bool(item_sums),
            sums=LedgerSums(
                sum(s.balance_cents for s in item_sums.values()), sum(s.cumulative_cents for s in item_sums.values())
            ),
            item_sums=item_sums,
            item_names={str(pk): str(description) for pk, description in names},
            entries=[ledger_entry_from_row(row) for row in rows],
            shown_count=int(count),
            last_transaction_at=None if last_at is None else parse_time(str(last_at)),
            last_redemption_at=None if last_redeemed_at is None else parse_time(str(last_redeemed_at)),
        )

    async def balance_mismatches(self) -> list[BalanceMismatch]:
        conn = self._reader
        conn.execute("BEGIN")  # one snapshot of the ledger and the balances
        try:
            rows = conn.execute(BALANCE_MISMATCHES).fetchall()
        finally:
            conn.execute("COMMIT")
        return [balance_mismatch(tuple(row)) for row in rows]
