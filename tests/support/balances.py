"""The running balances seen from a test: the store's own consistency check, plain SQL on the test database (to
read the rows, to take a database back to before migration 0005, or to damage a balance that ``db check`` must
then report), and a history of every kind of ledger entry to start from."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Final

import asyncpg
from starlette.testclient import TestClient

from loyalty_api.config import Settings
from loyalty_api.store import create_store
from loyalty_api.store.ledger_models import BalanceMismatch
from loyalty_api.store.postgres._url import parse_postgres_url
from loyalty_api.store.sqlite.store import sqlite_path
from tests.support.campaigns import add_item
from tests.support.demo import BUYX, POINTS
from tests.support.ledger import delete_entry, send

__all__ = ["JANES_BALANCES", "balance_mismatches", "fill_ledger", "run_sql"]

# Jane's running balances: (campaign id, item or "", balance_cents, cumulative_cents), in order.
JANES_BALANCES: Final = (
    "SELECT c.campaign_id, b.service_product, b.balance_cents, b.cumulative_cents FROM ledger_balances b"
    " JOIN campaigns c ON c.pk = b.campaign_pk JOIN customers u ON u.pk = b.customer_pk"
    " WHERE u.code = '8000000000000001' ORDER BY 1, 2"
)


def fill_ledger(client: TestClient) -> tuple[str, str]:
    """Sales, a redemption, reversals of both, two buyx items: the entries of Jane that tests of the running
    balances start from.  The ids of the two items."""
    send(client, "record_activity", POINTS, amount="10")  # 1000 points
    sale = send(client, "record_activity", POINTS, amount="5")  # 500 points, deleted below
    delete_entry(client, POINTS, sale)
    send(client, "redeem", POINTS, custom_points_redeem="300")
    refund = send(client, "redeem", POINTS, custom_points_redeem="100")  # deleted below: the points come back
    delete_entry(client, POINTS, refund)
    first, second = add_item(client, "3", "Widget"), add_item(client, "5", "Gadget")
    send(client, "record_activity", BUYX, service_product=first, buyx_quantity="4")
    send(client, "record_activity", BUYX, service_product=second, buyx_quantity="2")
    send(client, "redeem", BUYX, reward_to_redeem=first)
    return first, second


def balance_mismatches(settings: Settings) -> list[BalanceMismatch]:
    """``Store.balance_mismatches()`` of the test database (a store opened for the question, then closed)."""

    async def ask() -> list[BalanceMismatch]:
        store = create_store(settings)
        await store.open()
        try:
            return await store.balance_mismatches()
        finally:
            await store.close()

    return asyncio.run(ask())


def run_sql(settings: Settings, *statements: str) -> list[tuple[object, ...]]:
    """Run ``statements`` (no parameters) in one transaction on the test database; the rows of the last one."""
    url = settings.database_url
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                rows = [tuple(row) for row in conn.execute(statement).fetchall()]
            conn.execute("COMMIT")
            return rows
        finally:
            conn.close()
    return asyncio.run(_run_postgres(url, statements))


async def _run_postgres(url: str, statements: tuple[str, ...]) -> list[tuple[object, ...]]:
    parsed = parse_postgres_url(url)
    conn = await asyncpg.connect(parsed.dsn, server_settings=parsed.server_settings)
    try:
        rows: list[tuple[object, ...]] = []
        async with conn.transaction():
            for statement in statements:
                rows = [tuple(row) for row in await conn.fetch(statement)]
        return rows
    finally:
        await conn.close()
