"""The PostgreSQL store: asyncpg, one connection pool per process for reads, one group-commit writer for writes.

Writes go through the process's :class:`PostgresGroupCommitWriter` (``_writer.py``): on its own
connection, queued writes run as one READ COMMITTED transaction with a savepoint each and one
``COMMIT`` (durable: ``synchronous_commit`` as the server has it, ``on`` by default).  A write that
reads a row in order to change it locks that row first (``SELECT ... FOR UPDATE``), so concurrent
writers of one campaign on another node queue behind the batch that holds it and then see the row as
it left it.  Driver errors that mean the database cannot answer become :class:`StoreUnavailable`; a
write chosen as a deadlock victim is run again (its work function may therefore run more than once;
it must keep its effects inside the transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import asyncpg

from loyalty_api.store.interface import CampaignValues, SaleWork, StoreUnavailable, WriteTx
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
from loyalty_api.store.postgres import _campaign_reads
from loyalty_api.store.postgres._customer_reads import CustomerReadsMixin
from loyalty_api.store.postgres._errors import is_unavailable
from loyalty_api.store.postgres._fair_gate import FairGate
from loyalty_api.store.postgres._ledger_reads import LedgerReadsMixin
from loyalty_api.store.postgres._ledger_tx import add_to_balance
from loyalty_api.store.postgres._migrate import apply_migrations
from loyalty_api.store.postgres._rows import (
    ACCOUNT_COLUMNS,
    AUDIT_COLUMNS,
    CAMPAIGN_COLUMNS,
    Conn,
    account_from_row,
    allowed_set,
    audit_from_row,
    campaign_from_row,
)
from loyalty_api.store.postgres._tx import PostgresWriteTx
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.postgres._writer import PostgresGroupCommitWriter

__all__ = ["PostgresStore"]

T = TypeVar("T")
_log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S: Final = 5.0
PING_TIMEOUT_S: Final = 3.0

_FIND_LOGIN: Final = (
    f"SELECT {ACCOUNT_COLUMNS}, u.pk, u.user_name, u.role, u.allowed_campaigns, u.key_digest"
    " FROM accounts a JOIN users u ON u.account_pk = a.pk WHERE a.account_id = $1 AND u.user_name = $2"
)
_GET_CAMPAIGN: Final = f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = $1 AND campaign_id = $2"
_CAMPAIGN_BY_PK: Final = f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE pk = $1"
_CAMPAIGN_HISTORY: Final = (
    f"SELECT {AUDIT_COLUMNS} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
    " WHERE au.account_pk = $1 AND au.campaign_id = $2 ORDER BY au.pk"
)
_ID_IN_USE: Final = (
    "SELECT EXISTS (SELECT 1 FROM campaigns WHERE campaign_id = $1)"
    " OR EXISTS (SELECT 1 FROM campaigns_archive WHERE campaign_id = $1)"
)
_ACCOUNT_BY_ID: Final = f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_id = $1"
_ACCOUNT_BY_PK: Final = f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.pk = $1"


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Pool reset hook: nothing to undo (we never change session state), so skip asyncpg's RESET ALL
    round trip on every release.  asyncpg still rolls back a transaction left open."""


class PostgresStore(CustomerReadsMixin, LedgerReadsMixin):
    def __init__(self, url: str, *, pool_min: int = 2, pool_max: int = 10) -> None:
        if pool_max < 1 or pool_min > pool_max:
            raise ValueError(f"the PostgreSQL pool needs 1 <= max and min <= max, not min={pool_min} max={pool_max}")
        parsed = parse_postgres_url(url)
        self.url = url
        self.schema = parsed.schema
        self.pool_min = pool_min
        self.pool_max = pool_max
        self._dsn = parsed.dsn
        self._server_settings = parsed.server_settings
        self._pool: asyncpg.Pool | None = None
        self._writer: PostgresGroupCommitWriter | None = None
        self._gate = FairGate(pool_max)  # reads take the pool's connections in arrival order

    # --- lifecycle ---------------------------------------------------------------------------

    async def _create_pool(self, min_size: int) -> asyncpg.Pool:
        return await asyncpg.create_pool(
            self._dsn,
            min_size=min_size,
            max_size=self.pool_max,
            reset=_keep_session,
            timeout=CONNECT_TIMEOUT_S,
            server_settings=self._server_settings,
        )

    async def _connect_writer(self) -> asyncpg.Connection[asyncpg.Record]:
        # The same settings as the pool's connections (search path, application name, statement cache).
        return await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_S, server_settings=self._server_settings)

    async def open(self) -> None:
        """Create the pool.  When the server cannot be reached, start anyway with an empty pool that
        connects on demand: the process comes up and ``/readyz`` says 503 until the database answers."""
        if self._pool is not None:
            return
        self._writer = PostgresGroupCommitWriter(self._connect_writer)
        try:
            self._pool = await self._create_pool(self.pool_min)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            _log.warning("PostgreSQL is unreachable (%s); connecting on demand", exc)
            self._pool = await self._create_pool(0)

    async def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except _CLOSE_ERRORS:
                pool.terminate()

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreUnavailable("the store is not open")
        return self._pool

    async def ping(self) -> None:
        pool = self._require_pool()
        try:
            async with asyncio.timeout(PING_TIMEOUT_S), self._gate:
                await pool.fetchval("SELECT 1 FROM schema_migrations LIMIT 1")
        except (asyncpg.PostgresError, TimeoutError) as exc:  # also: not migrated yet
            raise _unavailable(exc) from exc
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    async def migrate(self) -> list[str]:
        await self.open()
        pool = self._require_pool()
        try:
            async with pool.acquire() as conn:
                return await apply_migrations(conn, self.schema)
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    # --- the write path ------------------------------------------------------------------------

    async def write(self, work: Callable[[WriteTx], Awaitable[T]]) -> T:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit(work)

    async def write_sale(self, work: Callable[[WriteTx], Awaitable[SaleWork[T]]]) -> T:
        if self._writer is None:
            raise StoreUnavailable("the store is not open")
        return await self._writer.submit_sale(work)

    # --- reads -----------------------------------------------------------------------------------

    async def _fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        try:
            async with self._gate:
                return await self._require_pool().fetchrow(query, *args)
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    async def _with_conn(self, read: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            async with self._gate, self._require_pool().acquire() as conn:
                return await read(conn, *args)
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    async def _fetchval(self, query: str, *args: Any) -> Any:
        try:
            async with self._gate:
                return await self._require_pool().fetchval(query, *args)
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    async def _fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        try:
            async with self._gate:
                return await self._require_pool().fetch(query, *args)
        except Exception as exc:
            if is_unavailable(exc):
                raise _unavailable(exc) from exc
            raise

    async def find_login(self, account_id: str, user_name: str) -> Login | None:
        row = await self._fetchrow(_FIND_LOGIN, account_id, user_name)
        if row is None:
            return None
        user_pk, name, role, allowed, digest = row[6:]
        principal = Principal(account_from_row(row), user_pk, name, Role(role), allowed_set(allowed))
        return Login(principal, digest)

    async def get_campaign(self, account_pk: int, campaign_id: str) -> Campaign | None:
        row = await self._fetchrow(_GET_CAMPAIGN, account_pk, campaign_id)
        return None if row is None else campaign_from_row(row)

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        return bool(await self._fetchval(_ID_IN_USE, campaign_id))

    async def campaign_history(self, account_pk: int, campaign_id: str) -> list[AuditRecord]:
        return [audit_from_row(row) for row in await self._fetch(_CAMPAIGN_HISTORY, account_pk, campaign_id)]

    async def list_campaigns(self, account_pk: int, query: CampaignQuery) -> CampaignPage:
        return await self._with_conn(_campaign_reads.list_campaigns, account_pk, query)

    async def list_rewards(self, account_pk: int, campaign_id: str) -> list[Reward] | None:
        return await self._with_conn(_campaign_reads.list_rewards, account_pk, campaign_id)

    async def account_count(self) -> int:
        return int(await self._fetchval("SELECT count(*) FROM accounts"))

    async def get_account(self, account_id: str) -> Account | None:
        row = await self._fetchrow(_ACCOUNT_BY_ID, account_id)
        return None if row is None else account_from_row(row)

    # --- operator writes -------------------------------------------------------------------------

    async def add_account(
        self, account_id: str, name: str, currency: str, in_coalition: bool, in_two_tier: bool
    ) -> Account:
        async def work(tx: WriteTx) -> Account:
            pk = await _conn_of(tx).fetchval(
                "INSERT INTO accounts (account_id, name, currency, in_coalition, in_two_tier, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) RETURNING pk",
                account_id,
                name,
                currency,
                in_coalition,
                in_two_tier,
                utc_now(),
            )
            return Account(int(pk), account_id, name, currency, in_coalition, in_two_tier)

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

        async def work(tx: WriteTx) -> Principal:
            conn = _conn_of(tx)
            user_pk = await conn.fetchval(
                "INSERT INTO users (account_pk, user_name, role, allowed_campaigns, key_digest, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6) RETURNING pk",
                account_pk,
                user_name,
                role,
                allowed,
                key_digest,
                utc_now(),
            )
            account_row = await conn.fetchrow(_ACCOUNT_BY_PK, account_pk)
            assert account_row is not None
            return Principal(account_from_row(account_row), int(user_pk), user_name, Role(role), allowed_campaigns)

        return await self.write(work)

    async def add_campaign(self, account_pk: int, values: CampaignValues) -> Campaign:
        now = utc_now()
        columns: dict[str, object] = dict(values)
        columns.update(account_pk=account_pk, created_at=now, updated_at=now)
        names = list(columns)
        placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))

        async def work(tx: WriteTx) -> Campaign:
            row = await _conn_of(tx).fetchrow(
                f"INSERT INTO campaigns ({', '.join(names)}) VALUES ({placeholders}) RETURNING {CAMPAIGN_COLUMNS}",
                *(columns[name] for name in names),
            )
            assert row is not None
            return campaign_from_row(row)

        return await self.write(work)

    async def add_customer(self, account_pk: int, code: str, first_name: str, last_name: str) -> int:
        async def work(tx: WriteTx) -> int:
            pk = await _conn_of(tx).fetchval(
                "INSERT INTO customers (account_pk, code, first_name, last_name, created_at)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING pk",
                account_pk,
                code,
                first_name,
                last_name,
                utc_now(),
            )
            return int(pk)

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
            pk = await conn.fetchval(
                "INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents,"
                ' "authorization", service_product) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING pk',
                account_pk,
                campaign_pk,
                customer_pk,
                utc_now(),
                user_name,
                amount_cents,
                authorization,
                service_product,
            )
            await add_to_balance(conn, account_pk, campaign_pk, customer_pk, service_product, amount_cents, None)
            return int(pk)

        return await self.write(work)


_CLOSE_ERRORS: Final = (TimeoutError, OSError, asyncpg.InterfaceError, asyncpg.PostgresError)


def _conn_of(tx: WriteTx) -> Conn:
    assert isinstance(tx, PostgresWriteTx)
    return tx.conn


def _unavailable(exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(str(exc) or type(exc).__name__)
