"""``--big``: a SQLite store with 1,000,000 campaigns and 1,000,000 ledger rows, built in seconds.

The store is first made the ordinary way (``loyalty-api db upgrade`` then ``loyalty-api demo``), so it has the
current schema and the demo world the suite's requests use.  The bulk rows are then inserted with Python's sqlite3
``executemany`` in large transactions, straight into the file, and their running balances (``ledger_balances``)
are then computed from them in one statement.  This is the one place where the benchmark suite
writes SQL itself: going through the API would take hours.  The columns are those of
``loyalty_api/store/sqlite/migrations/`` (accounts, customers, campaigns, ledger); ``tests/unit/test_bench.py``
builds a small store the same way on a freshly migrated database, so a schema change that breaks this fails the
tests.

The filler rows belong to filler accounts, so the demo account and its campaigns (what the requests touch) are
exactly as in the demo-sized store: any difference in throughput comes from the size of the tables and indexes.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.servers import REPO_ROOT, loyalty_api_command
from loyalty_api.store.sql.balances import ALL_BALANCES_FROM_LEDGER
from loyalty_api.store.sqlite._dialect import FOLD_FUNCTION, unicode_lower

__all__ = ["BigStore", "build_big_store", "fill_store", "prepare_demo_store"]

_ACCOUNTS: Final = 1000
_CUSTOMERS_PER_ACCOUNT: Final = 20
_BATCH: Final = 100_000
_CREATED: Final = "2020-01-01T00:00:00.000000Z"
_FIRST_ID: Final = 7_000_000_000_000_000
_TYPES: Final = ("points", "giftcard", "events", "earned", "buyx")


@dataclass(frozen=True, slots=True)
class BigStore:
    path: Path
    campaigns: int
    ledger_rows: int
    seconds: float


def prepare_demo_store(path: Path, env: dict[str, str]) -> None:
    """Migrations and the demo world, through the ``loyalty-api`` command (as an operator would)."""
    full_env = {**env, "LOYALTY_DATABASE_URL": f"sqlite:///{path}"}
    for args in (["db", "upgrade"], ["demo"]):
        done = subprocess.run(
            [*loyalty_api_command(), *args],
            cwd=REPO_ROOT,
            env={**os.environ, **full_env},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loyalty-api {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def build_big_store(path: Path, campaigns: int = 1_000_000, ledger_rows: int = 1_000_000) -> BigStore:
    """A demo store at ``path`` plus ``campaigns`` campaigns and ``ledger_rows`` ledger rows of filler accounts."""
    started = time.monotonic()
    prepare_demo_store(path, {})
    fill_store(path, campaigns, ledger_rows)
    return BigStore(path, campaigns, ledger_rows, time.monotonic() - started)


def fill_store(path: Path, campaigns: int, ledger_rows: int) -> None:
    """Insert the filler rows into a migrated store (bulk SQL; see the module's docstring)."""
    conn = sqlite3.connect(path, isolation_level=None)
    # The customers' search text is written by a trigger calling the store's fold function (migration 0010).
    conn.create_function(FOLD_FUNCTION, 1, unicode_lower, deterministic=True)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        accounts = min(_ACCOUNTS, max(1, campaigns))
        conn.execute("BEGIN")
        account_pks = _insert_accounts(conn, accounts)
        customer_pks = _insert_customers(conn, account_pks)
        conn.execute("COMMIT")
        for chunk in _chunks(_campaign_rows(account_pks, campaigns)):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO campaigns (account_pk, campaign_id, type, name, description, points_ratio,"
                " amount_per_event, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                chunk,
            )
            conn.execute("COMMIT")
        if ledger_rows and campaigns:
            first_campaign = _filler_campaign_pks(conn, campaigns)
            rows = _ledger_rows(first_campaign, campaigns, account_pks, customer_pks, ledger_rows)
            for chunk in _chunks(rows):
                conn.execute("BEGIN")
                conn.executemany(
                    "INSERT INTO ledger (account_pk, campaign_pk, customer_pk, at, user_name, amount_cents,"
                    " purchase_cents, authorization, service_product) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    chunk,
                )
                conn.execute("COMMIT")
            # The running balances of the bulk entries, by the rule the store uses (migration 0005).
            conn.execute("BEGIN")
            conn.execute("DELETE FROM ledger_balances")
            conn.execute(ALL_BALANCES_FROM_LEDGER)
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _insert_accounts(conn: sqlite3.Connection, count: int) -> list[int]:
    conn.executemany(
        "INSERT INTO accounts (account_id, name, currency, in_coalition, in_two_tier, created_at)"
        " VALUES (?, ?, 'USD', 0, 0, ?)",
        ((f"bench{n:04d}", f"Bench filler {n}", _CREATED) for n in range(count)),
    )
    rows = conn.execute("SELECT pk FROM accounts WHERE account_id LIKE 'bench%' ORDER BY pk").fetchall()
    return [int(row[0]) for row in rows]


def _insert_customers(conn: sqlite3.Connection, account_pks: list[int]) -> dict[int, list[int]]:
    conn.executemany(
        "INSERT INTO customers (account_pk, code, first_name, last_name, created_at) VALUES (?, ?, 'Bench', ?, ?)",
        (
            (account_pk, f"9{account_pk:07d}{n:08d}", f"Customer {n}", _CREATED)
            for account_pk in account_pks
            for n in range(_CUSTOMERS_PER_ACCOUNT)
        ),
    )
    customers: dict[int, list[int]] = {}
    for pk, account_pk in conn.execute("SELECT pk, account_pk FROM customers WHERE first_name = 'Bench'"):
        customers.setdefault(int(account_pk), []).append(int(pk))
    return customers


def _filler_campaign_pks(conn: sqlite3.Connection, count: int) -> int:
    """The pk of the first filler campaign; the others follow it without gaps (checked)."""
    first, last = (
        int(conn.execute("SELECT pk FROM campaigns WHERE campaign_id = ?", (str(_FIRST_ID + n),)).fetchone()[0])
        for n in (0, count - 1)
    )
    if last - first != count - 1:
        raise RuntimeError(f"the filler campaigns' pks are not contiguous ({first}..{last} for {count})")
    return first


def _campaign_rows(account_pks: list[int], count: int) -> Iterator[tuple[object, ...]]:
    for n in range(count):
        type_ = _TYPES[n % len(_TYPES)]
        yield (
            account_pks[n % len(account_pks)],
            str(_FIRST_ID + n),
            type_,
            f"Filler campaign {n}",
            "Made by bench --big",
            "100" if type_ == "points" else None,
            "1.50" if type_ == "earned" else None,
            _CREATED,
            _CREATED,
        )


def _ledger_rows(
    first_campaign: int, campaigns: int, account_pks: list[int], customers: dict[int, list[int]], count: int
) -> Iterator[tuple[object, ...]]:
    # Campaign n (0-based) has pk first_campaign + n and belongs to account_pks[n % len(account_pks)].
    for n in range(count):
        campaign_n = (n * 7919) % campaigns
        account_pk = account_pks[campaign_n % len(account_pks)]
        account_customers = customers[account_pk]
        yield (
            account_pk,
            first_campaign + campaign_n,
            account_customers[n % len(account_customers)],
            _CREATED,
            "benchAPI",
            100 + n % 5000,
            1000 + n % 9000,
            f"bench-{n}",
            "",
        )


def _chunks(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
