"""The SQLite store: one file, WAL, one group-committing writer per process, inline reads."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final, TypeVar

from loyalty_api.store._migrations import load_migrations
from loyalty_api.store.interface import CampaignValues, SaleWork, StoreUnavailable, WriteTx, run_sale
from loyalty_api.store.models import (
    Account,
    AuditRecord,
    Campaign,
    CampaignPage,
    CampaignQuery,
    Login,
    Principal,
    Reward,
    Role,
    utc_now,
)
from loyalty_api.store.sqlite import _campaign_reads
from loyalty_api.store.sqlite._customer_reads import CustomerReadsMixin
from loyalty_api.store.sqlite._ledger_reads import LedgerReadsMixin
from loyalty_api.store.sqlite._ledger_tx import add_to_balance
from loyalty_api.store.sqlite._rows import (
    ACCOUNT_COLUMNS,
    CAMPAIGN_COLUMNS,
    account_from_row,
    audit_from_row,
    campaign_from_row,
    db_value,
    time_text,
)
from loyalty_api.store.sqlite._tx import SqliteWriteTx
from loyalty_api.store.sqlite._writer import GroupCommitWriter

__all__ = ["SYNCHRONOUS_MODES", "SqliteStore", "sqlite_path"]

T = TypeVar("T")
SYNCHRONOUS_MODES: Final = ("FULL", "NORMAL", "EXTRA")
_MIGRATIONS_PACKAGE: Final = "loyalty_api.store.sqlite.migrations"


def sqlite_path(url: str) -> str:
    """``sqlite:///loyalty.db`` is ``loyalty.db`` (working directory); ``sqlite:////srv/x.db`` is absolute."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {url!r} (expected sqlite:///path)")
    path = url.removeprefix("sqlite:///")
    if not path:
        raise ValueError("the SQLite URL names no file")
    return path


class SqliteStore(CustomerReadsMixin, LedgerReadsMixin):
    def __init__(self, url: str, *, synchronous: str = "FULL", busy_timeout_ms: int = 5000) -> None:
        mode = synchronous.upper()
        if mode not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}")
        self.url = url
        self.path = sqlite_path(url)
        self.synchronous = mode
        self._busy_timeout_ms = busy_timeout_ms
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._writer: GroupCommitWriter | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function(_campaign_reads.FOLD_FUNCTION, 1, _campaign_reads.unicode_lower, deterministic=True)
        return conn

    async def open(self) -> None:
        if self._writer is not None:
            return
        try:
            self._write_conn = self._connect()
            self._read_conn = self._connect()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        self._writer = GroupCommitWriter(
            self._write_conn, commit_in_thread=self.synchronous != "NORMAL", busy_timeout_ms=self._busy_timeout_ms
        )

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        for conn in (self._write_conn, self._read_conn):
            if conn is not None:
                conn.close()
        self._write_conn = self._read_conn = None

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def _reader(self) -> sqlite3.Connection:
        if self._read_conn is None:
            raise StoreUnavailable("the store is not open")
        return self._read_conn

    async def ping(self) -> None:
        try:
            self._reader.execute("SELECT 1 FROM schema_migrations LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def migrate(self) -> list[str]:
        await self.open()
        return await asyncio.to_thread(self._migrate_on_own_connection)

    def _migrate_on_own_connection(self) -> list[str]:
        # Its own connection, with the busy timeout: several processes may start at once.
        conn = self._connect()
        try:
            return _apply_migrations(conn)
        finally:
            conn.close()

    # --- the write path ------------------------------------------------------------------------

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        if self._writer is None or self._write_conn is None:
            raise StoreUnavailable("the store is not open")
        tx = SqliteWriteTx(self._write_conn, self._writer.campaigns)
        return await self._writer.submit(lambda: work(tx))

    async def write_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        return await self.write(lambda tx: run_sale(tx, work))

    # --- reads -----------------------------------------------------------------------------------

    async def find_login(self, account_id: str, user_name: str) -> Login | None:
        row = self._reader.execute(
            f"SELECT {ACCOUNT_COLUMNS}, u.pk, u.user_name, u.role, u.allowed_campaigns, u.key_digest"
            " FROM accounts a JOIN users u ON u.account_pk = a.pk"
            " WHERE a.account_id = ? AND u.user_name = ?",
            (account_id, user_name),
        ).fetchone()
        if row is None:
            return None
        account = account_from_row(row)
        user_pk, name, role, allowed, digest = row[6:]
        principal = Principal(account, int(user_pk), str(name), Role(role), _allowed_set(allowed))
        return Login(principal, str(digest))

    async def get_campaign(self, account_pk: int, campaign_id: str) -> Campaign | None:
        row = self._reader.execute(
            f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = ? AND campaign_id = ?",
            (account_pk, campaign_id),
        ).fetchone()
        return None if row is None else campaign_from_row(row)

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        row = self._reader.execute(
            "SELECT 1 FROM campaigns WHERE campaign_id = ?"
            " UNION ALL SELECT 1 FROM campaigns_archive WHERE campaign_id = ? LIMIT 1",
            (campaign_id, campaign_id),
        )
        return row.fetchone() is not None

    async def campaign_history(self, account_pk: int, campaign_id: str) -> list[AuditRecord]:
        rows = self._reader.execute(
            "SELECT au.pk, au.at, a.account_id, au.user_name, au.entity, au.entity_id, au.action, au.changes"
            " FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.campaign_id = ? ORDER BY au.pk",
            (account_pk, campaign_id),
        ).fetchall()
        return [audit_from_row(row) for row in rows]

    async def list_campaigns(self, account_pk: int, query: CampaignQuery) -> CampaignPage:
        return _campaign_reads.list_campaigns(self._reader, account_pk, query)

    async def list_rewards(self, account_pk: int, campaign_id: str) -> list[Reward] | None:
        return _campaign_reads.list_rewards(self._reader, account_pk, campaign_id)

    async def account_count(self) -> int:
        return int(self._reader.execute("SELECT count(*) FROM accounts").fetchone()[0])

    async def get_account(self, account_id: str) -> Account | None:
        row = self._reader.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_id = ?", (account_id,))
        found = row.fetchone()
        return None if found is None else account_from_row(found)

    # --- operator writes -------------------------------------------------------------------------

    async def add_account(
        self, account_id: str, name: str, currency: str, in_coalition: bool, in_two_tier: bool
    ) -> Account:
        async def work(tx: WriteTx) -> Account:
            conn = _conn_of(tx)
            cur = conn.execute(
                "INSERT INTO accounts (account_id, name, currency, in_coalition, in_two_tier, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (account_id, name, currency, int(in_coalition), int(in_two_tier), time_text(utc_now())),
            )
            return Account(int(cur.lastrowid or 0), account_id, name, currency, in_coalition, in_two_tier)

        return await self.write(work)

    async def add_user(
        self,
        account_pk: int,
        user_name: str,
        role: str,
        allowed_campaigns: frozenset[str] | None,
        key_digest: str,
    ) -> Principal:
        allowed = None if allowed_campaigns is None else ",".join(sorted(allowed_campaigns))

        async def work(tx: WriteTx) -> int:
            cur = _conn_of(tx).execute(
                "INSERT INTO users (account_pk, user_name, role, allowed_campaigns, key_digest, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (account_pk, user_name, role, allowed, key_digest, time_text(utc_now())),
            )
            return int(cur.lastrowid or 0)

        user_pk = await self.write(work)
        account_row = self._reader.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.pk = ?", (account_pk,)
        ).fetchone()
        return Principal(account_from_row(account_row), user_pk, user_name, Role(role), allowed_campaigns)

    async def add_campaign(self, account_pk: int, values: CampaignValues) -> Campaign:
        now = utc_now()
        columns = dict(values)
        columns.update(account_pk=account_pk, created_at=now, updated_at=now)
        names = list(columns)

        async def work(tx: WriteTx) -> int:
            cur = _conn_of(tx).execute(
                f"INSERT INTO campaigns ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [db_value(columns[n]) for n in names],
            )
            return int(cur.lastrowid or 0)

        pk = await self.write(work)
        row = self._reader.execute(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE pk = ?", (pk,)).fetchone()
        return campaign_from_row(row)

    async def add_customer(self, account_pk: int, code: str, first_name: str, last_name: str) -> int:
        async def work(tx: WriteTx) -> int:
            cur = _conn_of(tx).execute(
                "INSERT INTO customers (account_pk, code, first_name, last_name, created_at) VALUES (?, ?, ?, ?, ?)",
                (account_pk, code, first_name, last_name, time_text(utc_now())),
            )
            return int(cur.lastrowid or 0)

        return await self.write(work)

    async def add_ledger_entry(
        self,
        account_pk: int,
        campaign_pk: int,
        customer_pk: int,
        user_name: str,
        amount_cents: int,
        authorization: str,
        service_product: str,
    ) -> int:
        async def work(tx: WriteTx) -> int:
            conn = _conn_of(tx)
            cur = conn.execute(
                "INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents,"
                " authorization, service_product) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account_pk,
                    campaign_pk,
                    customer_pk,
                    time_text(utc_now()),
                    user_name,
                    amount_cents,
                    authorization,
                    service_product,
                ),
            )
            pk = int(cur.lastrowid or 0)
            add_to_balance(conn, account_pk, campaign_pk, customer_pk, service_product, amount_cents, None)
            return pk

        return await self.write(work)


def _conn_of(tx: WriteTx) -> sqlite3.Connection:
    assert isinstance(tx, SqliteWriteTx)
    return tx._conn


def _allowed_set(text: object) -> frozenset[str] | None:
    if text is None:
        return None
    return frozenset(part for part in str(text).split(",") if part)


def _apply_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    )
    applied: list[str] = []
    for migration in load_migrations(_MIGRATIONS_PACKAGE):
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)).fetchone()
            if done is None:
                for statement in _statements(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time_text(utc_now())),
                )
                applied.append(f"{migration.version:04d}_{migration.name}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (our migrations hold no ``;`` inside literals or triggers)."""
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return [part.strip() for part in without_comments.split(";") if part.strip()]
