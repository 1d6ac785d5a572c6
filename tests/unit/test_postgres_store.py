"""What is particular to the PostgreSQL store and needs no server: its URL, its schema names and pool sizes, and
the read pool's fair gate.  Against a running server: ``tests/system/test_postgres_store.py``."""

from __future__ import annotations

import asyncio

import pytest

from loyalty_api.config import Settings
from loyalty_api.store import create_store
from loyalty_api.store.postgres import PostgresStore
from loyalty_api.store.postgres._fair_gate import FairGate
from loyalty_api.store.postgres._url import parse_postgres_url


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_both_url_schemes_select_the_postgresql_store(scheme: str) -> None:
    store = create_store(Settings(database_url=f"{scheme}://app@db.example:5433/loyalty", postgres_pool_max=4))
    assert isinstance(store, PostgresStore)
    assert (store.schema, store.pool_min, store.pool_max) == (None, 2, 4)


def test_the_schema_option_is_ours_and_the_rest_goes_to_the_driver() -> None:
    parsed = parse_postgres_url("postgres://app:pw@db:5433/loyalty?schema=shop_2&sslmode=require")
    assert parsed.dsn == "postgresql://app:pw@db:5433/loyalty?sslmode=require"
    assert parsed.schema == "shop_2"
    assert parsed.server_settings == {"search_path": "shop_2", "application_name": "loyalty-api"}
    assert parse_postgres_url("postgresql://db/x?application_name=node7").server_settings == {}


@pytest.mark.parametrize("schema", ["", "Shop", "a-b", "x;drop", "1abc", "s" * 64])
def test_unsafe_schema_names_are_refused(schema: str) -> None:
    with pytest.raises(ValueError, match="schema"):
        PostgresStore(f"postgresql://db/x?schema={schema}")


@pytest.mark.parametrize(("pool_min", "pool_max"), [(0, 0), (5, 4)])
def test_impossible_pool_sizes_are_refused(pool_min: int, pool_max: int) -> None:
    with pytest.raises(ValueError, match="pool"):
        PostgresStore("postgresql://db/x", pool_min=pool_min, pool_max=pool_max)


def test_reads_take_the_pool_in_arrival_order() -> None:
    """The read pool's gate: a slot given back goes to the oldest waiter, not to a request arriving just then, and
    a cancelled waiter's turn passes to the next."""
    order: list[str] = []

    async def run() -> None:
        gate = FairGate(1)
        release = asyncio.Event()

        async def read(name: str, hold: asyncio.Event | None = None) -> None:
            async with gate:
                order.append(name)
                if hold is not None:
                    await hold.wait()

        first = asyncio.create_task(read("first", release))
        await asyncio.sleep(0)
        waiters = {name: asyncio.create_task(read(name)) for name in ("second", "cancelled", "third")}
        await asyncio.sleep(0)
        waiters["cancelled"].cancel()
        release.set()
        newcomer = asyncio.create_task(read("newcomer"))  # arrives as the slot is given back
        await asyncio.gather(first, newcomer, waiters["second"], waiters["third"])

    asyncio.run(run())
    assert order == ["first", "second", "third", "newcomer"]
