"""Accounts and their users: the credential look-up (reads) and what the operator's commands create (writes)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.models import Account, Login, Principal, Role
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.rows import ACCOUNT_COLUMNS, account_from_row

__all__ = ["AccountReads", "AccountSql", "AccountWrites", "allowed_set"]


class AccountSql:
    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.find_login = q(
            f"SELECT {ACCOUNT_COLUMNS}, u.pk, u.user_name, u.role, u.allowed_campaigns, u.key_digest"
            " FROM accounts a JOIN users u ON u.account_pk = a.pk WHERE a.account_id = ? AND u.user_name = ?"
        )
        self.by_id = q(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_id = ?")
        self.by_pk = q(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.pk = ?")
        self.count = q("SELECT count(*) FROM accounts")
        self.insert = q(
            "INSERT INTO accounts (account_id, name, currency, in_coalition, in_two_tier, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING pk"
        )
        self.insert_user = q(
            "INSERT INTO users (account_pk, user_name, role, allowed_campaigns, key_digest, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING pk"
        )


def allowed_set(text: object) -> frozenset[str] | None:
    """A user's allowed campaigns as stored (a comma list; NULL: every campaign)."""
    if text is None:
        return None
    return frozenset(part for part in str(text).split(",") if part)


# A row shaped like find_login's, for an unknown user (see AccountReads.find_login).
_NO_LOGIN: Final = (0, "", "", "USD", 0, 0, 0, "", "K", "0000000000000000,0000000000000001", "")


def _login_from_row(row: Row) -> Login:
    user_pk, name, role, allowed, digest = row[6:]
    principal = Principal(account_from_row(row), int(user_pk), str(name), Role(role), allowed_set(allowed))
    return Login(principal, str(digest))


class AccountReads:
    """The accounts' reads of :class:`Store`."""

    __slots__ = ()
    _reads: ReadDb
    _account_sql: AccountSql

    async def find_login(self, account_id: str, user_name: str) -> Login | None:
        row = await self._reads.one(self._account_sql.find_login, (account_id, user_name))
        # An unknown user costs the same work as a known one: a stand-in row is read into a login, then dropped, so
        # that the answer's timing does not tell which users exist.
        login = _login_from_row(_NO_LOGIN if row is None else row)
        return None if row is None else login

    async def account_count(self) -> int:
        return int(await self._reads.value(self._account_sql.count))

    async def get_account(self, account_id: str) -> Account | None:
        row = await self._reads.one(self._account_sql.by_id, (account_id,))
        return None if row is None else account_from_row(row)


class AccountWrites:
    """What the operator's commands create, inside a write transaction (not part of :class:`WriteTx`)."""

    __slots__ = ()
    _db: Db
    _account_sql: AccountSql

    async def insert_account(
        self, account_id: str, name: str, currency: str, in_coalition: bool, in_two_tier: bool, at: datetime
    ) -> Account:
        sql = self._account_sql
        d = sql.d
        pk = await self._db.value(
            sql.insert, (account_id, name, currency, d.value(in_coalition), d.value(in_two_tier), d.at(at))
        )
        return Account(int(pk), account_id, name, currency, in_coalition, in_two_tier)

    async def insert_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
        at: datetime,
    ) -> Principal:
        sql = self._account_sql
        allowed = None if allowed_campaigns is None else ",".join(sorted(allowed_campaigns))
        user_pk = await self._db.value(
            sql.insert_user, (account_pk, user_name, role, allowed, key_digest, sql.d.at(at))
        )
        account_row = await self._db.one(sql.by_pk, (account_pk,))
        assert account_row is not None
        return Principal(account_from_row(account_row), int(user_pk), user_name, Role(role), allowed_campaigns)
