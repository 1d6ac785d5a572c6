"""Write-transaction operations on customers (PostgreSQL): create, change, enrol, archive, restore, the lockout.

:class:`CustomerTxMixin` is mixed into ``PostgresWriteTx``.  Uniqueness checks and the lockout count take a
transaction-level advisory lock named after what they check, so a concurrent transaction checking the same
value waits until this one has committed, then sees its rows (READ COMMITTED).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg

from loyalty_api.store._customer_sql import CUSTOMER_COLUMNS, CUSTOMER_KEY_COLUMNS
from loyalty_api.store._ledger_sql import ACTIVATION, rebuild_balances
from loyalty_api.store.interface import ArchiveConflict, CustomerValues
from loyalty_api.store.models import CUSTOMER_WRITABLE_COLUMNS, Customer, RestoredCustomer
from loyalty_api.store.postgres._customer_rows import customer_from_row
from loyalty_api.store.postgres._ledger_tx import add_to_balance
from loyalty_api.store.postgres._rows import LEDGER_COLUMNS, Conn
from loyalty_api.store.postgres._savepoint import savepoint

__all__ = ["CustomerTxMixin"]

_WITH_CUSTOMER: Final = "customer"
_REBUILD_BALANCES: Final = rebuild_balances("customer_pk", lambda n: f"${n}")
_LOCK: Final = "SELECT pg_advisory_xact_lock(hashtextextended($1, 11))"


def _key(key: str) -> str:
    if key not in CUSTOMER_KEY_COLUMNS:
        raise ValueError(f"not a customer key: {key}")
    return key


def _checked(values: CustomerValues) -> list[str]:
    unknown = set(values) - CUSTOMER_WRITABLE_COLUMNS
    if unknown:
        raise ValueError(f"not customer columns: {sorted(unknown)}")
    return sorted(values)


def _moved(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def _lock(conn: Conn, *parts: object) -> None:
    await conn.execute(_LOCK, "\x1f".join(str(part) for part in parts))


class CustomerTxMixin:
    __slots__ = ()
    conn: Conn

    async def customer_for_update(self, account_pk: int, key: str, value: str) -> Customer | None:
        row = await self.conn.fetchrow(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE account_pk = $1 AND {_key(key)} = $2 FOR UPDATE",
            account_pk,
            value,
        )
        return None if row is None else customer_from_row(row)

    async def customer_key_holder(self, account_pk: int, key: str, value: str) -> int | None:
        await _lock(self.conn, "customer", account_pk, _key(key), value)
        pk = await self.conn.fetchval(
            f"SELECT pk FROM customers WHERE account_pk = $1 AND {key} = $2", account_pk, value
        )
        return None if pk is None else int(pk)

    async def insert_customer(self, account_pk: int, values: CustomerValues, at: datetime) -> Customer:
        names = _checked(values)
        placeholders = ", ".join(f"${i}" for i in range(3, len(names) + 3))
        row = await self.conn.fetchrow(
            f"INSERT INTO customers (account_pk, created_at, {', '.join(names)}) VALUES ($1, $2, {placeholders})"
            f" RETURNING {CUSTOMER_COLUMNS}",
            account_pk,
            at,
            *(values[name] for name in names),
        )
        assert row is not None
        return customer_from_row(row)

    async def update_customer(self, customer_pk: int, values: CustomerValues) -> Customer:
        names = _checked(values)
        if names:
            assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=2))
            row = await self.conn.fetchrow(
                f"UPDATE customers SET {assignments} WHERE pk = $1 RETURNING {CUSTOMER_COLUMNS}",
                customer_pk,
                *(values[name] for name in names),
            )
        else:
            row = await self.conn.fetchrow(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE pk = $1", customer_pk)
        assert row is not None
        return customer_from_row(row)

    async def enrol_customer(
        self, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
    ) -> bool:
        await _lock(self.conn, "enrol", campaign_pk, customer_pk)
        found = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM ledger WHERE campaign_pk = $1 AND customer_pk = $2)", campaign_pk, customer_pk
        )
        if found:
            return False
        await self.conn.execute(
            'INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents, "authorization",'
            " service_product) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
            account_pk,
            campaign_pk,
            customer_pk,
            at,
            user_name,
            *ACTIVATION,
        )
        await add_to_balance(self.conn, account_pk, campaign_pk, customer_pk, ACTIVATION[1], 0, None)
        return True

    async def customer_campaign_ids(self, customer_pk: int) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT c.campaign_id FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk"
            " WHERE l.customer_pk = $1",
            customer_pk,
        )
        return {str(row[0]) for row in rows}

    async def archive_customer(self, customer_pk: int, by: str, at: datetime) -> int:
        await self.conn.execute("DELETE FROM ledger_balances WHERE customer_pk = $1", customer_pk)
        entries = _moved(
            await self.conn.execute(
                f"WITH moved AS (DELETE FROM ledger WHERE customer_pk = $1 RETURNING {LEDGER_COLUMNS})"
                f" INSERT INTO ledger_archive ({LEDGER_COLUMNS}, archived_at, archived_by, archived_with)"
                f" SELECT {LEDGER_COLUMNS}, $2, $3, $4 FROM moved",
                customer_pk,
                at,
                by,
                _WITH_CUSTOMER,
            )
        )
        await self.conn.execute(
            f"WITH moved AS (DELETE FROM customers WHERE pk = $1 RETURNING {CUSTOMER_COLUMNS})"
            f" INSERT INTO customers_archive ({CUSTOMER_COLUMNS}, archived_at, archived_by)"
            f" SELECT {CUSTOMER_COLUMNS}, $2, $3 FROM moved",
            customer_pk,
            at,
            by,
        )
        return entries

    async def restore_customer(self, account_pk: int, code: str) -> RestoredCustomer | None:
        conn = self.conn
        await _lock(conn, "customer", account_pk, "code", code)
        customer_pk = await conn.fetchval(
            "SELECT pk FROM customers_archive WHERE account_pk = $1 AND code = $2"
            " ORDER BY archived_at DESC, pk DESC LIMIT 1 FOR UPDATE",
            account_pk,
            code,
        )
        if customer_pk is None:
            return None
        missing = await conn.fetchval(
            "SELECT count(*) FROM ledger_archive la WHERE la.customer_pk = $1 AND la.archived_with = $2"
            " AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.pk = la.campaign_pk)",
            customer_pk,
            _WITH_CUSTOMER,
        )
        if missing:
            raise ArchiveConflict(f"{missing} of their transactions belong to campaigns no longer in the account")
        try:
            async with savepoint(conn):  # a savepoint: the caller's transaction stays usable
                row = await conn.fetchrow(
                    f"WITH moved AS (DELETE FROM customers_archive WHERE pk = $1 RETURNING {CUSTOMER_COLUMNS})"
                    f" INSERT INTO customers ({CUSTOMER_COLUMNS}) OVERRIDING SYSTEM VALUE"
                    f" SELECT {CUSTOMER_COLUMNS} FROM moved RETURNING {CUSTOMER_COLUMNS}",
                    customer_pk,
                )
                entries = _moved(
                    await conn.execute(
                        "WITH moved AS (DELETE FROM ledger_archive WHERE customer_pk = $1 AND archived_with = $2"
                        f" RETURNING {LEDGER_COLUMNS}) INSERT INTO ledger ({LEDGER_COLUMNS}) OVERRIDING SYSTEM VALUE"
                        f" SELECT {LEDGER_COLUMNS} FROM moved",
                        customer_pk,
                        _WITH_CUSTOMER,
                    )
                )
                for statement in _REBUILD_BALANCES:  # the restored entries' running balances
                    await conn.execute(statement, customer_pk)
        except asyncpg.UniqueViolationError as exc:
            column = next((c for c in ("card_number", "username", "code") if c in (exc.constraint_name or "")), None)
            detail = f"its {column} is in use by another customer" if column else str(exc)
            raise ArchiveConflict(f"the customer cannot take their place again: {detail}") from exc
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise ArchiveConflict(f"the customer cannot take their place again: {exc}") from exc
        assert row is not None
        return RestoredCustomer(customer_from_row(row), entries)

    async def reserve_login_attempt(
        self, account_pk: int, subject: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        await _lock(self.conn, "login", account_pk, subject)
        failures = await self.conn.fetchval(
            "SELECT count(*) FROM customer_login_failures WHERE account_pk = $1 AND subject = $2 AND at > $3",
            account_pk,
            subject,
            since,
        )
        if int(failures) >= limit:
            return False
        # Failures out of the window no longer count, whoever's they are: the table holds the last 15 minutes.
        # Rows another transaction is deleting are left to it (no waiting, no deadlock).
        await self.conn.execute(
            "DELETE FROM customer_login_failures WHERE pk IN (SELECT pk FROM customer_login_failures"
            " WHERE account_pk = $1 AND at <= $2 FOR UPDATE SKIP LOCKED)",
            account_pk,
            since,
        )
        await self.conn.execute(
            "INSERT INTO customer_login_failures (account_pk, subject, at) VALUES ($1, $2, $3)", account_pk, subject, at
        )
        return True

    async def clear_login_failures(self, account_pk: int, subject: str) -> None:
        await self.conn.execute(
            "DELETE FROM customer_login_failures WHERE account_pk = $1 AND subject = $2", account_pk, subject
        )
