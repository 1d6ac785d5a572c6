"""Promotions of points campaigns: statements, the list read and the write operations (``docs/value-over-time.md``).

A deleted promotion stays in its table, marked archived (``archived_at``, ``archived_by``): the sales that used it
keep pointing at it, and it is gone for every call.  Promotions have no foreign key to their campaign, like the
archive tables: a deleted campaign moves to the archive with its id and comes back with the same one, and its
promotions wait for it unseen (every read goes through a live campaign).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from loyalty_api.store.promotion_models import (
    PROMOTION_NUMBER_COLUMNS,
    PROMOTION_TEXT_COLUMNS,
    NewPromotion,
    Promotion,
    PromotionPage,
    PromotionQuery,
)
from loyalty_api.store.sql.campaign_list import ListBuilder, match_condition
from loyalty_api.store.sql.db import Db, ReadDb, Row
from loyalty_api.store.sql.dialect import Dialect

__all__ = ["PROMOTION_COLUMNS", "PromotionReads", "PromotionSql", "PromotionWrites", "promotion_from_row"]

PROMOTION_COLUMNS: Final = (
    "pk, campaign_pk, operation, amount, description, custom_id, start_date, end_date, created_at, updated_at,"
    " archived_at"
)
_UPDATE_COLUMNS: Final = frozenset({"operation", "amount", "description", "custom_id", "start_date", "end_date"})


class PromotionSql:
    """The promotions' statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        self.d = d
        q = d.sql
        self.for_update = q(
            f"SELECT {PROMOTION_COLUMNS} FROM promotions"
            f" WHERE pk = ? AND campaign_pk = ? AND archived_at IS NULL{d.for_update}"
        )
        self.in_account = q(
            f"SELECT {', '.join('p.' + c.strip() for c in PROMOTION_COLUMNS.split(','))} FROM promotions p"
            " JOIN campaigns c ON c.pk = p.campaign_pk WHERE p.pk = ? AND c.account_pk = ?"
        )
        self.count_live = q("SELECT count(*) FROM promotions WHERE campaign_pk = ? AND archived_at IS NULL")
        self.insert = q(
            "INSERT INTO promotions (campaign_pk, operation, amount, description, custom_id, start_date, end_date,"
            f" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {PROMOTION_COLUMNS}"
        )
        self.archive = q("UPDATE promotions SET archived_at = ?, archived_by = ? WHERE pk = ?")
        self._updates: dict[tuple[str, ...], str] = {}

    def update(self, names: tuple[str, ...]) -> str:
        text = self._updates.get(names)
        if text is None:
            assignments = ", ".join(f"{name} = ?" for name in names)
            text = self._updates[names] = self.d.sql(
                f"UPDATE promotions SET {assignments}, updated_at = ? WHERE pk = ?"
            )
        return text


def promotion_from_row(d: Dialect, row: Row) -> Promotion:
    pk, campaign_pk, operation, amount, description, custom_id, start_date, end_date, created, updated, archived = row
    value = d.decimal(amount)
    assert value is not None
    return Promotion(
        pk=int(pk),
        campaign_pk=int(campaign_pk),
        operation=str(operation),
        amount=value,
        description=str(description),
        custom_id=None if custom_id is None else str(custom_id),
        start_date=None if start_date is None else str(start_date),
        end_date=None if end_date is None else str(end_date),
        created_at=d.time(created),
        updated_at=d.time(updated),
        archived_at=None if archived is None else d.time(archived),
    )


class PromotionReads:
    """The promotions' reads of :class:`Store`."""

    __slots__ = ()
    _reads: ReadDb
    _promotion_sql: PromotionSql

    async def list_promotions(self, campaign_pk: int, query: PromotionQuery) -> PromotionPage:
        d = self._promotion_sql.d
        b = ListBuilder(d, PROMOTION_TEXT_COLUMNS, PROMOTION_NUMBER_COLUMNS)
        conditions = [f"campaign_pk = {b.bind(campaign_pk)}", "archived_at IS NULL"]
        if query.match is not None:
            conditions.append(match_condition(b, query.match))
        where = " AND ".join(conditions)
        order_by = _order_by(b, query)
        page = (d.no_limit if query.limit is None else query.limit, query.offset)
        count = d.sql(f"SELECT count(*) FROM promotions WHERE {where}")
        select = d.sql(f"SELECT {PROMOTION_COLUMNS} FROM promotions WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?")

        async def work(db: Db) -> PromotionPage:  # the total and the page from one snapshot
            total = await db.value(count, b.params)
            rows = await db.all(select, [*b.params, *page])
            return PromotionPage([promotion_from_row(d, row) for row in rows], int(total))

        return await self._reads.read(work)


def _order_by(b: ListBuilder, query: PromotionQuery) -> str:
    direction = "DESC" if query.descending else "ASC"
    sort = query.sort
    if sort is None:
        return f"pk {direction}"
    column = b.column(sort)
    if sort in PROMOTION_NUMBER_COLUMNS:
        return f"{b.number(column)} {direction}, pk ASC"
    # Missing texts (no custom id, no dates) sort as empty text.
    text = b.fold("coalesce(" + column + ", '')")
    return f"{text} {direction}, pk ASC"


class PromotionWrites:
    """The promotions' operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _promotion_sql: PromotionSql

    async def promotion_for_update(self, campaign_pk: int, promotion_pk: int) -> Promotion | None:
        sql = self._promotion_sql
        row = await self._db.one(sql.for_update, (promotion_pk, campaign_pk))
        return None if row is None else promotion_from_row(sql.d, row)

    async def promotion_in_account(self, account_pk: int, promotion_pk: int) -> Promotion | None:
        sql = self._promotion_sql
        row = await self._db.one(sql.in_account, (promotion_pk, account_pk))
        return None if row is None else promotion_from_row(sql.d, row)

    async def count_promotions(self, campaign_pk: int) -> int:
        return int(await self._db.value(self._promotion_sql.count_live, (campaign_pk,)))

    async def insert_promotion(self, campaign_pk: int, promotion: NewPromotion, at: datetime) -> Promotion:
        sql = self._promotion_sql
        d = sql.d
        stamp = d.at(at)
        row = await self._db.one(
            sql.insert,
            (
                campaign_pk,
                promotion.operation,
                d.value(promotion.amount),
                promotion.description,
                promotion.custom_id,
                promotion.start_date,
                promotion.end_date,
                stamp,
                stamp,
            ),
        )
        assert row is not None
        return promotion_from_row(d, row)

    async def update_promotion(self, promotion_pk: int, values: Mapping[str, object], at: datetime) -> None:
        unknown = set(values) - _UPDATE_COLUMNS
        if unknown:
            raise ValueError(f"not promotion columns: {sorted(unknown)}")
        names = tuple(sorted(values))
        sql = self._promotion_sql
        d = sql.d
        await self._db.run(sql.update(names), [*(d.value(values[name]) for name in names), d.at(at), promotion_pk])

    async def archive_promotion(self, promotion_pk: int, by: str, at: datetime) -> None:
        sql = self._promotion_sql
        await self._db.run(sql.archive, (sql.d.at(at), by, promotion_pk))
