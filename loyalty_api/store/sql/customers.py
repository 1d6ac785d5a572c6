"""Customers: look-ups, searches, memberships and history (reads); create, change, enrol (write operations).

Uniqueness checks take a lock named after what they check (:meth:`Db.lock`), so that a concurrent transaction
checking the same value waits until this one has committed, then sees its rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

from loyalty_api.store.interface import CUSTOMER_KEYS, CustomerValues
from loyalty_api.store.models import (
    CUSTOMER_WRITABLE_COLUMNS,
    AuditRecord,
    Customer,
    CustomerPage,
    CustomerQuery,
    Membership,
)
from loyalty_api.store.sql.balances import CUMULATIVE_SUM
from loyalty_api.store.sql.customer_search import customer_where
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect, one_of
from loyalty_api.store.sql.ledger import LedgerSql, add_activation_entry
from loyalty_api.store.sql.rows import (
    CAMPAIGN_COLUMNS,
    CUSTOMER_COLUMNS,
    audit_columns,
    audit_from_row,
    campaign_from_row,
    columns_of,
    customer_from_row,
)

__all__ = ["CUSTOMER_LOCK", "CustomerReads", "CustomerSql", "CustomerWrites", "lock_customer_key"]

#: The seed of the locks on customers' values (:meth:`Db.lock`).
CUSTOMER_LOCK: Final = 11
_CAMPAIGN_COLUMNS_OF_C: Final = columns_of("c", CAMPAIGN_COLUMNS)


async def lock_customer_key(db: Db, *parts: object) -> None:
    """Hold the customer lock named by ``parts`` (e.g. ``"customer", account_pk, "code", code``)."""
    await db.lock(CUSTOMER_LOCK, "\x1f".join(str(part) for part in parts))


class CustomerSql:
    """The customers' statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        self.d = d
        q = d.sql
        by_key = {
            key: f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE account_pk = ? AND {key} = ?" for key in CUSTOMER_KEYS
        }
        self.by_key = {key: q(text) for key, text in by_key.items()}
        self.by_key_for_update = {key: q(text + d.for_update) for key, text in by_key.items()}
        self.key_holder = {
            key: q(f"SELECT pk FROM customers WHERE account_pk = ? AND {key} = ?") for key in CUSTOMER_KEYS
        }
        self.by_pk = q(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE pk = ?")
        self.history = q(
            f"SELECT {audit_columns(d)} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.entity = 'customer' AND au.entity_id = ? ORDER BY au.pk"
        )
        self.has_entries = q("SELECT 1 FROM ledger WHERE campaign_pk = ? AND customer_pk = ? LIMIT 1")
        self.campaign_ids = q(
            "SELECT DISTINCT c.campaign_id FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk"
            " WHERE l.customer_pk = ?"
        )
        self._inserts: dict[tuple[str, ...], str] = {}
        self._updates: dict[tuple[str, ...], str] = {}

    def insert(self, names: tuple[str, ...]) -> str:
        """A new customer with the named columns (parameters: account_pk, created_at, the values) answering its row;
        its pk is above every live and archived customer's."""
        text = self._inserts.get(names)
        if text is None:
            d = self.d
            pk_column, pk_value = ("pk, ", d.next_pk.format(table="customers") + ", ") if d.next_pk else ("", "")
            marks = ", ".join("?" for _ in names)
            text = self._inserts[names] = d.sql(
                f"INSERT INTO customers ({pk_column}account_pk, created_at, {', '.join(names)})"
                f" VALUES ({pk_value}?, ?, {marks}) RETURNING {CUSTOMER_COLUMNS}"
            )
        return text

    def update(self, names: tuple[str, ...]) -> str:
        """Set the named columns of one customer (parameters: the values, the pk), answering the row."""
        text = self._updates.get(names)
        if text is None:
            assignments = ", ".join(f"{name} = ?" for name in names)
            text = self._updates[names] = self.d.sql(
                f"UPDATE customers SET {assignments} WHERE pk = ? RETURNING {CUSTOMER_COLUMNS}"
            )
        return text


def _key(key: str) -> str:
    if key not in CUSTOMER_KEYS:
        raise ValueError(f"not a customer key: {key}")
    return key


def _checked(values: CustomerValues) -> tuple[str, ...]:
    unknown = set(values) - CUSTOMER_WRITABLE_COLUMNS
    if unknown:
        raise ValueError(f"not customer columns: {sorted(unknown)}")
    return tuple(sorted(values))


class CustomerReads:
    """The customers' reads of :class:`Store`."""

    __slots__ = ()
    _reads: ReadDb
    _customer_sql: CustomerSql

    async def get_customer(self, account_pk: int, key: str, value: str) -> Customer | None:
        sql = self._customer_sql
        row = await self._reads.one(sql.by_key[_key(key)], (account_pk, value))
        return None if row is None else customer_from_row(sql.d, row)

    async def customer_memberships(self, customer_pks: list[int]) -> dict[int, list[Membership]]:
        found: dict[int, list[Membership]] = defaultdict(list)
        if not customer_pks:
            return found
        d = self._customer_sql.d
        members, params = one_of(d, "l.customer_pk", customer_pks)
        sql = d.sql(
            f"SELECT l.customer_pk, sum(l.amount_cents), {CUMULATIVE_SUM}, min(l.at), max(l.at),"
            f" {_CAMPAIGN_COLUMNS_OF_C} FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk"
            f" WHERE {members} GROUP BY l.customer_pk, c.pk ORDER BY l.customer_pk, c.created_at, c.pk"
        )

        async def work(db: Db) -> list[Row]:
            return await db.all(sql, params)

        rows = await self._reads.read(work)
        for row in rows:
            customer_pk, balance, cumulative, first, last = row[:5]
            found[int(customer_pk)].append(
                Membership(
                    campaign=campaign_from_row(d, row[5:]),
                    balance_cents=int(balance),
                    cumulative_cents=int(cumulative),
                    first_at=d.time(first),
                    last_at=d.time(last),
                )
            )
        return found

    async def search_customers(self, account_pk: int, query: CustomerQuery) -> CustomerPage:
        d = self._customer_sql.d
        where = customer_where(account_pk, query, d)
        page = (d.no_limit if query.limit is None else query.limit, query.offset)
        count = d.sql(f"SELECT count(*) FROM customers WHERE {where.where}")
        select = d.sql(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {where.where} ORDER BY created_at, pk LIMIT ? OFFSET ?"
        )

        async def work(db: Db) -> CustomerPage:  # one snapshot for the total and the page
            total = await db.value(count, where.params)
            rows = await db.all(select, [*where.params, *page])
            return CustomerPage([customer_from_row(d, row) for row in rows], int(total))

        return await self._reads.read(work)

    async def customer_history(self, account_pk: int, code: str) -> list[AuditRecord]:
        sql = self._customer_sql
        rows = await self._reads.all(sql.history, (account_pk, code))
        return [audit_from_row(sql.d, row) for row in rows]


class CustomerWrites:
    """The customers' operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _customer_sql: CustomerSql
    _ledger_sql: LedgerSql

    async def customer_for_update(self, account_pk: int, key: str, value: str) -> Customer | None:
        sql = self._customer_sql
        row = await self._db.one(sql.by_key_for_update[_key(key)], (account_pk, value))
        return None if row is None else customer_from_row(sql.d, row)

    async def customer_key_holder(self, account_pk: int, key: str, value: str) -> int | None:
        await lock_customer_key(self._db, "customer", account_pk, _key(key), value)
        pk = await self._db.value(self._customer_sql.key_holder[key], (account_pk, value))
        return None if pk is None else int(pk)

    async def insert_customer(self, account_pk: int, values: CustomerValues, at: datetime) -> Customer:
        names = _checked(values)
        sql = self._customer_sql
        d = sql.d
        row = await self._db.one(sql.insert(names), [account_pk, d.at(at), *(d.value(values[name]) for name in names)])
        assert row is not None
        return customer_from_row(d, row)

    async def update_customer(self, customer_pk: int, values: CustomerValues) -> Customer:
        names = _checked(values)
        sql = self._customer_sql
        d = sql.d
        if names:
            row = await self._db.one(sql.update(names), [*(d.value(values[name]) for name in names), customer_pk])
        else:
            row = await self._db.one(sql.by_pk, (customer_pk,))
        assert row is not None
        return customer_from_row(d, row)

    async def enrol_customer(
        self, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
    ) -> bool:
        # The lock PostgreSQL's record_sale function takes too (migration 0008).
        await lock_customer_key(self._db, "enrol", campaign_pk, customer_pk)
        if await self._db.one(self._customer_sql.has_entries, (campaign_pk, customer_pk)) is not None:
            return False
        await add_activation_entry(self._db, self._ledger_sql, account_pk, campaign_pk, customer_pk, user_name, at)
        return True

    async def customer_campaign_ids(self, customer_pk: int) -> set[str]:
        rows = await self._db.all(self._customer_sql.campaign_ids, (customer_pk,))
        return {str(row[0]) for row in rows}
