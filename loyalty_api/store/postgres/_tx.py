"""The operations a write transaction offers, on one pooled PostgreSQL connection."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from loyalty_api.store.interface import UPDATABLE_CAMPAIGN_COLUMNS, CampaignValues
from loyalty_api.store.models import Campaign, NewAudit
from loyalty_api.store.postgres._campaign_tx import CampaignTxMixin
from loyalty_api.store.postgres._customer_tx import CustomerTxMixin
from loyalty_api.store.postgres._idempotency_tx import IdempotencyTxMixin
from loyalty_api.store.postgres._items_tx import ItemsTxMixin
from loyalty_api.store.postgres._ledger_tx import LedgerTxMixin
from loyalty_api.store.postgres._rows import CAMPAIGN_COLUMNS, Conn, LockedCampaigns, campaign_from_row, changes_to_json

__all__ = ["PostgresWriteTx", "insert_audit_rows"]


_CAMPAIGN_FOR_UPDATE: Final = (
    f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE account_pk = $1 AND campaign_id = $2 FOR UPDATE"
)
_HAS_VALUE_ENTRIES: Final = "SELECT EXISTS (SELECT 1 FROM ledger WHERE campaign_pk = $1 AND amount_cents <> 0)"
# The audit rows of a whole batch, in one statement, in the order their jobs appended them (identity order).
_INSERT_AUDIT_ROWS: Final = (
    "INSERT INTO audit (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes)"
    " SELECT at, account_pk, user_name, entity, entity_id, campaign_id, action, changes::jsonb"
    " FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    " $8::text[]) WITH ORDINALITY AS r (at, account_pk, user_name, entity, entity_id, campaign_id, action, changes, n)"
    " ORDER BY n"
)


class PostgresWriteTx(CampaignTxMixin, CustomerTxMixin, IdempotencyTxMixin, ItemsTxMixin, LedgerTxMixin):
    """Valid only inside the transaction :meth:`PostgresStore.write` opened on ``conn``.

    Two round trips are saved per request, without anything inside a transaction being able to tell:

    - Audit rows are not inserted when appended: they go to ``audit``, and the group-commit writer inserts the
      rows of its batch's successful jobs with one statement before ``COMMIT``.  No write reads the audit.
    - ``locked_campaigns`` holds the campaign rows this transaction has locked (``SELECT ... FOR UPDATE``, or
      ``UPDATE ... RETURNING``: exclusive; ``SELECT ... FOR SHARE`` by ``campaign_for_entries``: shared) as they
      are now, by (account, campaign id): the writer hands each job of a batch the rows that the batch's
      successful jobs before it left, so the next update of a hot campaign in the same batch needs no ``SELECT``,
      nor the next sale in it.  The lock guarantees nobody else changed the row meanwhile (a shared lock keeps
      other transactions from changing it too); a shared lock does not stand for an exclusive one, which is then
      taken.  Every other statement that changes a campaign row (archive, restore, insert) empties it.
    """

    __slots__ = ("audit", "conn", "locked_campaigns")

    def __init__(self, conn: Conn, audit: list[NewAudit], locked_campaigns: LockedCampaigns) -> None:
        self.conn = conn
        self.audit = audit
        self.locked_campaigns = locked_campaigns

    async def campaign_for_update(self, account_pk: int, campaign_id: str) -> Campaign | None:
        # The row lock is held until COMMIT: concurrent updates of this campaign queue behind it and
        # then read the row as this transaction left it (no lost update, no read-modify-write race).
        key = (account_pk, campaign_id)
        locked = self.locked_campaigns.get(key)
        if locked is not None and locked[1]:
            return campaign_from_row(locked[0])
        row = await self.conn.fetchrow(_CAMPAIGN_FOR_UPDATE, account_pk, campaign_id)
        if row is None:
            return None
        self.locked_campaigns[key] = (row, True)
        return campaign_from_row(row)

    async def campaign_has_value_entries(self, campaign_pk: int) -> bool:
        return bool(await self.conn.fetchval(_HAS_VALUE_ENTRIES, campaign_pk))

    async def update_campaign(self, campaign_pk: int, values: CampaignValues, at: datetime) -> None:
        unknown = set(values) - UPDATABLE_CAMPAIGN_COLUMNS
        if unknown:
            raise ValueError(f"not campaign columns: {sorted(unknown)}")
        names = sorted(values)  # one statement text (and one prepared statement) per set of columns
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(names, start=1))
        count = len(names)
        row = await self.conn.fetchrow(
            f"UPDATE campaigns SET {assignments}, updated_at = ${count + 1} WHERE pk = ${count + 2}"
            f" RETURNING {CAMPAIGN_COLUMNS}",
            *(values[name] for name in names),
            at,
            campaign_pk,
        )
        if row is not None:
            self.locked_campaigns[(row["account_pk"], row["campaign_id"])] = (row, True)

    async def append_audit(self, entry: NewAudit) -> None:
        self.audit.append(entry)


async def insert_audit_rows(conn: Conn, entries: list[NewAudit]) -> None:
    """Insert ``entries`` into the audit, in their order, with one statement."""
    await conn.execute(
        _INSERT_AUDIT_ROWS,
        [e.at for e in entries],
        [e.account_pk for e in entries],
        [e.user_name for e in entries],
        [e.entity for e in entries],
        [e.entity_id for e in entries],
        [e.campaign_id for e in entries],
        [e.action for e in entries],
        [changes_to_json(e.changes) for e in entries],
    )
