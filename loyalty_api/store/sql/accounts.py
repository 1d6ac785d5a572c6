"""Accounts and their users: the credential look-up (reads) and what the operator's commands create (writes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from loyalty_api.store.interface import UserValues
from loyalty_api.store.models import (
    ACCOUNT_DETAIL_FIELDS,
    Account,
    AccountDetails,
    AuditRecord,
    Login,
    Principal,
    Role,
    User,
)
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.rows import ACCOUNT_COLUMNS, ACCOUNT_WIDTH, account_from_row, audit_columns, audit_from_row

__all__ = [
    "ACCOUNT_SETTABLE",
    "NO_KEY",
    "USER_DETAIL_COLUMNS",
    "AccountReads",
    "AccountSql",
    "AccountWrites",
    "allowed_set",
    "allowed_text",
]


class AccountSql:
    def __init__(self, d: Dialect) -> None:
        q = d.sql
        self.d = d
        self.find_login = q(
            f"SELECT {ACCOUNT_COLUMNS}, u.pk, u.user_name, u.role, u.allowed_campaigns, u.key_digest, u.is_owner"
            " FROM accounts a JOIN users u ON u.account_pk = a.pk WHERE a.account_id = ? AND u.user_name = ?"
            " AND NOT u.disabled"
        )
        self.by_id = q(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_id = ?")
        self.by_pk = q(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.pk = ?")
        details = (
            f"SELECT {ACCOUNT_COLUMNS}, {', '.join(f'a.{name}' for name in ACCOUNT_DETAIL_FIELDS)}, a.biz_online,"
            " a.created_at FROM accounts a WHERE a.pk = ?"
        )
        self.details = q(details)
        self.details_for_update = q(details + d.for_update)
        # The changes of the account's settings and of its users (entities 'account' and 'user').
        self.history = q(
            f"SELECT {audit_columns(d)} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.entity IN ('account', 'user') ORDER BY au.pk"
        )
        self.count = q("SELECT count(*) FROM accounts")
        self.insert = q(
            "INSERT INTO accounts (account_id, name, currency, in_coalition, in_two_tier, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING pk"
        )
        self.insert_user = q(
            "INSERT INTO users (account_pk, user_name, role, allowed_campaigns, key_digest, created_at, is_owner)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pk"
        )
        self.users = q(f"SELECT {_USER_COLUMNS} FROM users WHERE account_pk = ? ORDER BY user_name")
        self.user_by_name = q(f"SELECT {_USER_COLUMNS} FROM users WHERE account_pk = ? AND user_name = ?")
        # Two at most: whether the user id names exactly one account's user (user_login).
        self.accounts_of_user = q(
            "SELECT a.account_id FROM users u JOIN accounts a ON a.pk = u.account_pk WHERE u.user_name = ?"
            " ORDER BY a.pk LIMIT 2"
        )
        self.user_for_update = q(
            f"SELECT {_USER_COLUMNS} FROM users WHERE account_pk = ? AND user_name = ?{d.for_update}"
        )
        self.administrators = q("SELECT count(*) FROM users WHERE account_pk = ? AND role = 'A' AND NOT disabled")
        self.user_out = q(
            f"INSERT INTO users_archive ({_USER_ROW}, archived_at, archived_by) SELECT {_USER_ROW}, ?, ? FROM users"
            " WHERE pk = ?"
        )
        self.delete_user = q("DELETE FROM users WHERE pk = ?")
        self.pin_holder = q("SELECT user_name FROM users WHERE account_pk = ? AND pin_digest = ?")
        self.campaign_ids = q("SELECT campaign_id FROM campaigns WHERE account_pk = ?")
        self.user_history = q(
            f"SELECT {audit_columns(d)} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.entity = 'user' AND au.entity_id = ? ORDER BY au.pk"
        )
        self._updates: dict[tuple[str, tuple[str, ...]], str] = {}

    def update(self, table: str, names: tuple[str, ...]) -> str:
        """Set the named columns of one row of ``table`` by pk (parameters: the values, then the pk)."""
        key = (table, names)
        text = self._updates.get(key)
        if text is None:
            assignments = ", ".join(f"{name} = ?" for name in names)
            text = self._updates[key] = self.d.sql(f"UPDATE {table} SET {assignments} WHERE pk = ?")
        return text


_USER_COLUMNS: Final = (
    "pk, account_pk, user_name, role, allowed_campaigns, disabled, created_at, is_owner, first_name, last_name,"
    " custom1, language, timezone, pin_digest IS NOT NULL"
)
_USER_ROW: Final = (
    "pk, account_pk, user_name, role, allowed_campaigns, key_digest, first_name, last_name, created_at, disabled,"
    " is_owner, custom1, language, timezone, pin_digest"
)
# Seed of the lock that orders the changes of one account's users (Db.lock).
_USERS_LOCK: Final = 13
#: The user columns a change may set besides role, allowed_campaigns, key_digest and disabled (text, or None for
#: pin_digest: no PIN).
USER_DETAIL_COLUMNS: Final = ("first_name", "last_name", "custom1", "language", "timezone", "pin_digest")
_USER_UPDATE_COLUMNS: Final = frozenset({"role", "allowed_campaigns", "key_digest", "disabled", *USER_DETAIL_COLUMNS})
#: The account columns the operator may set (``loyalty-api account set``).
ACCOUNT_SETTABLE: Final = frozenset(
    {
        "name",
        "currency",
        "in_coalition",
        "in_two_tier",
        "timezone",
        "legacy_ampersand",
        "agency_id",
        "agency_name",
        "agency_email",
        "biz_online",
        *ACCOUNT_DETAIL_FIELDS,
    }
)
#: The key digest of an owner created without a key: no key's digest is this (``key_digest``'s start with a scheme).
NO_KEY: Final = "no key yet"


def allowed_text(allowed: frozenset[str] | None) -> str | None:
    """A user's allowed campaigns as stored: a comma list, NULL for every campaign."""
    return None if allowed is None else ",".join(sorted(allowed))


def _user_from_row(d: Dialect, row: Row) -> User:
    pk, account_pk, user_name, role, allowed, disabled, created, owner, first_name, last_name = row[:10]
    custom1, language, timezone, has_pin = row[10:]
    return User(
        int(pk),
        int(account_pk),
        str(user_name),
        Role(role),
        allowed_set(allowed),
        bool(disabled),
        d.time(created),
        bool(owner),
        str(first_name),
        str(last_name),
        str(custom1),
        str(language),
        str(timezone),
        bool(has_pin),
    )


def allowed_set(text: object) -> frozenset[str] | None:
    """A user's allowed campaigns as stored (a comma list; NULL: every campaign)."""
    if text is None:
        return None
    return frozenset(part for part in str(text).split(",") if part)


# A row shaped like find_login's, for an unknown user (see AccountReads.find_login).
_NO_LOGIN: Final = (
    *(0, "", "", "USD", 0, 0, "UTC", 0, "", "", "", ""),  # the account's ACCOUNT_WIDTH columns
    *(0, "", "K", "0000000000000000,0000000000000001", "", 0),
)


def _details_from_row(d: Dialect, row: Row) -> AccountDetails:
    values = row[ACCOUNT_WIDTH:]
    details = {name: str(value) for name, value in zip(ACCOUNT_DETAIL_FIELDS, values, strict=False)}
    online, created = values[len(ACCOUNT_DETAIL_FIELDS) :]
    return AccountDetails(account_from_row(row), details, bool(online), d.time(created))


def _login_from_row(row: Row) -> Login:
    user_pk, name, role, allowed, digest, owner = row[ACCOUNT_WIDTH:]
    account = account_from_row(row)
    principal = Principal(account, int(user_pk), str(name), Role(role), allowed_set(allowed), bool(owner))
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

    async def list_users(self, account_pk: int) -> list[User]:
        sql = self._account_sql
        return [_user_from_row(sql.d, row) for row in await self._reads.all(sql.users, (account_pk,))]

    async def get_user(self, account_pk: int, user_name: str) -> User | None:
        sql = self._account_sql
        row = await self._reads.one(sql.user_by_name, (account_pk, user_name))
        return None if row is None else _user_from_row(sql.d, row)

    async def user_history(self, account_pk: int, user_name: str) -> list[AuditRecord]:
        sql = self._account_sql
        rows = await self._reads.all(sql.user_history, (account_pk, user_name))
        return [audit_from_row(sql.d, row) for row in rows]

    async def accounts_with_user(self, user_name: str) -> list[str]:
        rows = await self._reads.all(self._account_sql.accounts_of_user, (user_name,))
        return [str(row[0]) for row in rows]

    async def account_details(self, account_pk: int) -> AccountDetails | None:
        sql = self._account_sql
        row = await self._reads.one(sql.details, (account_pk,))
        return None if row is None else _details_from_row(sql.d, row)

    async def account_history(self, account_pk: int) -> list[AuditRecord]:
        sql = self._account_sql
        return [audit_from_row(sql.d, row) for row in await self._reads.all(sql.history, (account_pk,))]


class AccountWrites:
    """What the operator's commands create, inside a write transaction (not part of :class:`WriteTx`)."""

    __slots__ = ()
    _db: Db
    _account_sql: AccountSql

    async def insert_account(
        self,
        account_id: str,
        name: str,
        currency: str,
        in_coalition: bool,
        in_two_tier: bool,
        at: datetime,
        owner_key_digest: str | None = None,
    ) -> Account:
        """The account, and its owner (user_id the account id, an administrator of every campaign), whose key is
        the one of ``owner_key_digest`` (None: no key matches until one is given)."""
        sql = self._account_sql
        d = sql.d
        pk = await self._db.value(
            sql.insert, (account_id, name, currency, d.value(in_coalition), d.value(in_two_tier), d.at(at))
        )
        owner = (int(pk), account_id, Role.ADMIN.value, None, owner_key_digest or NO_KEY, d.at(at), d.value(True))
        await self._db.value(sql.insert_user, owner)
        return Account(int(pk), account_id, name, currency, in_coalition, in_two_tier)

    async def account_for_update(self, account_pk: int) -> AccountDetails | None:
        sql = self._account_sql
        row = await self._db.one(sql.details_for_update, (account_pk,))
        return None if row is None else _details_from_row(sql.d, row)

    async def update_account(self, account_pk: int, values: Mapping[str, object]) -> None:
        unknown = set(values) - ACCOUNT_SETTABLE
        if unknown:
            raise ValueError(f"not account columns: {sorted(unknown)}")
        sql = self._account_sql
        names = tuple(sorted(values))
        if names:
            await self._db.run(
                sql.update("accounts", names), [*(sql.d.value(values[name]) for name in names), account_pk]
            )

    async def insert_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
        at: datetime,
        details: UserValues | None = None,
    ) -> Principal:
        """A new user; ``details`` sets some of :data:`USER_DETAIL_COLUMNS` too."""
        sql = self._account_sql
        allowed = allowed_text(allowed_campaigns)
        user_pk = await self._db.value(
            sql.insert_user, (account_pk, user_name, role, allowed, key_digest, sql.d.at(at), sql.d.value(False))
        )
        if details:
            await self.update_user(int(user_pk), details)
        account_row = await self._db.one(sql.by_pk, (account_pk,))
        assert account_row is not None
        return Principal(account_from_row(account_row), int(user_pk), user_name, Role(role), allowed_campaigns)

    async def user_for_update(self, account_pk: int, user_name: str) -> User | None:
        sql = self._account_sql
        await self._db.lock(_USERS_LOCK, str(account_pk))
        row = await self._db.one(sql.user_for_update, (account_pk, user_name))
        return None if row is None else _user_from_row(sql.d, row)

    async def user_with_pin(self, account_pk: int, pin_digest: str) -> str | None:
        row = await self._db.one(self._account_sql.pin_holder, (account_pk, pin_digest))
        return None if row is None else str(row[0])

    async def account_campaign_ids(self, account_pk: int) -> set[str]:
        return {str(row[0]) for row in await self._db.all(self._account_sql.campaign_ids, (account_pk,))}

    async def enabled_administrators(self, account_pk: int) -> int:
        return int(await self._db.value(self._account_sql.administrators, (account_pk,)))

    async def update_user(self, user_pk: int, values: UserValues) -> None:
        unknown = set(values) - _USER_UPDATE_COLUMNS
        if unknown:
            raise ValueError(f"not user columns: {sorted(unknown)}")
        sql = self._account_sql
        names = tuple(sorted(values))
        params: list[object] = []
        for name in names:
            value = values[name]
            if name == "allowed_campaigns":
                assert value is None or isinstance(value, frozenset), value
                params.append(allowed_text(value))
            else:
                params.append(sql.d.value(value))
        await self._db.run(sql.update("users", names), [*params, user_pk])

    async def archive_user(self, user_pk: int, by: str, at: datetime) -> None:
        sql = self._account_sql
        await self._db.run(sql.user_out, (sql.d.at(at), by, user_pk))
        await self._db.run(sql.delete_user, (user_pk,))
