"""The operations a write transaction offers, on one pooled PostgreSQL connection."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.interface import CampaignValues
from loyalty_api.store.models import Campaign, NewAudit
from loyalty_api.store.postgres._campaign_tx import CampaignTxMixin
from loyalty_api.store.postgres._customer_tx import CustomerTxMixin
from loyalty_api.store.postgres._idempotency_tx import IdempotencyTxMixin
from loyalty_api.store.postgres._items_tx import ItemsTxMixin
from loyalty_api.store.postgres._ledger_tx import LedgerTxMixin
from loyalty_api.store.postgres._rows import CAMPAIGN_COLUMNS, Conn, campaign_from_row, changes_to_json

__all__ = ["PostgresWriteTx", "UPDATABLE_CAMPAIGN_COLUMNS"]

UPDATABLE_CAMPAIGN_COLUMNS: Final = frozenset(
    {
        "name",
        "description",
        "points_ratio",
        "reward_ratio",
        "amount_per_event",
        "coalition_opt_out",
        "two_tier_opt_out",
        "active",
        "latitude",
        "longitude",
    }
)

_CAMPAIGN_FOR_UPDATE: Final = (
    f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = $1 AND campaign_id = $2 FOR UPDATE"
)
_HAS_VALUE_ENTRIES: Final = "SELECT EXISTS (SELECT 1 FROM ledger WHERE campaign_pk = $1 AND amount_cents <> 0)"
_APPEND_AUDIT: Final = (
    "INSERT INTO audit (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)"
)


class PostgresWriteTx(CampaignTxMixin, CustomerTxMixin, IdempotencyTxMixin, ItemsTxMixin, LedgerTxMixin):
    """Valid only inside the transaction :meth:`PostgresStore.write` opened on ``conn``."""

    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def campaign_for_update(self, account_pk: int, campaign_id: str) -> Campaign | None:
        # The row lock is held until COMMIT: concurrent updates of this campaign queue behind it and
        # then read the row as this transaction left it (no lost update, no read-modify-write race).
        row = await self.conn.fetchrow(_CAMPAIGN_FOR_UPDATE, account_pk, campaign_id)
        return None if row is None else campaign_from_row(row)

    async def campaign_has_value_entries(self, campaign_pk: int) -> bool:
        return bool(await self.conn.fetchval(_HAS_VALUE_ENTRIES, campaign_pk))

    async def update_campaign(self, campaign_pk: int, values: CampaignValues, at: datetime) -> None:
        unknown = set(values) - UPDATABLE_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        names = sorted(values)  # one statement text (and one prepared statement) per set of columns
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=1))
        count = len(names)
        await self.conn.execute(
            f"UPDATE campaigns SET {assignments}, updated_at = ${count + 1} WHERE pk = ${count + 2}",
            *(values[name] for name in names),
            at,
            campaign_pk,
        )

    async def append_audit(self, entry: NewAudit) -> None:
        await self.conn.execute(
            _APPEND_AUDIT,
            entry.at,
            entry.account_pk,
            entry.user_name,
            entry.entity,
            entry.entity_id,
            entry.campaign_id,
            entry.action,
            changes_to_json(entry.changes),
        )
