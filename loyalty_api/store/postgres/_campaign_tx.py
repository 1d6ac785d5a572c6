"""Write-transaction operations of the campaign family: creating campaigns, rewards, the archive (PostgreSQL).

:class:`CampaignTxMixin` is mixed into ``PostgresWriteTx``; it works on the transaction's connection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.interface import NEW_CAMPAIGN_COLUMNS, CampaignValues, RewardValues
from loyalty_api.store.models import ArchiveCounts, Campaign, RestoredCampaign, Reward
from loyalty_api.store.postgres import _archive
from loyalty_api.store.postgres._rows import (
    CAMPAIGN_COLUMNS,
    REWARD_COLUMNS,
    Conn,
    LockedCampaigns,
    campaign_from_row,
    reward_from_row,
)

__all__ = ["CampaignTxMixin"]

_REWARD_UPDATE_COLUMNS: Final = frozenset({"level", "description", "identifier"})
_ID_IN_USE: Final = (
    "SELECT EXISTS (SELECT 1 FROM campaigns WHERE campaign_id = $1)"
    " OR EXISTS (SELECT 1 FROM campaigns_archive WHERE campaign_id = $1)"
)


class CampaignTxMixin:
    __slots__ = ()
    conn: Conn
    locked_campaigns: LockedCampaigns  # see PostgresWriteTx

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        # The id's advisory lock, held to the end of the transaction, keeps a concurrent creator of the same id
        # waiting until this one has committed its row (and then it sees that row: READ COMMITTED).
        await _archive.lock_campaign_id(self.conn, campaign_id)
        return bool(await self.conn.fetchval(_ID_IN_USE, campaign_id))

    async def insert_campaign(self, account_pk: int, values: CampaignValues, at: datetime) -> Campaign:
        unknown = set(values) - NEW_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        self.locked_campaigns.clear()
        names = sorted(values)
        placeholders = ", ".join(f"${i}" for i in range(2, len(names) + 2))
        row = await self.conn.fetchrow(
            f"INSERT INTO campaigns (account_pk, {', '.join(names)}, created_at, updated_at)"
            f" VALUES ($1, {placeholders}, ${len(names) + 2}, ${len(names) + 2}) RETURNING {CAMPAIGN_COLUMNS}",
            account_pk,
            *(values[name] for name in names),
            at,
        )
        assert row is not None
        return campaign_from_row(row)

    async def reward_for_update(self, campaign_pk: int, reward_pk: int) -> Reward | None:
        row = await self.conn.fetchrow(
            f"SELECT {REWARD_COLUMNS} FROM rewards WHERE pk = $1 AND campaign_pk = $2 FOR UPDATE",
            reward_pk,
            campaign_pk,
        )
        return None if row is None else reward_from_row(row)

    async def insert_reward(
        self, campaign_pk: int, level: int, description: str, identifier: str | None, at: datetime
    ) -> Reward:
        row = await self.conn.fetchrow(
            "INSERT INTO rewards (campaign_pk, level, description, identifier, created_at, updated_at)"
            f" VALUES ($1, $2, $3, $4, $5, $5) RETURNING {REWARD_COLUMNS}",
            campaign_pk,
            level,
            description,
            identifier,
            at,
        )
        assert row is not None
        return reward_from_row(row)

    async def update_reward(self, reward_pk: int, values: RewardValues, at: datetime) -> None:
        unknown = set(values) - _REWARD_UPDATE_COLUMNS
        if unknown:
            raise ValueError(f"not reward columns: {sorted(unknown)}")
        names = sorted(values)
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=1))
        await self.conn.execute(
            f"UPDATE rewards SET {assignments}, updated_at = ${len(names) + 1} WHERE pk = ${len(names) + 2}",
            *(values[name] for name in names),
            at,
            reward_pk,
        )

    async def archive_reward(self, reward_pk: int, by: str, at: datetime) -> None:
        await _archive.archive_reward(self.conn, reward_pk, by, at)

    async def archive_campaign(self, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
        self.locked_campaigns.clear()
        return await _archive.archive_campaign(self.conn, campaign_pk, by, at)

    async def restore_campaign(self, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
        self.locked_campaigns.clear()
        return await _archive.restore_campaign(self.conn, account_pk, campaign_id)
