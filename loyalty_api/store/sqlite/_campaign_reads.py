"""Reads of the campaign family on the SQLite read connection: campaign lists and rewards."""

from __future__ import annotations

import sqlite3
from typing import Final

from loyalty_api.store._campaign_list_sql import ListDialect, campaign_list_sql
from loyalty_api.store.models import CampaignPage, CampaignQuery, Reward
from loyalty_api.store.sqlite._reward_rows import REWARD_COLUMNS, reward_from_row
from loyalty_api.store.sqlite._rows import CAMPAIGN_COLUMNS, campaign_from_row

__all__ = ["FOLD_FUNCTION", "list_campaigns", "list_rewards", "unicode_lower"]

# SQLite's own lower() folds ASCII only; this one, registered on every connection, folds all of Unicode.
FOLD_FUNCTION: Final = "unicode_lower"

_DIALECT: Final = ListDialect(
    placeholder=lambda _n: "?",
    fold=FOLD_FUNCTION,
    number="CAST({} AS REAL)",
    created_stamp="replace(substr(created_at, 1, 19), 'T', ' ')",
    flag=int,
)


def unicode_lower(value: object) -> str | bytes | int | float | None:
    if isinstance(value, str):
        return value.lower()
    if value is None or isinstance(value, bytes | int | float):
        return value
    return str(value)


def list_campaigns(conn: sqlite3.Connection, account_pk: int, query: CampaignQuery) -> CampaignPage:
    sql = campaign_list_sql(account_pk, query, _DIALECT)
    page = [-1 if query.limit is None else query.limit, query.offset]
    # One read transaction: the total and the page come from the same snapshot.
    conn.execute("BEGIN")
    try:
        total = int(conn.execute(f"SELECT count(*) FROM campaigns WHERE {sql.where}", sql.params).fetchone()[0])
        rows = conn.execute(
            f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE {sql.where} ORDER BY {sql.order_by} LIMIT ? OFFSET ?",
            [*sql.params, *page],
        ).fetchall()
    finally:
        conn.execute("COMMIT")
    return CampaignPage([campaign_from_row(row) for row in rows], total)


def list_rewards(conn: sqlite3.Connection, account_pk: int, campaign_id: str) -> list[Reward] | None:
    columns = ", ".join(f"r.{name.strip()}" for name in REWARD_COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT c.pk, {columns} FROM campaigns c LEFT JOIN rewards r ON r.campaign_pk = c.pk"
        " WHERE c.account_pk = ? AND c.campaign_id = ? ORDER BY r.level, r.pk",
        (account_pk, campaign_id),
    ).fetchall()
    if not rows:
        return None
    return [reward_from_row(row[1:]) for row in rows if row[1] is not None]
