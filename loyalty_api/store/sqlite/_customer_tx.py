"""Write-transaction operations on customers (SQLite): create, change, enrol, archive, restore, the lockout.

:class:`CustomerTxMixin` is mixed into ``SqliteWriteTx``.  The whole database is write-locked by the
transaction (``BEGIN IMMEDIATE``), so a check ("is this code free?", "how many failures?") stays true until
the transaction commits.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from loyalty_api.store._customer_sql import CUSTOMER_COLUMNS, CUSTOMER_KEY_COLUMNS
from loyalty_api.store._ledger_sql import rebuild_balances
from loyalty_api.store.interface import ArchiveConflict, CustomerValues
from loyalty_api.store.models import CUSTOMER_WRITABLE_COLUMNS, Customer, RestoredCustomer
from loyalty_api.store.sqlite._customer_rows import customer_from_row
from loyalty_api.store.sqlite._ledger_tx import add_activation_entry
from loyalty_api.store.sqlite._reward_rows import LEDGER_COLUMNS
from loyalty_api.store.sqlite._rows import db_value, time_text

__all__ = ["CustomerTxMixin"]

_WITH_CUSTOMER: Final = "customer"
# A new customer takes an id above every live and archived one: an archived customer keeps theirs.
_REBUILD_BALANCES: Final = rebuild_balances("customer_pk", lambda _n: "?")
_NEXT_PK: Final = (
    "SELECT max(coalesce((SELECT max(pk) FROM customers), 0), coalesce((SELECT max(pk) FROM customers_archive), 0)) + 1"
)


def _key(key: str) -> str:
    if key not in CUSTOMER_KEY_COLUMNS:
        raise ValueError(f"not a customer key: {key}")
    return key


def _checked(values: CustomerValues) -> list[str]:
    unknown = set(values) - CUSTOMER_WRITABLE_COLUMNS
    if unknown:
        raise ValueError(f"not customer columns: {sorted(unknown)}")
    return sorted(values)


class CustomerTxMixin:
    __slots__ = ()
    _conn: sqlite3.Connection

    def _customer_by_pk(self, customer_pk: int) -> Customer:
        row = self._conn.execute(f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE pk = ?", (customer_pk,))
        return customer_from_row(row.fetchone())

    async def customer_for_update(self, account_pk: int, key: str, value: str) -> Customer | None:
        row = self._conn.execute(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE account_pk = ? AND {_key(key)} = ?", (account_pk, value)
        ).fetchone()
        return None if row is None else customer_from_row(row)

    async def customer_key_holder(self, account_pk: int, key: str, value: str) -> int | None:
        row = self._conn.execute(
            f"SELECT pk FROM customers WHERE account_pk = ? AND {_key(key)} = ?", (account_pk, value)
        ).fetchone()
        return None if row is None else int(row[0])

    async def insert_customer(self, account_pk: int, values: CustomerValues, at: datetime) -> Customer:
        names = _checked(values)
        pk = int(self._conn.execute(_NEXT_PK).fetchone()[0])
        self._conn.execute(
            f"INSERT INTO customers (pk, account_pk, created_at, {', '.join(names)})"
            f" VALUES (?, ?, ?, {', '.join('?' for _ in names)})",
            (pk, account_pk, time_text(at), *(db_value(values[name]) for name in names)),
        )
        return self._customer_by_pk(pk)

    async def update_customer(self, customer_pk: int, values: CustomerValues) -> Customer:
        names = _checked(values)
        if names:
            assignments = ", ".join(f"{name} = ?" for name in names)
            self._conn.execute(
                f"UPDATE customers SET {assignments} WHERE pk = ?",
                (*(db_value(values[name]) for name in names), customer_pk),
            )
        return self._customer_by_pk(customer_pk)

    async def enrol_customer(
        self, account_pk: int, campaign_pk: int, customer_pk: int, user_name: str, at: datetime
    ) -> bool:
        found = self._conn.execute(
            "SELECT 1 FROM ledger WHERE campaign_pk = ? AND customer_pk = ? LIMIT 1", (campaign_pk, customer_pk)
        ).fetchone()
        if found is not None:
            return False
        add_activation_entry(self._conn, account_pk, campaign_pk, customer_pk, user_name, at)
        return True

    async def customer_campaign_ids(self, customer_pk: int) -> set[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT c.campaign_id FROM ledger l JOIN campaigns c ON c.pk = l.campaign_pk"
            " WHERE l.customer_pk = ?",
            (customer_pk,),
        ).fetchall()
        return {str(row[0]) for row in rows}

    async def archive_customer(self, customer_pk: int, by: str, at: datetime) -> int:
        stamp = time_text(at)
        entries = self._conn.execute(
            f"INSERT INTO ledger_archive ({LEDGER_COLUMNS}, archived_at, archived_by, archived_with)"
            f" SELECT {LEDGER_COLUMNS}, ?, ?, ? FROM ledger WHERE customer_pk = ?",
            (stamp, by, _WITH_CUSTOMER, customer_pk),
        ).rowcount
        self._conn.execute(
            f"INSERT INTO customers_archive ({CUSTOMER_COLUMNS}, archived_at, archived_by)"
            f" SELECT {CUSTOMER_COLUMNS}, ?, ? FROM customers WHERE pk = ?",
            (stamp, by, customer_pk),
        )
        self._conn.execute("DELETE FROM ledger_balances WHERE customer_pk = ?", (customer_pk,))
        self._conn.execute("DELETE FROM ledger WHERE customer_pk = ?", (customer_pk,))
        self._conn.execute("DELETE FROM customers WHERE pk = ?", (customer_pk,))
        return entries

    async def restore_customer(self, account_pk: int, code: str) -> RestoredCustomer | None:
        conn = self._conn
        found = conn.execute(
            "SELECT pk FROM customers_archive WHERE account_pk = ? AND code = ? ORDER BY archived_at DESC, pk DESC"
            " LIMIT 1",
            (account_pk, code),
        ).fetchone()
        if found is None:
            return None
        customer_pk = int(found[0])
        missing = conn.execute(
            "SELECT count(*) FROM ledger_archive la WHERE la.customer_pk = ? AND la.archived_with = ?"
            " AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.pk = la.campaign_pk)",
            (customer_pk, _WITH_CUSTOMER),
        ).fetchone()[0]
        if missing:
            raise ArchiveConflict(f"{missing} of their transactions belong to campaigns no longer in the account")
        try:
            conn.execute(
                f"INSERT INTO customers ({CUSTOMER_COLUMNS}) SELECT {CUSTOMER_COLUMNS} FROM customers_archive"
                " WHERE pk = ?",
                (customer_pk,),
            )
            entries = conn.execute(
                f"INSERT INTO ledger ({LEDGER_COLUMNS}) SELECT {LEDGER_COLUMNS} FROM ledger_archive"
                " WHERE customer_pk = ? AND archived_with = ? ORDER BY pk",
                (customer_pk, _WITH_CUSTOMER),
            ).rowcount
        except sqlite3.IntegrityError as exc:
            raise ArchiveConflict(f"the customer cannot take their place again: {_conflict(exc)}") from exc
        for statement in _REBUILD_BALANCES:
            conn.execute(statement, (customer_pk,))
        conn.execute(
            "DELETE FROM ledger_archive WHERE customer_pk = ? AND archived_with = ?", (customer_pk, _WITH_CUSTOMER)
        )
        conn.execute("DELETE FROM customers_archive WHERE pk = ?", (customer_pk,))
        return RestoredCustomer(self._customer_by_pk(customer_pk), entries)

    async def reserve_login_attempt(
        self, account_pk: int, subject: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        failures = self._conn.execute(
            "SELECT count(*) FROM customer_login_failures WHERE account_pk = ? AND subject = ? AND at > ?",
            (account_pk, subject, time_text(since)),
        ).fetchone()[0]
        if int(failures) >= limit:
            return False
        # Failures out of the window no longer count, whoever's they are: the table holds the last 15 minutes.
        self._conn.execute(
            "DELETE FROM customer_login_failures WHERE account_pk = ? AND at <= ?", (account_pk, time_text(since))
        )
        self._conn.execute(
            "INSERT INTO customer_login_failures (account_pk, subject, at) VALUES (?, ?, ?)",
            (account_pk, subject, time_text(at)),
        )
        return True

    async def clear_login_failures(self, account_pk: int, subject: str) -> None:
        self._conn.execute(
            "DELETE FROM customer_login_failures WHERE account_pk = ? AND subject = ?", (account_pk, subject)
        )


def _conflict(exc: sqlite3.IntegrityError) -> str:
    text = str(exc)
    for column in ("card_number", "customer_username", "code"):
        if f"customers.{column}" in text:
            return f"its {column} is in use by another customer"
    return text
