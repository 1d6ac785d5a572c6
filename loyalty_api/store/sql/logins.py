"""The customers' login lockout (``docs/customers.md``): failed password and PIN checks counted per subject in a
window, under a lock named after the subject so that concurrent attempts of one subject are counted one after the
other."""

from __future__ import annotations

from datetime import datetime

from loyalty_api.store.sql.customers import lock_customer_key
from loyalty_api.store.sql.db import Db
from loyalty_api.store.sql.dialect import Dialect

__all__ = ["LoginSql", "LoginWrites"]


class LoginSql:
    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.failures = q(
            "SELECT count(*) FROM customer_login_failures WHERE account_pk = ? AND subject = ? AND at > ?"
        )
        # Failures out of the window no longer count, whoever's they are: the table holds the last window.  Rows
        # another transaction is deleting are left to it (no waiting, no deadlock).
        self.forget_old = q(
            "DELETE FROM customer_login_failures WHERE pk IN (SELECT pk FROM customer_login_failures"
            f" WHERE account_pk = ? AND at <= ?{d.skip_locked})"
        )
        self.insert = q("INSERT INTO customer_login_failures (account_pk, subject, at) VALUES (?, ?, ?)")
        self.clear = q("DELETE FROM customer_login_failures WHERE account_pk = ? AND subject = ?")


class LoginWrites:
    """The lockout's operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _login_sql: LoginSql

    async def reserve_login_attempt(
        self, account_pk: int, subject: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        db, sql = self._db, self._login_sql
        d = sql.d
        await lock_customer_key(db, "login", account_pk, subject)
        if int(await db.value(sql.failures, (account_pk, subject, d.at(since)))) >= limit:
            return False
        await db.run(sql.forget_old, (account_pk, d.at(since)))
        await db.run(sql.insert, (account_pk, subject, d.at(at)))
        return True

    async def clear_login_failures(self, account_pk: int, subject: str) -> None:
        await self._db.run(self._login_sql.clear, (account_pk, subject))
