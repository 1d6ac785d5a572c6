"""What is particular to the PostgreSQL store, against a running server: concurrent migrations, exact values,
deadlock retries, batches meeting other processes' locks, broken connections, and errors when the server is not
there.  (Its parts that need no server are in ``tests/unit/test_postgres_store.py``; everything else runs on both
stores through the HTTP surface.)"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from loyalty_api.config import Settings
from loyalty_api.demo import load_demo
from loyalty_api.store import Store, StoreUnavailable, WriteTx, create_store
from loyalty_api.store._migrations import load_migrations
from loyalty_api.store.interface import SaleWork
from loyalty_api.store.ledger_models import NewSale
from loyalty_api.store.models import Account
from loyalty_api.store.postgres import PostgresStore
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.postgres._writer import WRITE_ATTEMPTS
from tests.support.backends import backend_settings, postgres_url
from tests.support.live_server import free_port


def test_nodes_migrating_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    """Five stores (as five nodes starting together) migrate one fresh schema at the same moment."""
    settings = backend_settings("postgres", tmp_path)

    async def run() -> tuple[list[list[str]], list[tuple[int, str]]]:
        stores = [create_store(settings) for _ in range(5)]
        try:
            for store in stores:
                await store.open()
            results = await asyncio.gather(*(store.migrate() for store in stores))
        finally:
            for store in stores:
                await store.close()
        conn = await asyncpg.connect(parse_postgres_url(settings.database_url).dsn)
        try:
            rows = await conn.fetch(f"SELECT version, name FROM {_schema(settings)}.schema_migrations ORDER BY 1")
        finally:
            await conn.close()
        return results, [(row[0], row[1]) for row in rows]

    results, recorded = asyncio.run(run())
    expected = [f"{m.version:04d}_{m.name}" for m in load_migrations("loyalty_api.store.postgres.migrations")]
    assert sorted(results, key=len) == [[]] * 4 + [expected]
    assert [f"{version:04d}_{name}" for version, name in recorded] == expected


def test_decimals_and_times_come_back_exactly(tmp_path: Path) -> None:
    settings = backend_settings("postgres", tmp_path)

    async def run() -> None:
        store = create_store(settings)
        await store.open()
        try:
            await store.migrate()
            account = await store.add_account("exact", "Exact Ltd", "EUR", False, True)
            values = {"campaign_id": "E1", "type": "points", "name": "Exact", "points_ratio": Decimal("0.0001")}
            created = await store.add_campaign(account.pk, {**values, "reward_ratio": Decimal("123456789012.3456")})
            found = await store.get_campaign(account.pk, "E1")
            assert found is not None and found == created
            assert found.points_ratio is not None and str(found.points_ratio) == "0.0001"
            assert str(found.reward_ratio) == "123456789012.3456"
            assert found.created_at.tzinfo is not None and found.created_at.utcoffset() == UTC.utcoffset(None)
            assert (found.coalition_opt_out, found.active) == (False, True)
            assert await store.campaign_id_in_use("E1") and not await store.campaign_id_in_use("E2")
            assert await store.get_account("exact") == account
        finally:
            await store.close()

    asyncio.run(run())


def test_a_deadlock_victim_is_run_again(tmp_path: Path) -> None:
    """Two stores (as two processes would have: a group-commit writer each, on its own connection) lock two
    campaigns in opposite orders: PostgreSQL aborts one job, its writer rolls back to the job's savepoint and runs
    it again in its next batch, and both apply.  How often a victim runs again depends on timing (a loaded machine
    has seen it meet a deadlock twice): at least once, and never more than WRITE_ATTEMPTS in all."""
    settings = backend_settings("postgres", tmp_path)
    attempts = {"first": 0, "second": 0}

    async def run() -> tuple[list[str], list[str | None]]:
        first_store, second_store = create_store(settings), create_store(settings)
        await first_store.open()
        await second_store.open()
        try:
            await first_store.migrate()
            await load_demo(first_store)
            account = await first_store.get_account("greatwidgets")
            assert account is not None
            both_locked_one = asyncio.Barrier(2)

            def crossing(name: str, first: str, second: str) -> Callable[[WriteTx], Awaitable[str]]:
                async def work(tx: WriteTx) -> str:
                    attempts[name] += 1
                    await tx.campaign_for_update(account.pk, first)
                    if attempts[name] == 1:
                        await both_locked_one.wait()
                    other = await tx.campaign_for_update(account.pk, second)
                    assert other is not None
                    await tx.update_campaign(other.pk, {"description": f"by {name}"}, other.updated_at)
                    return name

                return work

            results = await asyncio.gather(
                first_store.write(crossing("first", "1234567890123450", "1234567890123451")),
                second_store.write(crossing("second", "1234567890123451", "1234567890123450")),
            )
            stored = [await first_store.get_campaign(account.pk, c) for c in ("1234567890123450", "1234567890123451")]
            return list(results), [None if campaign is None else campaign.description for campaign in stored]
        finally:
            await first_store.close()
            await second_store.close()

    results, descriptions = asyncio.run(asyncio.wait_for(run(), timeout=60))
    assert results == ["first", "second"]
    assert descriptions == ["by second", "by first"]  # both applied, each to the campaign it locked second
    assert max(attempts.values()) >= 2, f"no job was a deadlock victim run again: {attempts}"
    assert all(1 <= count <= WRITE_ATTEMPTS for count in attempts.values()), attempts


def test_an_unreachable_server_means_store_unavailable() -> None:
    async def run() -> None:
        store = create_store(Settings(database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/x"))
        await store.open()  # starts anyway (the process must come up and say it is not ready)
        try:
            with pytest.raises(StoreUnavailable):
                await store.ping()
            with pytest.raises(StoreUnavailable):
                await store.find_login("greatwidgets", "john1970")
            with pytest.raises(StoreUnavailable):
                await store.migrate()
            with pytest.raises(StoreUnavailable):
                await store.add_account("a", "A", "USD", False, False)
        finally:
            await store.close()
        with pytest.raises(StoreUnavailable, match="not open"):
            await store.ping()

    asyncio.run(run())


def test_a_missing_database_means_store_unavailable() -> None:
    url = parse_postgres_url(postgres_url()).dsn.rsplit("/", 1)[0] + "/lt_no_such_database"

    async def run() -> None:
        async with PostgresStore(url) as store:
            with pytest.raises(StoreUnavailable):
                await store.migrate()

    asyncio.run(run())


def _schema(settings: Settings) -> str:
    schema = parse_postgres_url(settings.database_url).schema
    assert schema is not None
    return schema


def test_a_batch_does_not_wait_for_a_lock_while_holding_others(tmp_path: Path) -> None:
    """Another process holds one campaign's row lock.  A batch of three updates (the held campaign second) commits
    the first update at once instead of waiting with its lock held: the job that would wait ends the batch and
    leads the next one, where it waits holding nothing else; it and the third apply once the lock is released."""
    settings = backend_settings("postgres", tmp_path)
    first, held, third = "1234567890123450", "1234567890123451", "1234567890123453"

    async def run() -> None:
        async with _holder_and_store(settings) as (holder, store, account):
            locked, release = asyncio.Event(), asyncio.Event()

            async def hold(tx: WriteTx) -> None:
                assert await tx.campaign_for_update(account.pk, held) is not None
                locked.set()
                await release.wait()

            def describe(campaign_id: str) -> Callable[[WriteTx], Awaitable[None]]:
                async def work(tx: WriteTx) -> None:
                    campaign = await tx.campaign_for_update(account.pk, campaign_id)
                    assert campaign is not None
                    await tx.update_campaign(campaign.pk, {"description": "batched"}, campaign.updated_at)

                return work

            holding = asyncio.create_task(holder.write(hold))
            await asyncio.wait_for(locked.wait(), timeout=10)
            writes = [asyncio.create_task(store.write(describe(c))) for c in (first, held, third)]
            await asyncio.wait_for(asyncio.shield(writes[0]), timeout=10)
            assert not writes[1].done() and not writes[2].done()
            seen = await holder.get_campaign(account.pk, first)
            assert seen is not None and seen.description == "batched"
            release.set()
            await asyncio.wait_for(asyncio.gather(holding, *writes), timeout=10)
            for campaign_id in (held, third):
                seen = await holder.get_campaign(account.pk, campaign_id)
                assert seen is not None and seen.description == "batched"

    asyncio.run(run())


def test_a_broken_writer_connection_fails_its_batch_and_the_next_batch_reconnects(tmp_path: Path) -> None:
    """The writer's connection dies while a batch of two updates is open: neither is acknowledged nor kept (both
    fail with StoreUnavailable), and the next write connects afresh and applies."""
    base = backend_settings("postgres", tmp_path)
    application_name = f"lt_writer_{os.getpid()}_{id(tmp_path)}"
    settings = dataclasses.replace(base, database_url=f"{base.database_url}&application_name={application_name}")
    first, second = "1234567890123450", "1234567890123451"

    async def run() -> None:
        store = create_store(settings)
        await store.open()
        try:
            await store.migrate()
            await load_demo(store)
            account = await store.get_account("greatwidgets")
            assert account is not None
            inside, go_on = asyncio.Event(), asyncio.Event()

            def describe(campaign_id: str, text: str, *, pause: bool = False) -> Callable[[WriteTx], Awaitable[str]]:
                async def work(tx: WriteTx) -> str:
                    campaign = await tx.campaign_for_update(account.pk, campaign_id)
                    assert campaign is not None
                    await tx.update_campaign(campaign.pk, {"description": text}, campaign.updated_at)
                    if pause:
                        inside.set()
                        await go_on.wait()
                    return text

                return work

            writes = [
                asyncio.create_task(store.write(describe(first, "lost"))),
                asyncio.create_task(store.write(describe(second, "lost", pause=True))),
            ]
            await asyncio.wait_for(inside.wait(), timeout=10)
            admin = await asyncpg.connect(parse_postgres_url(settings.database_url).dsn)
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = $1 AND state = 'idle in transaction'",
                    application_name,
                )
            finally:
                await admin.close()
            assert killed == 1
            go_on.set()
            outcomes = await asyncio.wait_for(asyncio.gather(*writes, return_exceptions=True), timeout=10)
            assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes), outcomes
            for campaign_id in (first, second):
                seen = await store.get_campaign(account.pk, campaign_id)
                assert seen is not None and seen.description != "lost"
            assert await store.write(describe(second, "kept")) == "kept"
            seen = await store.get_campaign(account.pk, second)
            assert seen is not None and seen.description == "kept"
        finally:
            await store.close()

    asyncio.run(run())


def test_a_batch_of_sales_does_not_wait_for_a_lock_while_holding_others(tmp_path: Path) -> None:
    """As above for sales, which the writer appends together: another process holds customer B's row.  In a batch
    of three sales (Jane, B, Jane), the first commits at once (the function that appends it sets the short lock
    waits for the rest of the batch); B's waits in a batch of its own, and the third follows once B is released."""
    settings = backend_settings("postgres", tmp_path)
    jane, other, campaign_id = "8000000000000001", "8000000000000099", "1234567890123455"

    async def run() -> None:
        async with _holder_and_store(settings) as (holder, store, account):
            account_pk = account.pk

            async def add_other(tx: WriteTx) -> None:
                values = {"code": other, "first_name": "Bo", "last_name": "Bee"}
                await tx.insert_customer(account_pk, values, datetime.now(UTC))

            await holder.write(add_other)
            locked, release = asyncio.Event(), asyncio.Event()

            async def hold(tx: WriteTx) -> None:
                assert await tx.customer_for_update(account_pk, "code", other) is not None
                locked.set()
                await release.wait()

            def sell(code: str) -> Callable[[WriteTx], Awaitable[SaleWork[int]]]:
                async def read(tx: WriteTx) -> SaleWork[int]:
                    campaign = await tx.campaign_for_entries(account_pk, campaign_id)
                    assert campaign is not None
                    sale = NewSale(
                        account_pk, "code", code, campaign.pk, "test", datetime.now(UTC), 100, None, "", "", {}
                    )
                    return sale, lambda recorded: 0 if recorded is None else recorded.entry.pk

                return read

            holding = asyncio.create_task(holder.write(hold))
            await asyncio.wait_for(locked.wait(), timeout=10)
            sales = [asyncio.create_task(store.write_sale(sell(code))) for code in (jane, other, jane)]
            try:
                first = await asyncio.wait_for(asyncio.shield(sales[0]), timeout=10)
                assert first > 0
                assert not sales[1].done() and not sales[2].done()
            finally:
                release.set()  # also when the first sale waited (the bug this test is for): the stores can close
            await asyncio.wait_for(asyncio.gather(holding, *sales), timeout=10)
            assert first < sales[1].result() < sales[2].result()

    asyncio.run(run())


@contextlib.asynccontextmanager
async def _holder_and_store(settings: Settings) -> AsyncIterator[tuple[Store, Store, Account]]:
    """Two stores on one fresh schema with the demo (two server processes): one to hold locks, one to write."""
    holder, store = create_store(settings), create_store(settings)
    await holder.open()
    await store.open()
    try:
        await holder.migrate()
        await load_demo(holder)
        account = await holder.get_account("greatwidgets")
        assert account is not None
        yield holder, store, account
    finally:
        await holder.close()
        await store.close()
