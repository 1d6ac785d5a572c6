"""Reads of customers (PostgreSQL): look-ups, memberships, searches, history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from loyalty_api.store._customer_sql import CUSTOMER_COLUMNS, CUSTOMER_KEY_COLUMNS, CustomerDialect, customer_where
from loyalty_api.store._ledger_sql import CUMULATIVE_SUM
from loyalty_api.store.models import AuditRecord, Campaign, Customer, CustomerPage, CustomerQuery, Membership
from loyalty_api.store.postgres._customer_rows import customer_from_row
from loyalty_api.store.postgres._rows import AUDIT_COLUMNS, CAMPAIGN_COLUMNS, Conn, audit_from_row

__all__ = ["CustomerReadsMixin", "customer_history", "customer_memberships", "get_customer", "search_customers"]

T = TypeVar("T")

# lower() folds all of Unicode in a database whose LC_CTYPE is a UTF-8 locale (docs/postgres.md).
_DIALECT: Final = CustomerDialect(
    placeholder=lambda n: f"${n}", fold="lower", contains="strpos({haystack}, {needle}) > 0"
)
_CAMPAIGN_COLUMNS_OF_C: Final = ", ".join(f"c.{name.strip()}" for name in CAMPAIGN_COLUMNS.split(","))
_MEMBERSHIPS: Final = (
    f"SELECT l.customer_pk AS member, sum(l.amount_cents) AS balance, {CUMULATIVE_SUM} AS cumulative,"
    f" min(l.at) AS first_at, max(l.at) AS last_at, {_CAMPAIGN_COLUMNS_OF_C}"
    " FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk WHERE l.customer_pk = ANY($1::bigint[])"
    " GROUP BY l.customer_pk, c.pk ORDER BY l.customer_pk, c.created_at, c.pk"
)
_HISTORY: Final = (
    f"SELECT {AUDIT_COLUMNS} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
    " WHERE au.account_pk = $1 AND au.entity = 'customer' AND au.entity_id = $2 ORDER BY au.pk"
)
_CAMPAIGN_NAMES: Final = tuple(name.strip() for name in CAMPAIGN_COLUMNS.split(","))


async def get_customer(conn: Conn, account_pk: int, key: str, value: str) -> Customer | None:
    if key not in CUSTOMER_KEY_COLUMNS:
        raise ValueError(f"not a customer key: {key}")
    row = await conn.fetchrow(
        f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE account_pk = $1 AND {key} = $2", account_pk, value
    )
    return None if row is None else customer_from_row(row)


async def customer_memberships(conn: Conn, customer_pks: list[int]) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = defaultdict(list)
    if not customer_pks:
        return found
    for row in await conn.fetch(_MEMBERSHIPS, customer_pks):
        campaign = Campaign(**{name: row[name] for name in _CAMPAIGN_NAMES})
        found[row["member"]].append(
            Membership(
                campaign=campaign,
                balance_cents=int(row["balance"]),
                cumulative_cents=int(row["cumulative"]),
                first_at=row["first_at"],
                last_at=row["last_at"],
            )
        )
    return found


async def search_customers(conn: Conn, account_pk: int, query: CustomerQuery) -> CustomerPage:
    sql = customer_where(account_pk, query, _DIALECT)
    n = len(sql.params)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        total = await conn.fetchval(f"SELECT count(*) FROM customers WHERE {sql.where}", *sql.params)
        rows = await conn.fetch(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {sql.where} ORDER BY created_at, pk"
            f" LIMIT ${n + 1} OFFSET ${n + 2}",
            *sql.params,
            query.limit,
            query.offset,
        )
    return CustomerPage([customer_from_row(row) for row in rows], int(total))


async def customer_history(conn: Conn, account_pk: int, code: str) -> list[AuditRecord]:
    return [audit_from_row(row) for row in await conn.fetch(_HISTORY, account_pk, code)]


class CustomerReadsMixin:
    """The customer reads of ``PostgresStore``, each on a pooled connection."""

    __slots__ = ()

    async def _with_conn(self, read: Callable[..., Awaitable[T]], *args: Any) -> T:
        raise NotImplementedError

    async def get_customer(self, account_pk: int, key: str, value: str) -> Customer | None:
        return await self._with_conn(get_customer, account_pk, key, value)

    async def customer_memberships(self, customer_pks: list[int]) -> dict[int, list[Membership]]:
        return await self._with_conn(customer_memberships, customer_pks)

    async def search_customers(self, account_pk: int, query: CustomerQuery) -> CustomerPage:
        return await self._with_conn(search_customers, account_pk, query)

    async def customer_history(self, account_pk: int, code: str) -> list[AuditRecord]:
        return await self._with_conn(customer_history, account_pk, code)
