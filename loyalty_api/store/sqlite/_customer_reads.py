"""Reads of customers on the SQLite read connection: look-ups, memberships, searches, history.

:class:`CustomerReadsMixin` is mixed into ``SqliteStore``.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Final

from loyalty_api.store._customer_sql import CUSTOMER_COLUMNS, CUSTOMER_KEY_COLUMNS, CustomerDialect, customer_where
from loyalty_api.store._ledger_sql import CUMULATIVE_SUM
from loyalty_api.store.models import AuditRecord, Customer, CustomerPage, CustomerQuery, Membership
from loyalty_api.store.sqlite._campaign_reads import FOLD_FUNCTION
from loyalty_api.store.sqlite._customer_rows import customer_from_row
from loyalty_api.store.sqlite._rows import CAMPAIGN_COLUMNS, audit_from_row, campaign_from_row, parse_time

__all__ = ["CustomerReadsMixin"]

_DIALECT: Final = CustomerDialect(
    placeholder=lambda _n: "?", fold=FOLD_FUNCTION, contains="instr({haystack}, {needle}) > 0"
)
_CAMPAIGN_COLUMNS_OF_C: Final = ", ".join(f"c.{name.strip()}" for name in CAMPAIGN_COLUMNS.split(","))


class CustomerReadsMixin:
    __slots__ = ()

    @property
    def _reader(self) -> sqlite3.Connection:
        raise NotImplementedError

    async def get_customer(self, account_pk: int, key: str, value: str) -> Customer | None:
        if key not in CUSTOMER_KEY_COLUMNS:
            raise ValueError(f"not a customer key: {key}")
        row = self._reader.execute(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE account_pk = ? AND {key} = ?", (account_pk, value)
        ).fetchone()
        return None if row is None else customer_from_row(row)

    async def customer_memberships(self, customer_pks: list[int]) -> dict[int, list[Membership]]:
        found: dict[int, list[Membership]] = defaultdict(list)
        if not customer_pks:
            return found
        marks = ", ".join("?" for _ in customer_pks)
        rows = self._reader.execute(
            f"SELECT l.customer_pk, sum(l.amount_cents), {CUMULATIVE_SUM}, min(l.at), max(l.at),"
            f" {_CAMPAIGN_COLUMNS_OF_C} FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk"
            f" WHERE l.customer_pk IN ({marks}) GROUP BY l.customer_pk, c.pk"
            " ORDER BY l.customer_pk, c.created_at, c.pk",
            customer_pks,
        ).fetchall()
        for row in rows:
            customer_pk, balance, cumulative, first, last = row[:5]
            found[int(customer_pk)].append(
                Membership(
                    campaign=campaign_from_row(row[5:]),
                    balance_cents=int(balance),
                    cumulative_cents=int(cumulative),
                    first_at=parse_time(str(first)),
                    last_at=parse_time(str(last)),
                )
            )
        return found

    async def search_customers(self, account_pk: int, query: CustomerQuery) -> CustomerPage:
        sql = customer_where(account_pk, query, _DIALECT)
        conn = self._reader
        conn.execute("BEGIN")  # one snapshot for the total and the page
        try:
            total = int(conn.execute(f"SELECT count(*) FROM customers WHERE {sql.where}", sql.params).fetchone()[0])
            rows = conn.execute(
                f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {sql.where} ORDER BY created_at, pk LIMIT ? OFFSET ?",
                [*sql.params, -1 if query.limit is None else query.limit, query.offset],
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        return CustomerPage([customer_from_row(row) for row in rows], total)

    async def customer_history(self, account_pk: int, code: str) -> list[AuditRecord]:
        rows = self._reader.execute(
            "SELECT au.pk, au.at, a.account_id, au.user_name, au.entity, au.entity_id, au.action, au.changes"
            " FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.entity = 'customer' AND au.entity_id = ? ORDER BY au.pk",
            (account_pk, code),
        ).fetchall()
        return [audit_from_row(row) for row in rows]
