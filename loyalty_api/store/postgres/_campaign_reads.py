"""Reads of the campaign family (PostgreSQL): campaign lists and rewards."""

from __future__ import annotations

from typing import Final

from loyalty_api.store._campaign_list_sql import ListDialect, campaign_list_sql
from loyalty_api.store.models import CampaignPage, CampaignQuery, Reward
from loyalty_api.store.postgres._rows import CAMPAIGN_COLUMNS, REWARD_COLUMNS, Conn, campaign_from_row, reward_from_row

__all__ = ["list_campaigns", "list_rewards"]

# lower() folds all of Unicode in a database whose LC_CTYPE is a UTF-8 locale (C.UTF-8, en_US.UTF-8, ...), which
# docs/postgres.md asks for.  Numbers compare as numeric: exact, like the stored values.
_DIALECT: Final = ListDialect(
    placeholder=lambda n: f"${n}",
    fold="lower",
    number="CAST({} AS numeric)",
    created_stamp="to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')",
    flag=bool,
    number_text="CAST({} AS text)",  # the stored decimal text: numeric keeps the scale it was given ("100.50")
)
_REWARD_COLUMNS_OF_R: Final = ", ".join(f"r.{name.strip()}" for name in REWARD_COLUMNS.split(","))


async def list_campaigns(conn: Conn, account_pk: int, query: CampaignQuery) -> CampaignPage:
    sql = campaign_list_sql(account_pk, query, _DIALECT)
    n = len(sql.params)
    # One snapshot for the total and the page.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        total = await conn.fetchval(f"SELECT count(*) FROM campaigns WHERE {sql.where}", *sql.params)
        rows = await conn.fetch(
            f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE {sql.where} ORDER BY {sql.order_by}"
            f" LIMIT ${n + 1} OFFSET ${n + 2}",
            *sql.params,
            query.limit,  # NULL: no limit
            query.offset,
        )
    return CampaignPage([campaign_from_row(row) for row in rows], int(total))


async def list_rewards(conn: Conn, account_pk: int, campaign_id: str) -> list[Reward] | None:
    rows = await conn.fetch(
        f"SELECT c.pk AS campaign_found, {_REWARD_COLUMNS_OF_R} FROM campaigns c"
        " LEFT JOIN rewards r ON r.campaign_pk = c.pk"
        " WHERE c.account_pk = $1 AND c.campaign_id = $2 ORDER BY r.level, r.pk",
        account_pk,
        campaign_id,
    )
    if not rows:
        return None
    return [reward_from_row(row) for row in rows if row["pk"] is not None]
