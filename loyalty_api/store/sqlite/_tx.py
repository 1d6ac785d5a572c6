"""The operations a write transaction offers, on the SQLite write connection."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from loyalty_api.store.interface import UPDATABLE_CAMPAIGN_COLUMNS, CampaignValues
from loyalty_api.store.models import Campaign, NewAudit
from loyalty_api.store.sqlite._campaign_tx import CampaignTxMixin
from loyalty_api.store.sqlite._customer_tx import CustomerTxMixin
from loyalty_api.store.sqlite._idempotency_tx import IdempotencyTxMixin
from loyalty_api.store.sqlite._items_tx import ItemsTxMixin
from loyalty_api.store.sqlite._ledger_tx import LedgerTxMixin
from loyalty_api.store.sqlite._rows import CAMPAIGN_COLUMNS, campaign_from_row, changes_to_json, db_value, time_text
from loyalty_api.store.sqlite._writer import CampaignCache

__all__ = ["SqliteWriteTx"]


class SqliteWriteTx(CampaignTxMixin, CustomerTxMixin, IdempotencyTxMixin, ItemsTxMixin, LedgerTxMixin):
    __slots__ = ("_campaigns", "_conn")

    def __init__(self, conn: sqlite3.Connection, campaigns: CampaignCache) -> None:
        self._conn = conn
        self._campaigns = campaigns  # the writer's, for the running batch

    async def campaign_for_update(self, account_pk: int, campaign_id: str) -> Campaign | None:
        return self._campaign(account_pk, campaign_id)

    async def campaign_for_entries(self, account_pk: int, campaign_id: str) -> Campaign | None:
        return self._campaign(account_pk, campaign_id)

    def _campaign(self, account_pk: int, campaign_id: str) -> Campaign | None:
        # The whole database is write-locked by BEGIN IMMEDIATE: the row cannot change under the batch but by its
        # own jobs, whose changes of a campaign empty the cache (see _writer.py).
        key = (account_pk, campaign_id)
        campaign = self._campaigns.get(key)
        if campaign is not None:
            return campaign
        row = self._conn.execute(
            f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = ? AND campaign_id = ?", key
        ).fetchone()
        if row is None:
            return None
        campaign = self._campaigns[key] = campaign_from_row(row)
        return campaign

    async def campaign_has_value_entries(self, campaign_pk: int) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM ledger WHERE campaign_pk = ? AND amount_cents <> 0 LIMIT 1", (campaign_pk,)
        ).fetchone()
        return row is not None

    async def update_campaign(self, campaign_pk: int, values: CampaignValues, at: datetime) -> None:
        unknown = set(values) - UPDATABLE_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        names = list(values)
        assignments = ", ".join(f"{name} = ?" for name in names)
        params = [db_value(values[name]) for name in names]
        self._conn.execute(
            f"UPDATE campaigns SET {assignments}, updated_at = ? WHERE pk = ?",
            (*params, time_text(at), campaign_pk),
        )
        self._campaigns.clear()

    async def append_audit(self, entry: NewAudit) -> None:
        self._conn.execute(
            "INSERT INTO audit (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                time_text(entry.at),
                entry.account_pk,
                entry.user_name,
                entry.entity,
                entry.entity_id,
                entry.campaign_id,
                entry.action,
                changes_to_json(entry.changes),
            ),
        )
