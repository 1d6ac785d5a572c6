"""Write-transaction operations of the campaign family: creating campaigns, rewards, the archive (SQLite).

:class:`CampaignTxMixin` is mixed into ``SqliteWriteTx``; it works on the transaction's connection.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from loyalty_api.store.interface import NEW_CAMPAIGN_COLUMNS, CampaignValues, RewardValues
from loyalty_api.store.models import ArchiveCounts, Campaign, RestoredCampaign, Reward
from loyalty_api.store.sqlite import _archive
from loyalty_api.store.sqlite._reward_rows import REWARD_COLUMNS, reward_from_row
from loyalty_api.store.sqlite._rows import CAMPAIGN_COLUMNS, campaign_from_row, db_value, time_text
from loyalty_api.store.sqlite._writer import CampaignCache

__all__ = ["CampaignTxMixin"]

_REWARD_UPDATE_COLUMNS: Final = frozenset({"level", "description", "identifier"})


class CampaignTxMixin:
    __slots__ = ()
    _conn: sqlite3.Connection
    _campaigns: CampaignCache  # see SqliteWriteTx

    async def campaign_id_in_use(self, campaign_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM campaigns WHERE campaign_id = ?"
            " UNION ALL SELECT 1 FROM campaigns_archive WHERE campaign_id = ? LIMIT 1",
            (campaign_id, campaign_id),
        ).fetchone()
        return row is not None

    async def insert_campaign(self, account_pk: int, values: CampaignValues, at: datetime) -> Campaign:
        unknown = set(values) - NEW_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        names = list(values)
        params = [db_value(values[name]) for name in names]
        stamp = time_text(at)
        cur = self._conn.execute(
            f"INSERT INTO campaigns (account_pk, {', '.join(names)}, created_at, updated_at)"
            f" VALUES (?, {', '.join('?' for _ in names)}, ?, ?)",
            (account_pk, *params, stamp, stamp),
        )
        row = self._conn.execute(f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE pk = ?", (cur.lastrowid,))
        return campaign_from_row(row.fetchone())

    async def reward_for_update(self, campaign_pk: int, reward_pk: int) -> Reward | None:
        row = self._conn.execute(
            f"SELECT {REWARD_COLUMNS} FROM rewards WHERE pk = ? AND campaign_pk = ?", (reward_pk, campaign_pk)
        ).fetchone()
        return None if row is None else reward_from_row(row)

    async def insert_reward(
        self, campaign_pk: int, level: int, description: str, identifier: str | None, at: datetime
    ) -> Reward:
        stamp = time_text(at)
        cur = self._conn.execute(
            "INSERT INTO rewards (campaign_pk, level, description, identifier, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (campaign_pk, level, description, identifier, stamp, stamp),
        )
        return Reward(int(cur.lastrowid or 0), campaign_pk, level, description, identifier, at, at)

    async def update_reward(self, reward_pk: int, values: RewardValues, at: datetime) -> None:
        unknown = set(values) - _REWARD_UPDATE_COLUMNS
        if unknown:
            raise ValueError(f"not reward columns: {sorted(unknown)}")
        names = list(values)
        assignments = ", ".join(f"{name} = ?" for name in names)
        self._conn.execute(
            f"UPDATE rewards SET {assignments}, updated_at = ? WHERE pk = ?",
            (*(db_value(values[name]) for name in names), time_text(at), reward_pk),
        )

    async def archive_reward(self, reward_pk: int, by: str, at: datetime) -> None:
        _archive.archive_reward(self._conn, reward_pk, by, at)

    async def archive_campaign(self, campaign_pk: int, by: str, at: datetime) -> ArchiveCounts:
        self._campaigns.clear()
        return _archive.archive_campaign(self._conn, campaign_pk, by, at)

    async def restore_campaign(self, account_pk: int, campaign_id: str) -> RestoredCampaign | None:
        self._campaigns.clear()
        return _archive.restore_campaign(self._conn, account_pk, campaign_id)
