"""Campaigns, their rewards and buyx items (rows of the rewards table): statements, reads and write operations.

Inside a write transaction the campaign rows it has read are kept (:data:`CampaignRows`), so a hot campaign is read
once per batch of the group-commit writer: the row is locked for the transaction (``FOR UPDATE`` / ``FOR SHARE`` on
PostgreSQL; SQLite's transaction write-locks the whole database), so nobody else can change it meanwhile, and the
operations here that change a campaign row keep the entry up to date or drop them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, TypeAlias

from loyalty_api.store.interface import NEW_CAMPAIGN_COLUMNS, UPDATABLE_CAMPAIGN_COLUMNS, CampaignValues, RewardValues
from loyalty_api.store.models import AuditRecord, Campaign, CampaignPage, CampaignQuery, NewAudit, Reward
from loyalty_api.store.sql.campaign_list import campaign_list_sql
from loyalty_api.store.sql.db import Db, ReadDb
from loyalty_api.store.sql.dialect import Dialect
from loyalty_api.store.sql.rows import (
    CAMPAIGN_COLUMNS,
    REWARD_COLUMNS,
    audit_columns,
    audit_from_row,
    campaign_from_row,
    changes_to_json,
    columns_of,
    reward_from_row,
)

__all__ = ["CAMPAIGN_ID_LOCK", "CampaignReads", "CampaignRows", "CampaignSql", "CampaignWrites"]

# The campaign rows a write transaction has read, as they now are, by (account pk, campaign id), each with whether
# its lock is exclusive (FOR UPDATE, or an UPDATE) or shared (FOR SHARE).
CampaignRows: TypeAlias = dict[tuple[int, str], tuple[Campaign, bool]]

#: The seed of the lock on a campaign id (:meth:`Db.lock`): creating or restoring a campaign of that id.
CAMPAIGN_ID_LOCK: Final = 7
_REWARD_UPDATE_COLUMNS: Final = frozenset({"level", "description", "identifier"})


class CampaignSql:
    """The campaign family's statements in one dialect."""

    def __init__(self, d: Dialect) -> None:
        self.d = d
        q = d.sql
        by_id = f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = ? AND campaign_id = ?"
        self.by_id = q(by_id)
        self.by_id_for_update = q(by_id + d.for_update)
        self.by_id_for_share = q(by_id + d.for_share)
        self.id_in_use = q(
            "SELECT 1 FROM campaigns WHERE campaign_id = ?"
            " UNION ALL SELECT 1 FROM campaigns_archive WHERE campaign_id = ? LIMIT 1"
        )
        self.history = q(
            f"SELECT {audit_columns(d)} FROM audit au JOIN accounts a ON a.pk = au.account_pk"
            " WHERE au.account_pk = ? AND au.campaign_id = ? ORDER BY au.pk"
        )
        self.has_value_entries = q("SELECT 1 FROM ledger WHERE campaign_pk = ? AND amount_cents <> 0 LIMIT 1")
        self.rewards = q(
            f"SELECT c.pk, {columns_of('r', REWARD_COLUMNS)} FROM campaigns c"
            " LEFT JOIN rewards r ON r.campaign_pk = c.pk"
            " WHERE c.account_pk = ? AND c.campaign_id = ? ORDER BY r.level, r.pk"
        )
        self.reward_for_update = q(
            f"SELECT {REWARD_COLUMNS} FROM rewards WHERE pk = ? AND campaign_pk = ?{d.for_update}"
        )
        self.item_by_identifier = q(
            f"SELECT {REWARD_COLUMNS} FROM rewards WHERE campaign_pk = ? AND identifier = ?"
            f" ORDER BY pk LIMIT 1{d.for_update}"
        )
        self.insert_reward = q(
            "INSERT INTO rewards (campaign_pk, level, description, identifier, created_at, updated_at)"
            f" VALUES (?, ?, ?, ?, ?, ?) RETURNING {REWARD_COLUMNS}"
        )
        self.insert_audit = q(
            "INSERT INTO audit (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, {d.json_value.format('?')})"
        )
        self._updates: dict[tuple[str, tuple[str, ...]], str] = {}

    def update(self, table: str, names: Sequence[str]) -> str:
        """``UPDATE`` of the named columns and ``updated_at`` of one row by pk (parameters: the values, the time,
        the pk); a campaign's answers the row where the dialect's ``update_returns``.  One text per set of columns (a
        prepared statement each)."""
        key = (table, tuple(names))
        text = self._updates.get(key)
        if text is None:
            assignments = ", ".join(f"{name} = ?" for name in names)
            returning = f" RETURNING {CAMPAIGN_COLUMNS}" if table == "campaigns" and self.d.update_returns else ""
            text = self._updates[key] = self.d.sql(
                f"UPDATE {table} SET {assignments}, updated_at = ? WHERE pk = ?{returning}"
            )
        return text

    def insert_campaign(self, names: Sequence[str]) -> str:
        marks = ", ".join("?" for _ in names)
        return self.d.sql(
            f"INSERT INTO campaigns (account_pk, {', '.join(names)}, created_at, updated_at)"
            f" VALUES (?, {marks}, ?, ?) RETURNING {CAMPAIGN_COLUMNS}"
        )


class CampaignReads:
    """The campaign family's reads of :class:`Store`."""

    __slots__ = ()
    _reads: ReadDb
    _campaign_sql: CampaignSql

    async def get_campaign(self, account_pk: int, campaign_id: str) -> Campaign | None:
        sql = self._campaign_sql
        row = await self._reads.one(sql.by_id, (account_pk, campaign_id))
        return None if row is None else campaign_from_row(sql.d, row)

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        return await self._reads.one(self._campaign_sql.id_in_use, (campaign_id, campaign_id)) is not None

    async def campaign_history(self, account_pk: int, campaign_id: str) -> list[AuditRecord]:
        sql = self._campaign_sql
        rows = await self._reads.all(sql.history, (account_pk, campaign_id))
        return [audit_from_row(sql.d, row) for row in rows]

    async def list_campaigns(self, account_pk: int, query: CampaignQuery) -> CampaignPage:
        d = self._campaign_sql.d
        where = campaign_list_sql(account_pk, query, d)
        page = (d.no_limit if query.limit is None else query.limit, query.offset)
        count = d.sql(f"SELECT count(*) FROM campaigns WHERE {where.where}")
        select = d.sql(
            f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE {where.where} ORDER BY {where.order_by} LIMIT ? OFFSET ?"
        )

        async def work(db: Db) -> CampaignPage:  # the total and the page from one snapshot
            total = await db.value(count, where.params)
            rows = await db.all(select, [*where.params, *page])
            return CampaignPage([campaign_from_row(d, row) for row in rows], int(total))

        return await self._reads.read(work)

    async def list_rewards(self, account_pk: int, campaign_id: str) -> list[Reward] | None:
        sql = self._campaign_sql
        rows = await self._reads.all(sql.rewards, (account_pk, campaign_id))
        if not rows:
            return None
        return [reward_from_row(sql.d, row[1:]) for row in rows if row[1] is not None]


class CampaignWrites:
    """The campaign family's operations of :class:`WriteTx`."""

    __slots__ = ()
    _db: Db
    _campaign_sql: CampaignSql
    _campaigns: CampaignRows

    async def campaign_for_update(self, account_pk: int, campaign_id: str) -> Campaign | None:
        # The row lock is held until COMMIT: concurrent updates of this campaign queue behind it and then read the
        # row as this transaction left it (no lost update, no read-modify-write race).
        return await self._locked_campaign(account_pk, campaign_id, exclusive=True)

    async def campaign_for_entries(self, account_pk: int, campaign_id: str) -> Campaign | None:
        return await self._locked_campaign(account_pk, campaign_id, exclusive=False)

    async def _locked_campaign(self, account_pk: int, campaign_id: str, *, exclusive: bool) -> Campaign | None:
        key = (account_pk, campaign_id)
        kept = self._campaigns.get(key)
        if kept is not None and (kept[1] or not exclusive):  # a shared lock does not stand for an exclusive one
            return kept[0]
        sql = self._campaign_sql
        row = await self._db.one(sql.by_id_for_update if exclusive else sql.by_id_for_share, key)
        if row is None:
            return None
        campaign = campaign_from_row(sql.d, row)
        # Where the dialect locks no rows, the transaction holds the whole database: as good as exclusive.
        self._campaigns[key] = (campaign, exclusive or not sql.d.for_share)
        return campaign

    async def campaign_has_value_entries(self, campaign_pk: int) -> bool:
        return await self._db.one(self._campaign_sql.has_value_entries, (campaign_pk,)) is not None

    async def update_campaign(self, campaign_pk: int, values: CampaignValues, at: datetime) -> None:
        unknown = set(values) - UPDATABLE_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        names = sorted(values)
        sql = self._campaign_sql
        d = sql.d
        params = [*(d.value(values[name]) for name in names), d.at(at), campaign_pk]
        if not d.update_returns:  # the row is read again when a later job of the batch asks for it
            await self._db.run(sql.update("campaigns", names), params)
            for key, (kept, _) in list(self._campaigns.items()):
                if kept.pk == campaign_pk:
                    del self._campaigns[key]
            return
        row = await self._db.one(sql.update("campaigns", names), params)
        if row is not None:
            campaign = campaign_from_row(d, row)
            self._campaigns[(campaign.account_pk, campaign.campaign_id)] = (campaign, True)

    async def append_audit(self, entry: NewAudit) -> None:
        sql = self._campaign_sql
        d = sql.d
        await self._db.run(
            sql.insert_audit,
            (
                d.at(entry.at),
                entry.account_pk,
                entry.user_name,
                entry.entity,
                entry.entity_id,
                entry.campaign_id,
                entry.action,
                changes_to_json(entry.changes),
            ),
        )

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        # The id's lock, held to the end of the transaction, keeps a concurrent creator of the same id waiting until
        # this one has committed its row (and then it sees that row).
        await self._db.lock(CAMPAIGN_ID_LOCK, campaign_id)
        return await self._db.one(self._campaign_sql.id_in_use, (campaign_id, campaign_id)) is not None

    async def insert_campaign(self, account_pk: int, values: CampaignValues, at: datetime) -> Campaign:
        unknown = set(values) - NEW_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        self._campaigns.clear()
        names = sorted(values)
        sql = self._campaign_sql
        d = sql.d
        stamp = d.at(at)
        row = await self._db.one(
            sql.insert_campaign(names), [account_pk, *(d.value(values[name]) for name in names), stamp, stamp]
        )
        assert row is not None
        return campaign_from_row(d, row)

    async def reward_for_update(self, campaign_pk: int, reward_pk: int) -> Reward | None:
        sql = self._campaign_sql
        row = await self._db.one(sql.reward_for_update, (reward_pk, campaign_pk))
        return None if row is None else reward_from_row(sql.d, row)

    async def item_by_identifier(self, campaign_pk: int, identifier: str) -> Reward | None:
        sql = self._campaign_sql
        row = await self._db.one(sql.item_by_identifier, (campaign_pk, identifier))
        return None if row is None else reward_from_row(sql.d, row)

    async def insert_reward(
        self, campaign_pk: int, level: int, description: str, identifier: str | None, at: datetime
    ) -> Reward:
        sql = self._campaign_sql
        stamp = sql.d.at(at)
        row = await self._db.one(sql.insert_reward, (campaign_pk, level, description, identifier, stamp, stamp))
        assert row is not None
        return reward_from_row(sql.d, row)

    async def update_reward(self, reward_pk: int, values: RewardValues, at: datetime) -> None:
        unknown = set(values) - _REWARD_UPDATE_COLUMNS
        if unknown:
            raise ValueError(f"not reward columns: {sorted(unknown)}")
        names = sorted(values)
        sql = self._campaign_sql
        d = sql.d
        await self._db.run(
            sql.update("rewards", names), [*(d.value(values[name]) for name in names), d.at(at), reward_pk]
        )
